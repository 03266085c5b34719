"""JUnit XML, as GitLab's unit test reports and Jenkins' JUnit plugin read it.

Shape: ``<testsuites>`` holding one ``<testsuite>`` per (service, environment), and in
it one ``<testcase>`` per finding. GitLab lists test cases by ``classname`` (its "Suite"
column) and ``name``, and keeps only the first of two cases with the same name; Jenkins
turns ``classname`` ``a.b`` into package ``a``, class ``b``. So:

- ``classname`` is ``service.environment``, with ``*`` for a finding about every
  service or every environment (``auth.*``, ``*.*``);
- ``name`` is the rule code and name, the key and the file (``DC101 required-key-missing
  REDIS_HOST in services/backend/.env.staging``), without the line, so a case keeps its
  name when lines move and GitLab can tell a new failure from an old one; ``#2``, ``#3``
  tell apart findings that would share a name;
- ``file`` is the finding's file, which GitLab shows.

Status: a finding at or above the ``--fail-on`` threshold (default: error) is a
``<failure type="CODE" message="...">``, so the report fails exactly the findings that
fail the run. A finding below it is ``<skipped>``: GitLab and Jenkins show it, apart
from the passing cases, without failing anything. A (service, environment) without
findings gets one passing case, ``no drift``, so a clean run shows what was checked.
GitLab shows an element's text, not its ``message`` attribute, so the text holds the
whole finding as the text format prints it.

XML 1.0 cannot hold most control characters, even escaped: they (and unpaired
surrogates) are written as ``\\xNN`` / ``\\uNNNN``, as the text format shows them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

from driftcheck.display import escape_control
from driftcheck.findings import Finding, Related, Severity
from driftcheck.report import Report
from driftcheck.values import Origin

HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n'
PASSING_NAME = "no drift"
EVERY = "*"
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")

Group = tuple[str | None, str | None]


def _xml_safe(text: str) -> str:
    """One line of text that XML 1.0 can hold: control characters shown as escapes."""
    return _NOT_XML.sub(lambda match: f"\\u{ord(match.group()):04x}", escape_control(text))


def _is_file(origin: Origin | None) -> bool:
    """Whether an origin names a file: not ``<process environment>`` or the like."""
    return origin is not None and not (origin.path.startswith("<") and origin.path.endswith(">"))


def _classname(group: Group) -> str:
    service, environment = group
    return _xml_safe(f"{service or EVERY}.{environment or EVERY}")


def _case_name(finding: Finding) -> str:
    parts = [finding.code, finding.name]
    if finding.key:
        parts.append(finding.key)
    if finding.origin is not None:
        parts.append(f"in {finding.origin.path}")
    return _xml_safe(" ".join(parts))


def _related(related: Related) -> str:
    who = "/".join(part for part in (related.service, related.environment) if part)
    parts = [
        str(related.origin) if related.origin is not None else None,
        who,
        related.key,
        related.shown,
        f"({related.note})" if related.note else None,
    ]
    return " ".join(part for part in parts if part)


def _details(finding: Finding) -> str:
    """The finding as the text format prints it."""
    where = str(finding.origin) if finding.origin is not None else "-"
    lines = [f"{where}: {finding.code} {finding.name} [{finding.severity}] {finding.message}"]
    lines += [f"    see: {_related(related)}" for related in finding.related]
    if finding.hint:
        lines.append(f"    hint: {finding.hint}")
    return "\n".join(_xml_safe(line) for line in lines) + "\n"


def _groups(report: Report) -> list[tuple[Group, list[Finding]]]:
    """Findings by (service, environment): project-wide first, then per service in
    the config's order, each service's own findings before its environments'."""
    by_group: dict[Group, list[Finding]] = {}
    for finding in report.findings:
        by_group.setdefault((finding.service, finding.environment), []).append(finding)
    order: list[Group] = [(None, None)]
    order += [(None, environment) for environment in report.environments]
    for service in report.services:
        order.append((service, None))
        order += [(service, environment) for environment in report.environments]
    checked = {
        (service, environment) for service in report.services for environment in report.environments
    }
    order += [group for group in by_group if group not in order]
    return [
        (group, by_group.get(group, [])) for group in order if group in by_group or group in checked
    ]


def render(report: Report, fail_on: Severity = Severity.ERROR) -> str:
    root = ET.Element("testsuites", name="driftcheck")
    names: Counter[tuple[str, str]] = Counter()
    totals: Counter[str] = Counter()
    for group, findings in _groups(report):
        classname = _classname(group)
        suite = ET.SubElement(root, "testsuite", name=classname)
        counts: Counter[str] = Counter()
        for finding in findings:
            name = _case_name(finding)
            names[(classname, name)] += 1
            if names[(classname, name)] > 1:
                name = f"{name} #{names[(classname, name)]}"
            case = ET.SubElement(suite, "testcase", classname=classname, name=name)
            if finding.origin is not None and _is_file(finding.origin):
                case.set("file", _xml_safe(finding.origin.path))
            case.set("time", "0")
            outcome = "failure" if finding.severity >= fail_on else "skipped"
            element = ET.SubElement(case, outcome, message=_xml_safe(finding.message))
            if outcome == "failure":
                element.set("type", finding.code)
            element.text = _details(finding)
            counts[outcome] += 1
        if not findings:
            ET.SubElement(suite, "testcase", classname=classname, name=PASSING_NAME, time="0")
        tests = max(len(findings), 1)
        _set_counts(suite, tests, counts)
        totals["tests"] += tests
        totals.update(counts)
    _set_counts(root, totals["tests"], totals)
    ET.indent(root, space="  ")
    return HEADER + ET.tostring(root, encoding="unicode") + "\n"


def _set_counts(element: ET.Element, tests: int, counts: Counter[str]) -> None:
    element.set("tests", str(tests))
    element.set("failures", str(counts["failure"]))
    element.set("errors", "0")
    element.set("skipped", str(counts["skipped"]))
    element.set("time", "0")
