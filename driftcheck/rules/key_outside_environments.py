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

from driftcheck.findings import Problem, Related
from driftcheck.project import Project
from driftcheck.rules._common import schema_origin

CODE = "DC603"
NAME = "key-outside-environments"
SEVERITY = "warning"


def check(project: Project) -> Iterator[Problem]:
    for layer in project.all_layers():
        for key, entry in layer.values.items():
            # The live environment counts too: the service reads every key its schema names.
            if not entry.present:
                continue
            spec = project.spec(layer.service, key)
            if spec is None or spec.allowed_in(layer.environment):
                continue
            yield Problem(
                f"{key} is set in {layer.environment}, but is meant only for "
                f"{', '.join(spec.environments)}",
                service=layer.service,
                environment=layer.environment,
                key=key,
                origin=entry.origin,
                related=(Related(schema_origin(project, layer.service, spec), note="scoped here"),),
                hint=f"remove it from {layer.environment}",
            )
