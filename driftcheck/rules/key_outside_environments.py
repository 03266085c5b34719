"""A key scoped to some environments is set in another one.

## What it does
Reports a key whose schema entry lists `environments = [...]` when it is set in an
environment not on that list: a dev-only flag in prod, a `*_STAGING` name in dev.

## Why is this bad?
Scoped keys exist because they are wrong elsewhere: `DEBUG_TOOLBAR=1` or
`AUTH_BYPASS=1` reaching prod is an incident.

## Example
```toml
[keys.AUTH_BYPASS]
type = "bool"
environments = ["dev"]
```
```
# .env.prod
AUTH_BYPASS=true
```

## Use instead
Remove the key from that environment, or widen `environments` if it belongs there.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import compress
from operator import attrgetter

from driftcheck.findings import Problem, Related
from driftcheck.project import Project
from driftcheck.rules._common import schema_origin

CODE = "DC603"
NAME = "key-outside-environments"
SEVERITY = "warning"
#: A spec's environments, read in C for every key (few keys are scoped).
_ENVIRONMENTS = attrgetter("environments")


def check(project: Project) -> Iterator[Problem]:
    for service in project.services:
        specs = project.schemas[service].keys.values()
        scoped = list(compress(specs, map(_ENVIRONMENTS, specs)))
        for spec in scoped:
            for layer in project.layers_of(service):
                if spec.allowed_in(layer.environment):
                    continue
                for key in (spec.name, *spec.deprecated_names):
                    # The live environment counts too: the service reads every key it names.
                    entry = layer.values.get(key)
                    if entry is None or not entry.present:
                        continue
                    yield Problem(
                        f"{key} is set in {layer.environment}, but is meant only for "
                        f"{', '.join(spec.environments)}",
                        service=layer.service,
                        environment=layer.environment,
                        key=key,
                        origin=entry.origin,
                        related=(
                            Related(schema_origin(project, service, spec), note="scoped here"),
                        ),
                        hint=f"remove it from {layer.environment}",
                    )
