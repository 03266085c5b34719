"""A key is defined twice in one file; the later line silently wins.

## What it does
Reports every repeated definition of a key within one `.env` file (or other file
source), pointing at the line that wins and the line it overrides.

## Why is this bad?
Someone edits the first line, nothing changes, and an afternoon goes by. Merges of
long `.env` files produce these regularly.

## Example
```
LOG_LEVEL=debug
...
LOG_LEVEL=info
```

## Use instead
Keep one line per key.
"""

from __future__ import annotations

from collections.abc import Iterator

from driftcheck.findings import Problem, Related
from driftcheck.project import Project
from driftcheck.rules._common import each_file
from driftcheck.values import Entry

CODE = "DC701"
NAME = "duplicate-key"
SEVERITY = "warning"


def check(project: Project) -> Iterator[Problem]:
    for layer, source in each_file(project):
        # A file's layer holds each of its keys once: no more entries, no duplicates.
        if len(source.parsed.entries) == len({entry.key for entry in source.parsed.entries}):
            continue
        previous: dict[str, Entry] = {}
        for entry in source.parsed.entries:
            earlier = previous.get(entry.key)
            previous[entry.key] = entry
            if earlier is None:
                continue
            yield Problem(
                f"{entry.key} is defined again (before at line {earlier.origin.line}); "
                "the last definition wins",
                service=layer.service,
                environment=layer.environment,
                key=entry.key,
                origin=entry.origin,
                related=(Related(earlier.origin, note="overridden definition"),),
                hint="keep one definition",
            )
