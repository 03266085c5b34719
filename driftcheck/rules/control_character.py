"""A value holds a control character: a stray CR, a trailing newline, a NUL, an escape.

## What it does
Reports values containing a carriage return anywhere, a line feed at the start or end,
or any other C0/C1 control character except tab and an inner line feed (multi-line
values such as PEM keys are legitimate). The position is named; the value is not shown.

## Why is this bad?
A `\\r` from a file saved on Windows or pasted from another shell becomes part of the
password, the host name or the token, and the service fails with a confusing error
(or a different secret).

## Example
```
DB_PASSWORD="hunter2\\r"
```

## Use instead
```
DB_PASSWORD=hunter2
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from driftcheck.findings import Problem
from driftcheck.project import Project
from driftcheck.rules._walk import value_screen

CODE = "DC503"
NAME = "control-character"
SEVERITY = "error"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NAMES = {
    "\r": "a carriage return (CR)",
    "\n": "a line feed (LF)",
    "\x00": "a NUL byte",
    "\x1b": "an escape character",
}


def describe(value: str) -> str | None:
    """Where the first control character is, in words that do not reveal the value."""
    match = _CONTROL.search(value)
    position = None
    char = ""
    if match is not None:
        position, char = match.start(), match.group(0)
    elif value.startswith("\n") or value.endswith("\n"):
        position = 0 if value.startswith("\n") else len(value) - 1
        char = "\n"
    if position is None:
        return None
    name = _NAMES.get(char, f"the control character U+{ord(char):04X}")
    if position == len(value) - 1:
        where = "at the end"
    elif position == 0:
        where = "at the start"
    else:
        where = f"at character {position + 1} of {len(value)}"
    return f"has {name} {where}"


def check(project: Project) -> Iterator[Problem]:
    for layer in project.all_layers():
        # A control character is unprintable, and a line feed at either end of a value
        # meets another one (or ends the text) in the values joined by line breaks: a
        # screen of all the layer's values at once clears most layers.
        screen = value_screen(project, layer)
        if not (screen.unusual_characters or screen.break_at_edge):
            continue
        for key, entry in layer.values.items():
            value = entry.value
            # isprintable() is False for every control character, and costs far less.
            if not value or entry.fingerprinted or value.isprintable():
                continue
            reason = describe(value)
            if reason is None:
                continue
            yield Problem(
                f"{key} {reason}",
                service=layer.service,
                environment=layer.environment,
                key=key,
                origin=entry.origin,
                hint="remove it (check the file's line endings and how the value was pasted)",
            )
