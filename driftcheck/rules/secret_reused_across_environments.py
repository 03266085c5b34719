"""A secret has the same value in two environments where it must differ.

## What it does
Compares, per service, the fingerprint of every secret (keys of type `secret`, keys with
`secret = true`, members of secret shared settings) across environments, and reports an
environment that reuses another's value. Pairs of development environments are not
compared; a shared setting can turn the check off with
`distinct_across_environments = false`, and turn it on for a setting that is not secret
with `distinct_across_environments = true` (a per-environment service id, say).

## Why is this bad?
A prod secret that equals the staging one is only as safe as staging: anyone with
staging access can mint prod tokens or read prod data.

## Example
```
# .env.staging and .env.prod
JWT_SECRET_KEY=the-same-long-random-string
```

## Use instead
Generate a separate secret per environment.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import compress, repeat
from operator import attrgetter

from driftcheck.findings import Problem, Related
from driftcheck.project import Project
from driftcheck.rules._common import effective_entry, show, value_marks
from driftcheck.values import Entry

CODE = "DC302"
NAME = "secret-reused-across-environments"
SEVERITY = "error"
_SECRET = attrgetter("secret")


def _members(project: Project, distinct: bool) -> set[tuple[str, str]]:
    """(service, key) of shared settings whose policy says ``distinct``, explicitly."""
    return {
        (member.service, member.key)
        for shared in project.config.shared
        if shared.distinct_across_environments is distinct
        for member in shared.members
    }


def check(project: Project) -> Iterator[Problem]:
    exempt = _members(project, distinct=False)
    required = _members(project, distinct=True)
    for service in project.services:
        schema_keys = project.schemas[service].keys
        keys = set(compress(schema_keys, map(_SECRET, schema_keys.values())))
        keys |= project.shared_secret_keys.get(service, set())
        keys |= {key for member_service, key in required if member_service == service}
        layers = project.layers_of(service)
        environments = [layer.environment for layer in layers]
        values = [layer.values for layer in layers]
        for key in sorted(keys):
            if (service, key) in exempt:
                continue
            spec = schema_keys.get(key)
            if spec is None or not spec.deprecated_names:
                # The entry read is the one under the key's own name (one named without a
                # value has none either): looked up in C.
                entries: Iterable[Entry | None] = map(dict.get, values, repeat(key))
            else:
                entries = [effective_entry(layer, spec) for layer in layers]
            set_in = [
                (environment, entry)
                for environment, entry in zip(environments, entries, strict=True)
                if entry is not None and entry.value
            ]
            if len(set_in) < 2:
                continue
            seen: dict[str, tuple[str, Entry]] = {}
            marks = value_marks(project, [entry for _, entry in set_in])
            for (environment, entry), mark in zip(set_in, marks, strict=True):
                earlier = seen.get(mark)
                if earlier is None:
                    seen[mark] = (environment, entry)
                    continue
                earlier_env, earlier_entry = earlier
                if project.is_development(environment) and project.is_development(earlier_env):
                    continue
                fingerprint = show(project, service, entry)
                yield Problem(
                    f"{entry.key} in {environment} reuses the {earlier_env} value ({fingerprint})",
                    service=service,
                    environment=environment,
                    key=key,
                    origin=entry.origin,
                    related=(
                        Related(earlier_entry.origin, service, earlier_env, key, fingerprint),
                    ),
                    hint=f"generate a separate secret for {environment}",
                )
