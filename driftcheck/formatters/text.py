"""Human output: findings grouped by service and environment, then a summary line.

Lines are built as styled segments; they are printed through rich only when colour is
on, so plain output (files, pipes, CI logs) never pays rich's import time and never
passes user text through a markup parser. Control characters in any segment (a key
name can hold one) are escaped, so nothing reaches the terminal as a control sequence.
"""

from __future__ import annotations

from collections.abc import Iterator

from driftcheck.display import escape_control
from driftcheck.findings import Finding, Related, Severity
from driftcheck.report import Report

Segment = tuple[str, str]  # (text, rich style; "" for none)
Line = list[Segment]

_SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _related(related: Related) -> str:
    parts = [str(related.origin)] if related.origin is not None else []
    who = "/".join(part for part in (related.service, related.environment) if part)
    if who:
        parts.append(who)
    if related.key:
        parts.append(related.key)
    if related.shown:
        parts.append(related.shown)
    if related.note:
        parts.append(f"({related.note})")
    return " ".join(parts)


def _finding_lines(finding: Finding) -> Iterator[Line]:
    where = str(finding.origin) if finding.origin is not None else "-"
    yield [
        (where, "bold"),
        (": ", ""),
        (finding.code, _SEVERITY_STYLE[finding.severity]),
        (" ", ""),
        (finding.name, "dim"),
        (f" [{finding.severity}] ", _SEVERITY_STYLE[finding.severity]),
        (finding.message, ""),
    ]
    for related in finding.related:
        yield [("    see: ", "dim"), (_related(related), "")]
    if finding.hint:
        yield [("    hint: ", "cyan"), (finding.hint, "")]


def render(report: Report, statistics: bool = False, quiet: bool = False) -> list[Line]:
    lines: list[Line] = []
    group: tuple[str, str] | None = None
    for finding in report.findings:
        current = (finding.service or "", finding.environment or "")
        if not quiet and current != group:
            if group is not None:
                lines.append([])
            title = " / ".join(part for part in current if part) or "project"
            lines.append([(f"{title}", "bold underline")])
            group = current
        lines.extend(_finding_lines(finding))
    if statistics and report.findings:
        lines.append([])
        for code, name, count in report.by_rule():
            lines.append([(f"{count:>5}  ", "bold"), (code, ""), (f"  {name}", "dim")])
    if quiet:
        return lines
    if report.findings:
        lines.append([])
        counts = ", ".join(
            _plural(report.count(severity), str(severity))
            for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO)
            if report.count(severity)
        )
        lines.append([(f"Found {_plural(len(report.findings), 'problem')} ({counts})", "bold")])
    else:
        lines.append([("No drift found.", "bold green")])
    lines.append(
        [
            (
                f"Checked {_plural(len(report.services), 'service')} in "
                f"{_plural(len(report.environments), 'environment')} "
                f"({_plural(report.files_read, 'file')} read, config {report.config_path}).",
                "dim",
            )
        ]
    )
    if report.shows_fingerprints and not report.fingerprints_keyed:
        lines.append(
            [
                (
                    "Fingerprints are keyed for this run only; set DRIFTCHECK_HASH_KEY to compare "
                    "them across runs.",
                    "dim",
                )
            ]
        )
    return lines


def to_plain(lines: list[Line]) -> str:
    return "".join("".join(escape_control(text) for text, _ in line) + "\n" for line in lines)


def print_coloured(lines: list[Line]) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(soft_wrap=True, highlight=False)
    for line in lines:
        text = Text()
        for part, style in line:
            text.append(escape_control(part), style=style or None)
        console.print(text)
