"""A key the service reads is set in one environment and missing from another.

## What it does
For each service, looks at every key its schema names that is set in some environments
and not in others. Keys scoped to some environments (`environments = [...]`) and keys
whose absence required-key-missing already reports are left out.

## Why is this bad?
An optional key with a default is still a decision: `REDIS_HOST` set in dev and absent
in staging makes staging use the default (often `localhost`), which nobody chose.

## Example
```
# .env.dev
CACHE_TTL=60
# .env.staging: no CACHE_TTL
```

## Use instead
Set the key in every environment, or scope it in the schema:
```toml
[keys.CACHE_TTL]
environments = ["dev"]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from driftcheck.findings import Problem, Related
from driftcheck.project import Project
from driftcheck.rules._common import effective_entry, in_schema_order, layer_origin
from driftcheck.rules._walk import set_keys

CODE = "DC601"
NAME = "environment-parity"
SEVERITY = "warning"


def check(project: Project) -> Iterator[Problem]:
    for service in project.services:
        layers = project.layers_of(service)
        schema = project.schemas[service]
        # A key set in every environment, or in none, is no parity problem; sets find the
        # others without looking at each key in each layer. A key with deprecated names
        # may be set under any of them: those keys are looked at whatever.
        set_in = [set_keys(project, layer) for layer in layers]
        anywhere = set().union(*set_in)
        examined = anywhere.difference(anywhere.intersection(*set_in))
        examined.update(schema.aliases.values())
        for spec in in_schema_order(schema, examined):
            if spec.environments:
                continue
            present = {layer.environment: effective_entry(layer, spec) for layer in layers}
            if not any(present.values()) or all(present.values()):
                continue
            where_set = [env for env, entry in present.items() if entry is not None]
            example_env = where_set[0]
            example = present[example_env]
            assert example is not None
            for layer in layers:
                if present[layer.environment] is not None or spec.required_in(layer.environment):
                    continue
                yield Problem(
                    f"{spec.name} is set in {', '.join(where_set)} but not in {layer.environment}",
                    service=service,
                    environment=layer.environment,
                    key=spec.name,
                    origin=layer_origin(layer),
                    related=(Related(example.origin, service, example_env, spec.name),),
                    hint=f"set {spec.name} in {layer.environment}, or scope it with "
                    f"environments = [...] in the schema",
                )
