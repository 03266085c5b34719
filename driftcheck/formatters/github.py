"""GitHub Actions workflow commands: one annotation per finding, then a summary line.

``::error file=PATH,line=N,title=CODE name::message`` (``warning`` for warnings,
``notice`` for info). ``file`` is left out for a finding without a file (or from the
process environment, which is no file), ``line`` when the line is unknown; paths are the
findings' own, relative to the working directory, which in CI is the repository root.

Escaping follows the runner (``ActionCommand.cs``) and ``@actions/core``: in the message
``%`` -> ``%25``, CR -> ``%0D``, LF -> ``%0A``; in property values also ``:`` -> ``%3A`` and
``,`` -> ``%2C``. Any other control character (an escape sequence in a key name, say) is
shown as ``\\xNN``, so nothing reaches the log as a control sequence.

GitHub turns at most 10 error and 10 warning commands of a step (50 of a job) into
annotations; every finding is still a line of the log, and the summary line counts them
all.
"""

from __future__ import annotations

import re

from driftcheck.display import escape_control
from driftcheck.findings import Finding, Related, Severity
from driftcheck.report import Report
from driftcheck.values import Origin

#: Lone surrogates (undecodable bytes of a process environment) cannot be written as UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")
_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """A workflow command's message."""
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", escape_control(escaped))


def escape_property(text: str) -> str:
    """A workflow command's property value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _is_file(origin: Origin | None) -> bool:
    """Whether an origin names a file: not ``<process environment>`` or the like."""
    return origin is not None and not (origin.path.startswith("<") and origin.path.endswith(">"))


def _who(service: str | None, environment: str | None) -> str:
    return "/".join(part for part in (service, environment) if part)


def _related(related: Related) -> str:
    parts = [
        str(related.origin) if related.origin is not None else None,
        _who(related.service, related.environment),
        related.key,
        related.shown,
        f"({related.note})" if related.note else None,
    ]
    return " ".join(part for part in parts if part)


def _command(finding: Finding) -> str:
    properties = []
    if finding.origin is not None and _is_file(finding.origin):
        properties.append(f"file={escape_property(finding.origin.path)}")
        if finding.origin.line is not None:
            properties.append(f"line={finding.origin.line}")
    properties.append(f"title={escape_property(f'{finding.code} {finding.name}')}")
    who = _who(finding.service, finding.environment)
    lines = [f"{who}: {finding.message}" if who else finding.message]
    lines += [f"see: {_related(related)}" for related in finding.related]
    if finding.hint:
        lines.append(f"hint: {finding.hint}")
    message = escape_data("\n".join(lines))
    return f"::{_COMMAND[finding.severity]} {','.join(properties)}::{message}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _summary(report: Report) -> str:
    checked = (
        f"{_plural(len(report.services), 'service')} and "
        f"{_plural(len(report.environments), 'environment')}"
    )
    if not report.findings:
        return f"driftcheck: no drift found across {checked}."
    counts = ", ".join(
        _plural(report.count(severity), str(severity))
        for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        if report.count(severity)
    )
    return (
        f"driftcheck: found {_plural(len(report.findings), 'problem')} ({counts}) across {checked}."
    )


def render(report: Report) -> str:
    lines = [_command(finding) for finding in report.findings]
    if report.shows_fingerprints and not report.fingerprints_keyed:
        lines.append(
            "driftcheck: fingerprints are keyed for this run only; set DRIFTCHECK_HASH_KEY to "
            "compare them across runs."
        )
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"
