"""A key is set that the service's schema does not name.

## What it does
Reports keys set in a service's files that its schema does not declare, that are not a
near miss of a declared key (near-miss-key reports those), and that no platform preset
or `[platform] keys` pattern covers. Keys of the live process environment are not
reported: it holds much that is meant for other programs.

## Why is this bad?
A key nothing reads is dead configuration at best; at worst it is the name someone
believes the service reads (`CORS_ALLOWED_ORIGINS` where the code reads `CORS_ORIGINS`).

## Example
```
LEGACY_FLAG=1
```

## Use instead
Remove the line, or declare the key in the schema if the service does read it.
"""

from __future__ import annotations

from collections.abc import Iterator

from driftcheck.findings import Problem
from driftcheck.project import Project
from driftcheck.rules.near_miss_key import shared_alternatives

CODE = "DC602"
NAME = "unknown-key"
SEVERITY = "warning"


def check(project: Project) -> Iterator[Problem]:
    for layer in project.all_layers():
        schema = project.schemas[layer.service]
        for key, candidates in project.unread_keys(layer).items():
            if candidates or key.startswith("\ufeff") or shared_alternatives(project, layer, key):
                continue
            entry = layer.values[key]
            if not entry.present:
                # A line without '=' (a pasted token, `KEY:value`): python-dotenv reads the
                # whole text as a key, which may be a secret, so it is not repeated here.
                yield Problem(
                    "this line has no '=' and sets nothing; python-dotenv reads it as a key "
                    "without a value",
                    service=layer.service,
                    environment=layer.environment,
                    origin=entry.origin,
                    hint="remove the line, or write it as KEY=value",
                )
                continue
            yield Problem(
                f"{key} is not in {layer.service}'s schema",
                service=layer.service,
                environment=layer.environment,
                key=key,
                origin=layer.values[key].origin,
                hint=f"remove it, or declare it in {schema.display_path}",
            )
