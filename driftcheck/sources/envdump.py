"""Values from a saved environment: the output of ``env``, ``printenv`` or ``env -0``.

A dump is taken verbatim: the value is everything after the first ``=`` of its line, with
no quote processing and no whitespace stripping. Carriage returns are kept as part of the
value: a dump taken on Linux has none, so a CR in one is in the environment itself (or the
file was rewritten on the way), and driftcheck's stray-CR check must see it to report it.
"""

from __future__ import annotations

import re
from pathlib import Path

from driftcheck.errors import DriftcheckError
from driftcheck.sources.textfile import LineIndex, read_text, skip_byte_order_mark
from driftcheck.values import Entry, Origin, ParsedSource, SourceIssue

# What starts a new variable in newline-separated output. ``env`` prints a multi-line value
# as it is, so a line that does not start with a name and "=" continues the value before it.
# Names are those container platforms accept (Kubernetes allows "." and "-"), plus the
# ``BASH_FUNC_name%%`` entries bash uses to export functions. The format is ambiguous:
# a continuation line that happens to look like NAME=... (say the last line of a PEM block,
# "AbC==") starts a new variable; ``env -0`` output has no such ambiguity.
_LINE_NAME = re.compile(r"(?:[A-Za-z_][A-Za-z0-9_.-]*|BASH_FUNC_[^=\s]+%%)=")

_NUL = "\0"


def read_env_dump(path: Path, display_path: str) -> ParsedSource:
    """Read ``NAME=value`` entries from saved ``env`` / ``printenv`` / ``env -0`` output."""
    return parse_env_dump(read_text(path, display_path), display_path)


def parse_env_dump(text: str, display_path: str) -> ParsedSource:
    """Entries of an environment dump in file order, duplicates kept.

    Text with NUL separators is ``env -0`` output, split on NUL (values may then hold
    newlines). Otherwise it is split into lines, continuation lines joined to the value
    before them with "\\n". Non-empty lines before the first variable become
    ``unparsable-line`` issues; a byte-order mark is stripped and becomes a
    ``byte-order-mark`` issue.
    """
    text, issues = skip_byte_order_mark(text, display_path, "env never writes one; it was ignored")
    if _NUL in text:
        entries = _split_nul_separated(text, display_path, issues)
    else:
        entries = _split_lines(text, display_path, issues)
    return ParsedSource(entries=entries, issues=issues)


def _split_lines(text: str, display_path: str, issues: list[SourceIssue]) -> list[Entry]:
    lines = text.split("\n")
    if lines[-1] == "":
        # The newline env writes after the last variable ends it; it is not part of its value.
        lines.pop()
    # (name, value lines, line number of the name), filled in as continuation lines arrive.
    variables: list[tuple[str, list[str], int]] = []
    for number, line in enumerate(lines, start=1):
        match = _LINE_NAME.match(line)
        if match is not None:
            variables.append((line[: match.end() - 1], [line[match.end() :]], number))
        elif variables:
            variables[-1][1].append(line)
        elif line:
            issues.append(
                SourceIssue(
                    kind="unparsable-line",
                    origin=Origin(display_path, number),
                    detail="line is not NAME=value and follows no variable it could continue",
                )
            )
    return [
        Entry(key=name, value="\n".join(parts), origin=Origin(display_path, number))
        for name, parts, number in variables
    ]


def _split_nul_separated(text: str, display_path: str, issues: list[SourceIssue]) -> list[Entry]:
    lines = LineIndex(text)
    # env -0 ends every entry with NUL. Text with a NUL that is not laid out like that is not
    # env -0 output, and no environment value can hold a NUL: it is a binary or damaged file.
    if not text.endswith((_NUL, _NUL + "\n")):
        raise DriftcheckError(
            "contains a NUL byte but is not `env -0` output (which ends every entry with NUL)",
            path=display_path,
            line=lines.line(text.index(_NUL)),
        )
    chunks = text.split(_NUL)
    # The piece after the final NUL: nothing, or the newline a shell or editor appended.
    chunks.pop()
    entries: list[Entry] = []
    found_issue = False
    offset = 0
    for chunk in chunks:
        line = lines.line(offset)
        # Here the separator is unambiguous, so any name the environment can hold is taken.
        name, equals, value = chunk.partition("=")
        if equals and name and "\n" not in name:
            entries.append(Entry(key=name, value=value, origin=Origin(display_path, line)))
        else:
            found_issue = True
            issues.append(
                SourceIssue(
                    kind="unparsable-line",
                    origin=Origin(display_path, line),
                    detail="NUL-separated entry is not NAME=value",
                )
            )
        offset += len(chunk) + len(_NUL)
    if found_issue and not entries:
        raise DriftcheckError(
            "contains NUL bytes but no NAME=value entry; is it UTF-16 or a binary file?",
            path=display_path,
        )
    return entries
