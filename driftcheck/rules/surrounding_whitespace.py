"""A value starts or ends with whitespace.

## What it does
Reports values with leading or trailing spaces or tabs (carriage returns and line
feeds are control-character's business). In a `.env` file this takes quotes:
`KEY="value "`; unquoted values are stripped by python-dotenv.

## Why is this bad?
Most settings libraries keep the whitespace: the token, host name or password the
service uses is not the one everyone thinks it is.

## Example
```
API_HOST=" api.internal"
```

## Use instead
```
API_HOST=api.internal
```
"""

from __future__ import annotations

from collections.abc import Iterator

from driftcheck.findings import Problem
from driftcheck.project import Project
from driftcheck.rules._walk import value_screen

CODE = "DC504"
NAME = "surrounding-whitespace"
SEVERITY = "warning"
_LINE_ENDS = "\r\n"


def check(project: Project) -> Iterator[Problem]:
    for layer in project.all_layers():
        # A value starting or ending with a space or tab puts one next to a line break
        # in the values joined by line breaks; any other whitespace is unprintable. A
        # screen of all the layer's values at once clears most layers.
        screen = value_screen(project, layer)
        if not (screen.unusual_characters or screen.blank_at_edge):
            continue
        for key, entry in layer.values.items():
            value = entry.value
            if not value or entry.fingerprinted:
                continue
            if not (value[0].isspace() or value[-1].isspace()):
                continue
            core = value.strip(_LINE_ENDS)
            if core == core.strip():
                continue
            where = "leading" if core != core.lstrip() else "trailing"
            if core != core.lstrip() and core != core.rstrip():
                where = "leading and trailing"
            yield Problem(
                f"{key} has {where} whitespace",
                service=layer.service,
                environment=layer.environment,
                key=key,
                origin=entry.origin,
                hint="remove the whitespace inside the quotes",
            )
