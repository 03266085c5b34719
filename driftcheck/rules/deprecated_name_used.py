"""A deprecated name is set where the service's current name is expected.

## What it does
Reports a key set under one of the `deprecated_names` the schema still accepts, while
the current name is not set (or is set to the same value, which makes the old line dead
weight).

## Why is this bad?
Deprecated names are kept for a transition. A config still using them breaks the day
the old name is dropped, and a reader searching for the current name does not find it.

## Example
```toml
[keys.CORS_ORIGINS]
type = "list"
deprecated_names = ["CORS_ALLOWED_ORIGINS"]
```
```
CORS_ALLOWED_ORIGINS=https://app.example.com
```

## Use instead
```
CORS_ORIGINS=https://app.example.com
```
"""

from __future__ import annotations

from collections.abc import Iterator

from driftcheck.findings import Problem
from driftcheck.project import Project

CODE = "DC201"
NAME = "deprecated-name-used"
SEVERITY = "warning"


def check(project: Project) -> Iterator[Problem]:
    for layer in project.all_layers():
        schema = project.schemas[layer.service]
        for old, canonical in schema.aliases.items():
            entry = layer.values.get(old)
            if entry is None or not entry.present:
                continue
            current = layer.values.get(canonical)
            if current is not None and current.value is not None and current.value != entry.value:
                continue  # both set and different: alias-conflict reports it
            yield Problem(
                f"{old} is a deprecated name of {canonical}",
                service=layer.service,
                environment=layer.environment,
                key=old,
                origin=entry.origin,
                hint=f"rename it to {canonical}"
                if current is None
                else f"remove it; {canonical} is set",
            )
