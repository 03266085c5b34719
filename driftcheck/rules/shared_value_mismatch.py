"""Services of one environment disagree on the value of a shared setting.

## What it does
For each shared setting with `equal_within_environment` (the default), compares the
value every member service sees in each environment. Secrets are compared by keyed
fingerprint (HMAC-SHA256) and shown only as fingerprints; other values are shown.

Where a value is delivered by reference and its value is not in the sources (a
Cloud Run `secretKeyRef`, a Secret made outside the manifests), the references are
compared instead: two services taking one shared secret from different secrets
disagree, whatever those secrets hold. A value and a reference are not compared.

## Why is this bad?
A secret that must be identical in two services is not: auth signs tokens with one
JWT secret and backend verifies with another, so the backend rejects every token. The
same goes for OAuth client ids, service ids, or a queue name two services must share.

## Example
```
# services/auth/.env.prod
JWT_SECRET=...one value...
# services/backend/.env.prod
JWT_SECRET_KEY=...another value...
```

## Use instead
Set the same value in every member (from one secret store entry, ideally).
"""

from __future__ import annotations

from collections.abc import Iterator

from driftcheck.findings import Problem
from driftcheck.project import Project
from driftcheck.rules._common import effective_entry, related_entry, show, value_marks
from driftcheck.values import Entry

CODE = "DC301"
NAME = "shared-value-mismatch"
SEVERITY = "error"


def check(project: Project) -> Iterator[Problem]:
    for shared in project.config.shared:
        if not shared.equal_within_environment:
            continue
        for environment in project.environments:
            sides: list[tuple[str, Entry]] = []
            for member in shared.members:
                layer = project.layer(member.service, environment)
                spec = project.schemas[member.service].keys[member.key]

                entry = effective_entry(layer, spec)
                if entry is not None:
                    sides.append((member.service, entry))
            known = set(value_marks(project, [e for _, e in sides if e.value is not None]))
            referenced = {entry.reference for _, entry in sides if entry.value is None}
            if len(known) < 2 and len(referenced) < 2:
                continue
            if len(known) < 2:
                # Only the references disagree: show those sides.
                sides = [(service, entry) for service, entry in sides if entry.value is None]
            first_service, first = sides[0]
            described = ", ".join(
                f"{service} {entry.key} {show(project, service, entry)}" for service, entry in sides
            )
            yield Problem(
                f"shared setting {shared.name} differs between services in {environment}: "
                f"{described}",
                service=first_service,
                environment=environment,
                key=first.key,
                origin=first.origin,
                related=tuple(
                    related_entry(project, project.layer(service, environment), entry)
                    for service, entry in sides[1:]
                ),
                hint="set the same value in every service of the shared setting",
            )
