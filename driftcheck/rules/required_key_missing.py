"""A key the service requires in this environment is not set by any of its sources.

## What it does
Checks every (service, environment) for the keys its schema marks as required there
(`required = true`, or `required = ["staging", "prod"]`) and reports each one that no
source sets, under its own name or a deprecated one. A bare `KEY` line with no `=`
does not count: python-dotenv reads it as None and `load_dotenv` sets nothing.

## Why is this bad?
The service boots without the setting and either crashes on first use or silently
falls back to a default: `REDIS_HOST` set in dev and absent in staging.

## Example
```toml
# schemas/backend.toml
[keys.REDIS_HOST]
type = "host"
```
```
# services/backend/.env.staging   (no REDIS_HOST line)
PORT=8000
```

## Use instead
```
PORT=8000
REDIS_HOST=redis.staging.internal
```
"""

from __future__ import annotations

from collections.abc import Iterator

from driftcheck.findings import Problem, Related
from driftcheck.project import Project
from driftcheck.rules._common import (
    effective_entry,
    in_schema_order,
    layer_origin,
    schema_origin,
)
from driftcheck.rules._walk import set_keys

CODE = "DC101"
NAME = "required-key-missing"
SEVERITY = "error"


def check(project: Project) -> Iterator[Problem]:
    for layer in project.all_layers():
        schema = project.schemas[layer.service]
        # Only a key the layer does not set can be missing: set arithmetic finds those
        # (a layer nearly always sets every key it declares), and only their specs are
        # looked at.
        not_set = schema.keys.keys() - set_keys(project, layer)
        for spec in in_schema_order(schema, not_set):
            if not spec.required_in(layer.environment) or effective_entry(layer, spec):
                continue
            bare = layer.values.get(spec.name)
            hint = None
            if bare is not None:
                hint = f"{bare.origin} names {spec.name} without a value; add '={{value}}'"
            else:
                near = project.near_misses_set(layer, spec.name)
                if near:
                    hint = f"{near[0]} is set; did you mean {spec.name}?"
            yield Problem(
                f"{spec.name} is required in {layer.environment} but not set",
                service=layer.service,
                environment=layer.environment,
                key=spec.name,
                origin=layer_origin(layer),
                related=(
                    Related(schema_origin(project, layer.service, spec), note="declared here"),
                ),
                hint=hint or f"set {spec.name} in {layer.environment}",
            )
