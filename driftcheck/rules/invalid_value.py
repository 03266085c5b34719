"""A value does not parse as the type its schema declares.

## What it does
Parses each value of a typed key the way settings libraries do: `int`, `float`, `bool`
(true/false, 1/0, yes/no, on/off, t/f, y/n, any case), `url` (absolute, with a host),
`host` (a host name or IP address, optionally with `:port`) and `enum` (one of
`choices`). Ports have their own rule (invalid-port). Secrets are never shown.

## Why is this bad?
The service fails validation at start-up (in the best case) or misreads the value:
`DEBUG=flase` is not false, `WORKERS=4.0` is not an integer.

## Example
```
DEBUG=ture
```

## Use instead
```
DEBUG=true
```
"""

from __future__ import annotations

from collections.abc import Iterator

from driftcheck.display import show_plain
from driftcheck.findings import Problem
from driftcheck.project import Project
from driftcheck.schema import KeySpec
from driftcheck.valuetypes import InvalidValue, check_type

CODE = "DC501"
NAME = "invalid-value"
SEVERITY = "error"
_CHECKED_TYPES = frozenset({"int", "float", "bool", "url", "host", "enum"})


def _checked(spec: KeySpec) -> bool:
    return spec.type in _CHECKED_TYPES


def check(project: Project) -> Iterator[Problem]:
    # The same values come back in every environment and service: each is judged once.
    verdicts: dict[tuple[str, str, tuple[str, ...]], str | None] = {}
    for layer, key, entry, value, spec in project.values_where(_checked):
        question = (spec.type, value, spec.choices)
        if question in verdicts:
            reason = verdicts[question]
        else:
            try:
                check_type(spec.type, value, spec.choices)
                reason = None
            except InvalidValue as exc:
                reason = str(exc)
            verdicts[question] = reason
        if reason is None:
            continue
        if not value.strip() and spec.required_in(layer.environment):
            continue  # required-key-empty says it better
        secret = project.is_secret(layer.service, key)
        shown = "" if secret else f" {show_plain(value)}"
        yield Problem(
            f"{key}{shown} {reason}",
            service=layer.service,
            environment=layer.environment,
            key=key,
            origin=entry.origin,
            hint=f"{key} is declared as {spec.type}",
        )
