"""A value parses, but breaks a constraint of its schema: range, pattern or length.

## What it does
Checks `min` / `max` for `int`, `float` and `port` keys, `pattern` (a regular
expression searched in the value; anchor it with `^...$` to match the whole value) and
`min_length` for keys that are not secrets (weak-secret checks secrets). Secret values
are never shown.

## Why is this bad?
The value is valid for the type but not for the service: `WORKERS=0`, a region code
that does not match `^[a-z]{2}-[a-z]+-\\d$`.

## Example
```toml
[keys.WORKERS]
type = "int"
min = 1
```
```
WORKERS=0
```

## Use instead
```
WORKERS=4
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from driftcheck.display import show_plain
from driftcheck.findings import Problem
from driftcheck.project import Project
from driftcheck.schema import KeySpec
from driftcheck.valuetypes import InvalidValue, parse_float

CODE = "DC502"
NAME = "constraint-violation"
SEVERITY = "error"


def _constrained(spec: KeySpec) -> bool:
    return (
        spec.minimum is not None
        or spec.maximum is not None
        or spec.pattern is not None
        or spec.min_length is not None
    )


def _violation(spec: KeySpec, value: str, declared_secret: bool) -> str | None:
    if spec.type in ("int", "float", "port") and (
        spec.minimum is not None or spec.maximum is not None
    ):
        try:
            number = parse_float(value)
        except InvalidValue:
            return None  # invalid-value or invalid-port reports it
        if spec.minimum is not None and number < spec.minimum:
            return f"is below the minimum {spec.minimum:g}"
        if spec.maximum is not None and number > spec.maximum:
            return f"is above the maximum {spec.maximum:g}"
    if spec.pattern is not None and re.search(spec.pattern, value) is None:
        return f"does not match the pattern {spec.pattern}"
    if spec.min_length is not None and not declared_secret and len(value) < spec.min_length:
        return f"is {len(value)} characters long; at least {spec.min_length} expected"
    return None


def check(project: Project) -> Iterator[Problem]:
    # The same values come back in every environment and service: each is judged once.
    verdicts: dict[tuple[object, ...], str | None] = {}  # by constraints and value
    for layer, key, entry, value, spec in project.values_where(_constrained):
        declared_secret = project.is_declared_secret(layer.service, key)
        question = (
            spec.type,
            spec.minimum,
            spec.maximum,
            spec.pattern,
            spec.min_length,
            declared_secret,
            value,
        )
        if question in verdicts:
            reason = verdicts[question]
        else:
            reason = verdicts[question] = _violation(spec, value, declared_secret)
        if reason is None:
            continue
        shown = "" if project.is_secret(layer.service, key) else f" {show_plain(value)}"
        yield Problem(
            f"{key}{shown} {reason}",
            service=layer.service,
            environment=layer.environment,
            key=key,
            origin=entry.origin,
            hint=f"see {spec.name} in {project.schemas[layer.service].display_path}",
        )
