"""A required key is set, but to an empty (or blank) value.

## What it does
Reports required keys whose value is an empty string or only whitespace, such as
`API_TOKEN=` or `API_TOKEN="  "`.

## Why is this bad?
Most settings libraries accept an empty string as a value: the service starts, then
sends an empty token, connects to an empty host, or signs with an empty secret.

## Example
```
SENTRY_DSN=
```

## Use instead
```
SENTRY_DSN=https://key@o0.ingest.sentry.io/1
```
or mark the key `required = false` in the schema if it may be left out.
"""

from __future__ import annotations

from collections.abc import Iterator

from driftcheck.findings import Problem
from driftcheck.project import Project
from driftcheck.rules._common import effective_entry
from driftcheck.rules._walk import value_screen

CODE = "DC102"
NAME = "required-key-empty"
SEVERITY = "error"


def check(project: Project) -> Iterator[Problem]:
    for layer in project.all_layers():
        # Only an empty value, or one that starts with whitespace, can be blank: most
        # layers hold none, which one look at all their values tells.
        screen = value_screen(project, layer)
        if not (screen.break_at_edge or screen.blank_at_edge or screen.unusual_characters):
            continue
        values = layer.values
        for spec in project.required_specs(layer):
            entry = values.get(spec.name)
            if entry is None or entry.value is None:
                entry = effective_entry(layer, spec)
            if entry is None or entry.value is None or entry.value.strip():
                continue
            yield Problem(
                f"{entry.key} is required in {layer.environment} but its value is empty",
                service=layer.service,
                environment=layer.environment,
                key=spec.name,
                origin=entry.origin,
                hint=f"give {entry.key} a value",
            )
