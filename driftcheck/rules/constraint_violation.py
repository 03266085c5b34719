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
from collections.abc import Iterator, Sequence
from itertools import compress, count
from operator import attrgetter

from driftcheck.findings import Problem
from driftcheck.project import Project
from driftcheck.rules._walk import flagged_problem, flagged_values, value_check
from driftcheck.schema import KeySpec
from driftcheck.valuetypes import InvalidValue, parse_float

CODE = "DC502"
NAME = "constraint-violation"
SEVERITY = "error"


#: What a verdict depends on besides the value: the key's type and its constraints.
_Limits = tuple[str, float | None, float | None, str | None, int | None]
_LIMITS = attrgetter("type", "minimum", "maximum", "pattern", "min_length")
_CONSTRAINTS = attrgetter("minimum", "maximum", "pattern", "min_length")
_UNCONSTRAINED = (None, None, None, None)


def _questions(
    project: Project, service: str, keys: Sequence[str], specs: Sequence[KeySpec]
) -> list[_Limits | None]:
    """A key's type and constraints, for the keys with constraints (found in C)."""
    questions: list[_Limits | None] = [None] * len(specs)
    secrets = project.declared_secret_names(service)
    constrained = map(_UNCONSTRAINED.__ne__, map(_CONSTRAINTS, specs))
    for index in compress(count(), constrained):
        limits: _Limits = _LIMITS(specs[index])
        if limits[4] is not None and keys[index] in secrets:
            limits = (*limits[:4], None)  # weak-secret checks a secret's length
        questions[index] = limits
    return questions


def _violation(project: Project, limits: _Limits, value: str) -> str | None:
    """Why ``value`` breaks the constraints, or None when it keeps them."""
    key_type, minimum, maximum, pattern, min_length = limits
    if key_type in ("int", "float", "port") and (minimum is not None or maximum is not None):
        try:
            number = parse_float(value)
        except InvalidValue:
            return None  # invalid-value or invalid-port reports it
        if minimum is not None and number < minimum:
            return f"is below the minimum {minimum:g}"
        if maximum is not None and number > maximum:
            return f"is above the maximum {maximum:g}"
    if pattern is not None and re.search(pattern, value) is None:
        return f"does not match the pattern {pattern}"
    if min_length is not None and len(value) < min_length:
        return f"is {len(value)} characters long; at least {min_length} expected"
    return None


VALUE_CHECK = value_check(_questions, _violation)


def check(project: Project) -> Iterator[Problem]:
    for flagged in flagged_values(project, VALUE_CHECK):
        schema = project.schemas[flagged.layer.service]
        hint = f"see {flagged.spec.name} in {schema.display_path}"
        yield flagged_problem(project, flagged, hint)
