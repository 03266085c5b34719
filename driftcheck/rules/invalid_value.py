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

from collections.abc import Iterator, Sequence
from itertools import compress, count
from operator import attrgetter

from driftcheck.findings import Problem
from driftcheck.project import Project
from driftcheck.rules._common import parsed_address
from driftcheck.rules._walk import flagged_problem, flagged_values, value_check
from driftcheck.schema import KeySpec
from driftcheck.valuetypes import InvalidValue, check_type

CODE = "DC501"
NAME = "invalid-value"
SEVERITY = "error"
_CHECKED_TYPES = frozenset({"int", "float", "bool", "url", "host", "enum"})


_TYPE = attrgetter("type")
_Question = tuple[str, tuple[str, ...]]
#: The question of a key of each checked type (an enum's choices are added to it).
_BY_TYPE: dict[str, _Question] = {key_type: (key_type, ()) for key_type in _CHECKED_TYPES}


def _questions(
    project: Project, service: str, keys: Sequence[str], specs: Sequence[KeySpec]
) -> list[_Question | None]:
    """A key's type and choices, for the keys of a checked type (in C but for enums)."""
    types = list(map(_TYPE, specs))
    questions: list[_Question | None] = list(map(_BY_TYPE.get, types))
    for index in compress(count(), map("enum".__eq__, types)):
        questions[index] = ("enum", specs[index].choices)
    return questions


def _judge(project: Project, question: _Question, value: str) -> str | None:
    """Why ``value`` is not of the type (or one of the choices), or None when it is."""
    key_type, choices = question
    if key_type in ("url", "host"):
        address = parsed_address(project, key_type, value)  # shared with other rules
        return address if isinstance(address, str) else None
    try:
        check_type(key_type, value, choices)
    except InvalidValue as exc:
        return str(exc)
    return None


VALUE_CHECK = value_check(_questions, _judge)


def check(project: Project) -> Iterator[Problem]:
    for flagged in flagged_values(project, VALUE_CHECK):
        spec = flagged.spec
        if not flagged.value.strip() and spec.required_in(flagged.layer.environment):
            continue  # required-key-empty says it better
        yield flagged_problem(project, flagged, f"{flagged.key} is declared as {spec.type}")
