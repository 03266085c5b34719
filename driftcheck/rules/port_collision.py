"""Two services bind the same port on one host in one environment.

## What it does
In environments where all services share one host (`single_host = true`, the default
for development environments), groups services by the port they listen on and reports
every port claimed by more than one.

## Why is this bad?
The second service to start fails with "address already in use", or, worse, clients
reach the first one.

## Example
```
# services/backend/.env.dev
PORT=8000
# services/worker/.env.dev
PORT=8000
```

## Use instead
Give each service its own port on a shared host.
"""

from __future__ import annotations

from collections.abc import Iterator

from driftcheck.findings import Problem, Related
from driftcheck.project import Project
from driftcheck.rules._common import KnownPort, service_port

CODE = "DC404"
NAME = "port-collision"
SEVERITY = "error"


def check(project: Project) -> Iterator[Problem]:
    for environment_config in project.config.environments:
        if not environment_config.single_host:
            continue
        environment = environment_config.name
        by_port: dict[int, list[tuple[str, KnownPort]]] = {}
        for service in project.services:
            known = service_port(project, service, environment)
            if known.port is not None:
                by_port.setdefault(known.port, []).append((service, known))
        for port, claimants in sorted(by_port.items()):
            if len(claimants) < 2:
                continue
            (first, first_known), *others = claimants
            names = ", ".join(service for service, _ in claimants)
            for service, known in others:
                yield Problem(
                    f"{service} and {first} both listen on {port} in {environment} "
                    f"({names} share one host)",
                    service=service,
                    environment=environment,
                    key=project.listen_port_key(service),
                    origin=known.origin,
                    related=(
                        Related(
                            first_known.origin,
                            first,
                            environment,
                            note=f"{first_known.how} is {port}",
                        ),
                    ),
                    hint=f"give {service} a port of its own in {environment}",
                )
