"""A key is set that the service does not read, and it looks like one it does read.

## What it does
Reports keys set for a service that its schema does not name, when they are a near miss
of a name it does read: a typo (`DATABSE_URL`), a suffix or prefix added or dropped
(`JWT_SECRET` for `JWT_SECRET_KEY`, `APP_PORT` for `PORT`), another word in the middle
(`CORS_ALLOWED_ORIGINS` for `CORS_ORIGINS`), other separators or spelled-out
environment words (`FLAG_DEV` for `FLAG_DEVELOPMENT`). It also reports a key that
another service uses for a shared setting, set on a service that reads that setting
under another name. Matching works on name signatures, never by comparing every pair.

## Why is this bad?
The value is set, so everyone believes the service has it; the service reads another
name and falls back to its default. This is the `JWT_SECRET` / `JWT_SECRET_KEY` incident.

## Example
```
# services/backend/.env.staging; backend reads JWT_SECRET_KEY
JWT_SECRET=...
```

## Use instead
```
JWT_SECRET_KEY=...
```
If the name is meant for another program, declare it in the schema (`required = false`)
or as a platform key in `[platform] keys`.
"""

from __future__ import annotations

from collections.abc import Iterator

from driftcheck.findings import Problem
from driftcheck.project import Layer, Project

CODE = "DC203"
NAME = "near-miss-key"
SEVERITY = "warning"


def shared_alternatives(project: Project, layer: Layer, key: str) -> list[tuple[str, str, str]]:
    """(shared setting, other service, this service's name) when ``key`` is another
    service's name for a shared setting this service reads under another name."""
    found = []
    for shared in project.config.shared:
        mine = [m.key for m in shared.members if m.service == layer.service]
        if not mine or key in mine:
            continue
        for member in shared.members:
            if member.key == key and member.service != layer.service:
                found.append((shared.name, member.service, mine[0]))
    return found


def check(project: Project) -> Iterator[Problem]:
    for layer in project.all_layers():
        unread = project.unread_keys(layer)
        for key, candidates in unread.items():
            if key.startswith("\ufeff"):
                continue  # byte-order-mark explains this one
            entry = layer.values[key]
            shared = shared_alternatives(project, layer, key)
            if shared:
                setting, other, mine = shared[0]
                yield Problem(
                    f"{key} is not read by {layer.service}: it is {other}'s name for the shared "
                    f"setting {setting}, which {layer.service} reads as {mine}",
                    service=layer.service,
                    environment=layer.environment,
                    key=key,
                    origin=entry.origin,
                    hint=f"did you mean {mine}?",
                )
            elif candidates:
                yield Problem(
                    f"{key} is not read by {layer.service}",
                    service=layer.service,
                    environment=layer.environment,
                    key=key,
                    origin=entry.origin,
                    hint=f"did you mean {candidates[0]}?",
                )
