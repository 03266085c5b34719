"""The services holding one shared setting read it under different names.

## What it does
Reports each shared setting whose members use more than one key name, such as a JWT
secret that auth reads as `JWT_SECRET` and backend as `JWT_SECRET_KEY`.

## Why is this bad?
Every person and script that sets the value has to know each service's name for it.
Sooner or later one service gets the other's name, reads nothing, and falls back to a
default: tokens signed by one service are rejected by the other.

## Example
```toml
[shared.jwt-secret]
members = { auth = "JWT_SECRET", backend = "JWT_SECRET_KEY" }
```

Names that differ only by a prefix a front-end build tool requires (`VITE_`,
`NEXT_PUBLIC_`, `REACT_APP_`...) are the same name.

## Use instead
Rename the key in one service so all members agree, keeping the old name as a
deprecated name for the transition:
```toml
[keys.JWT_SECRET]
type = "secret"
deprecated_names = ["JWT_SECRET_KEY"]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from driftcheck.findings import Problem, Related
from driftcheck.project import Project
from driftcheck.rules._common import schema_origin
from driftcheck.values import Origin

CODE = "DC204"
NAME = "shared-name-mismatch"
SEVERITY = "warning"


#: Prefixes front-end build tools require to expose a variable to the browser: a name that
#: differs only by one of these is the same name.
FRAMEWORK_PREFIXES = (
    "NEXT_PUBLIC_",
    "NUXT_PUBLIC_",
    "EXPO_PUBLIC_",
    "REACT_APP_",
    "VITE_",
    "GATSBY_",
    "PUBLIC_",
)


def without_framework_prefix(key: str) -> str:
    for prefix in FRAMEWORK_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


def check(project: Project) -> Iterator[Problem]:
    for shared in project.config.shared:
        names = sorted({without_framework_prefix(member.key) for member in shared.members})
        if len(names) < 2:
            continue
        sides = ", ".join(f"{m.service} reads {m.key}" for m in shared.members)
        related = tuple(
            Related(
                schema_origin(project, m.service, project.schemas[m.service].keys[m.key]),
                service=m.service,
                key=m.key,
            )
            for m in shared.members
        )
        yield Problem(
            f"shared setting {shared.name} has {len(names)} names: {sides}",
            service=shared.members[0].service,
            key=shared.members[0].key,
            origin=Origin(project.config.display_path, shared.line),
            related=related,
            hint="use one name in every service (keep the others as deprecated_names)",
        )
