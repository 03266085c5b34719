"""SARIF 2.1.0, as GitHub code scanning reads it (``github/codeql-action/upload-sarif``).

- ``driver.rules`` lists every rule, not only those with results, so each alert shows its
  rule's documentation (``help.markdown``) and a rule never loses its help text when its
  last result is fixed. ``ruleIndex`` points into that list.
- Every result has a location, since GitHub drops results without one: a finding without
  a line is placed on line 1 of its file, and a finding without a file (or from the
  process environment, which is no file) on line 1 of the config file.
- Paths are the findings' own (relative to the working directory, which in CI is the
  repository root), percent-encoded as URIs relative to ``%SRCROOT%``.
- ``partialFingerprints["driftcheckFindingHash/v1"]`` hashes what the finding is about
  (rule, service, environment, key, file), not its line, so an alert keeps its identity
  when lines move; ``:N`` numbers findings with the same identity, as CodeQL does.
  (GitHub itself matches alerts on ``primaryLocationLineHash``, which ``upload-sarif``
  adds from the content of the reported line.)
- Related locations are also embedded in the message as ``[path:line](id)`` links, since
  that is how GitHub shows them; literal brackets in message text are escaped with a
  backslash, as SARIF requires of plain-text messages.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from typing import Any
from urllib.parse import quote

from driftcheck import __version__
from driftcheck.findings import Finding, Related, Severity
from driftcheck.report import Report
from driftcheck.rules import RULES, Rule
from driftcheck.values import Origin

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/driftcheck/"
FINGERPRINT_NAME = "driftcheckFindingHash/v1"
SOURCE_ROOT = "%SRCROOT%"
#: GitHub cuts ``shortDescription`` and ``fullDescription`` at this many characters.
_DESCRIPTION_LIMIT = 1024
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_WINDOWS_DRIVE = re.compile(r"[A-Za-z]:/")
#: Lone surrogates (undecodable bytes of a process environment) cannot be written as UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _pascal_case(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def _truncate(text: str, limit: int = _DESCRIPTION_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _section(documentation: str, title: str) -> str:
    """The text of one ``## title`` section of a rule's documentation, as one paragraph."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", documentation, re.M | re.S)
    return " ".join(match.group(1).split()) if match else ""


def _tag(family: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", family.lower()).strip("-")


def _rule(rule: Rule) -> dict[str, Any]:
    documentation = rule.documentation.strip()
    return {
        "id": rule.code,
        "name": _pascal_case(rule.name),
        "shortDescription": {"text": _truncate(rule.summary)},
        "fullDescription": {
            "text": _truncate(_section(documentation, "What it does") or rule.summary)
        },
        "help": {"text": documentation, "markdown": documentation},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"tags": ["configuration-drift", _tag(rule.family)]},
    }


def _is_file(origin: Origin | None) -> bool:
    """Whether an origin names a file: not ``<process environment>`` or the like."""
    return origin is not None and not (origin.path.startswith("<") and origin.path.endswith(">"))


def _artifact(path: str) -> dict[str, str]:
    if path.startswith("/") or _WINDOWS_DRIVE.match(path):
        # Absolute: outside the working directory, so not relative to the source root.
        return {"uri": "file://" + quote(path if path.startswith("/") else "/" + path, safe="/:")}
    # ":" stays encoded: in a relative reference "a:b" would read as a scheme.
    return {"uri": quote(path), "uriBaseId": SOURCE_ROOT}


def _physical(path: str, line: int | None) -> dict[str, Any]:
    return {"artifactLocation": _artifact(path), "region": {"startLine": line or 1}}


def _escape(text: str) -> str:
    """Plain text for a SARIF message: brackets would otherwise start an embedded link."""
    return text.replace("[", "\\[").replace("]", "\\]")


def _who(service: str | None, environment: str | None) -> str:
    return "/".join(part for part in (service, environment) if part)


def _describe(related: Related) -> str:
    parts = [_who(related.service, related.environment), related.key, related.shown]
    if related.note:
        parts.append(f"({related.note})")
    return " ".join(part for part in parts if part)


def _message(finding: Finding) -> tuple[str, list[dict[str, Any]]]:
    """The message text (context, message, related places, hint) and the related locations."""
    who = _who(finding.service, finding.environment)
    lines = [_escape(f"{who}: {finding.message}" if who else finding.message)]
    locations: list[dict[str, Any]] = []
    for related in finding.related:
        described = _escape(_describe(related))
        if related.origin is not None and _is_file(related.origin):
            location: dict[str, Any] = {
                "id": len(locations) + 1,
                "physicalLocation": _physical(related.origin.path, related.origin.line),
            }
            if described:
                location["message"] = {"text": described}
            locations.append(location)
            link = f"[{_escape(str(related.origin))}]({location['id']})"
            lines.append(f"see: {link} {described}".rstrip())
        elif related.origin is not None or described:
            where = _escape(str(related.origin)) if related.origin is not None else ""
            lines.append(" ".join(part for part in ("see:", where, described) if part))
    if finding.hint:
        lines.append(_escape(f"hint: {finding.hint}"))
    return "\n".join(lines), locations


def _identity(finding: Finding) -> str:
    path = finding.origin.path if finding.origin is not None else ""
    fields = (finding.code, finding.service, finding.environment, finding.key, path)
    text = "\0".join(field or "" for field in fields)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _result(
    finding: Finding, rule_index: dict[str, int], config_path: str, fingerprint: str
) -> dict[str, Any]:
    text, related = _message(finding)
    result: dict[str, Any] = {"ruleId": finding.code}
    if finding.code in rule_index:
        result["ruleIndex"] = rule_index[finding.code]
    result["level"] = _LEVEL[finding.severity]
    result["message"] = {"text": text}
    origin = finding.origin
    if origin is not None and _is_file(origin):
        primary = _physical(origin.path, origin.line)
    else:
        primary = _physical(config_path, None)
    result["locations"] = [{"physicalLocation": primary}]
    if related:
        result["relatedLocations"] = related
    result["partialFingerprints"] = {FINGERPRINT_NAME: fingerprint}
    properties = {
        name: value
        for name, value in (
            ("service", finding.service),
            ("environment", finding.environment),
            ("key", finding.key),
        )
        if value is not None
    }
    if properties:
        result["properties"] = properties
    return result


def render(report: Report) -> str:
    rule_index = {rule.code: index for index, rule in enumerate(RULES)}
    seen: Counter[str] = Counter()
    results = []
    for finding in report.findings:
        identity = _identity(finding)
        seen[identity] += 1
        fingerprint = f"{identity}:{seen[identity]}"
        results.append(_result(finding, rule_index, report.config_path, fingerprint))
    document = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "driftcheck",
                        "informationUri": INFORMATION_URI,
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_rule(rule) for rule in RULES],
                    }
                },
                "results": results,
            }
        ],
    }
    text = json.dumps(document, indent=2, ensure_ascii=False)
    # Only strings can hold one, and there a \uXXXX escape reads back as the same character.
    return _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text) + "\n"
