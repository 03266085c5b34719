"""A key and one of its deprecated names are both set, to different values.

## What it does
Reports a (service, environment) where the current name of a key and a deprecated name
it still accepts are both set and disagree.

## Why is this bad?
Which one wins depends on the library and on the order of its alias list, so two
people reading the same file expect different values. The service reads the current
name first; the other line is a trap.

## Example
```
CORS_ORIGINS=https://app.example.com
CORS_ALLOWED_ORIGINS=https://old.example.com
```

## Use instead
Keep one line, under the current name.
"""

from __future__ import annotations

from collections.abc import Iterator

from driftcheck.findings import Problem
from driftcheck.project import Project
from driftcheck.rules._common import related_entry, show, value_marks

CODE = "DC202"
NAME = "alias-conflict"
SEVERITY = "error"


def check(project: Project) -> Iterator[Problem]:
    for layer in project.all_layers():
        schema = project.schemas[layer.service]
        for old, canonical in schema.aliases.items():
            entry = layer.values.get(old)
            current = layer.values.get(canonical)
            if entry is None or current is None or entry.value is None or current.value is None:
                continue
            old_value, value = value_marks(project, (entry, current))
            if old_value == value:
                continue
            yield Problem(
                f"{canonical} ({show(project, layer.service, current)}) and its deprecated name "
                f"{old} ({show(project, layer.service, entry)}) are both set, to different values",
                service=layer.service,
                environment=layer.environment,
                key=old,
                origin=entry.origin,
                related=(related_entry(project, layer, current, "read by the service"),),
                hint=f"remove {old}; the service reads {canonical}",
            )
