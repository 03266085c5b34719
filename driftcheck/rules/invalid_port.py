"""A port is not an integer in 1..65535.

## What it does
Checks every `port`-typed key, and every port in a service-discovery record, parses as
a whole number from 1 to 65535.

## Why is this bad?
`PORT=80a0`, `PORT=8000.0`, `PORT=0` or `PORT=70000` make the service fail to bind, or
(with some libraries) bind a random port.

## Example
```
PORT=8O00
```

## Use instead
```
PORT=8000
```
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from operator import attrgetter

from driftcheck.display import show_plain
from driftcheck.findings import Problem
from driftcheck.project import Project
from driftcheck.rules._walk import flagged_problem, flagged_values, value_check
from driftcheck.schema import KeySpec
from driftcheck.valuetypes import InvalidValue, parse_port

CODE = "DC405"
NAME = "invalid-port"
SEVERITY = "error"


_TYPE = attrgetter("type")
_PORT = {"port": "port"}  # a port is a port, whatever the key


def _questions(
    project: Project, service: str, keys: Sequence[str], specs: Sequence[KeySpec]
) -> Iterable[str | None]:
    """ "port" for the port keys, None for the others, in C."""
    return map(_PORT.get, map(_TYPE, specs))


def _fault(project: Project, question: str, value: str) -> str | None:
    if not value.strip():
        return None  # an empty port is required-key-empty's business
    try:
        parse_port(value)
    except InvalidValue as exc:
        return str(exc)
    return None


VALUE_CHECK = value_check(_questions, _fault)


def check(project: Project) -> Iterator[Problem]:
    for flagged in flagged_values(project, VALUE_CHECK):
        yield flagged_problem(project, flagged, "use a whole number from 1 to 65535")
    for environment, records in project.discovery.items():
        for record in records:
            if record.port is None and record.raw_port is None:
                continue  # a record without a port says nothing about ports
            if record.port is not None and 1 <= record.port <= 65535:
                continue
            text = record.raw_port if record.port is None else str(record.port)
            yield Problem(
                f"discovery record of {record.service} has port "
                f"{show_plain(text or '')}, not an integer in 1..65535",
                service=record.service,
                environment=environment,
                origin=record.origin,
                hint="use a whole number from 1 to 65535",
            )
