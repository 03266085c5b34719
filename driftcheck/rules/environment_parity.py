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
from driftcheck.rules._common import effective_entry, layer_origin

CODE = "DC601"
NAME = "environment-parity"
SEVERITY = "warning"


def check(project: Project) -> Iterator[Problem]:
    for service in project.services:
        layers = project.layers_of(service)
        # A key set in every environment, or in none, is no parity problem; sets find the
        # others without looking at each key in each layer.
        everywhere = frozenset.intersection(*(layer.set_keys() for layer in layers))
        anywhere = frozenset.union(*(layer.set_keys() for layer in layers))
        for spec in project.schemas[service].keys.values():
            if spec.environments:
                continue
            if not spec.deprecated_names and (spec.name in everywhere or spec.name not in anywhere):
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
