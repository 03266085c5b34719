"""A port differs from the one expected for that environment.

## What it does
Compares a service's listen-port key (`listen_port_key`) with the port the project
config declares for it in each environment (`port = 8000`, or a table per environment),
every `port`-typed key that `targets` a service or an endpoint with that target's
port in the same environment, and the listen port with the ports its deployment
manifests forward to: a compose `ports` entry `"8080:8001"` or a Kubernetes Service
`targetPort: 8001` for a service that listens on 8000 reaches nothing (a service that
forwards several ports passes when one of them is its listen port).

## Why is this bad?
Service discovery, load balancers and other services are set up for the declared port;
a service that listens elsewhere is unreachable.

## Example
```toml
[services.backend]
port = 8000
```
```
# services/backend/.env.staging
PORT=8080
```

## Use instead
```
PORT=8000
```
or, when the port really differs in that environment, declare it:
`port = { dev = 8000, staging = 8080, prod = 8000 }`.
"""

from __future__ import annotations

from collections.abc import Iterator

from driftcheck.findings import Problem, Related
from driftcheck.project import Project
from driftcheck.rules._common import effective_entry, target_port, targeting
from driftcheck.values import Origin
from driftcheck.valuetypes import InvalidValue, parse_port

CODE = "DC401"
NAME = "port-mismatch"
SEVERITY = "error"


def check(project: Project) -> Iterator[Problem]:
    config_file = project.config.display_path
    for service_config in project.config.services:
        service = service_config.name
        listen = project.listen_port_key(service)
        # The keys that name another service's or endpoint's port, once per service.
        pointing = [spec for spec in targeting(project, service, "port") if spec.name != listen]
        for environment in project.environments:
            layer = project.layer(service, environment)
            declared = service_config.ports.get(environment)
            entry = (
                effective_entry(layer, project.schemas[service].keys[listen]) if listen else None
            )
            port = None
            if entry is not None and entry.value is not None:
                try:
                    port = parse_port(entry.value)
                except InvalidValue:
                    port = None
            if entry is not None and port is not None:
                forwarded = [a for a in layer.addresses() if a.target is not None]
                if forwarded and all(a.target != port for a in forwarded):
                    first = forwarded[0]
                    yield Problem(
                        f"{first.how} {first.port} forwards to port {first.target}, but "
                        f"{service} listens on {port} ({entry.key}) in {environment}",
                        service=service,
                        environment=environment,
                        key=entry.key,
                        origin=first.origin,
                        related=(
                            Related(entry.origin, service, environment, entry.key, note="listens"),
                        ),
                        hint=f"forward to {port}, or set {entry.key}={first.target}",
                    )
            if declared is not None and entry is not None and port is not None and port != declared:
                yield Problem(
                    f"{service} listens on {port} ({entry.key}) in {environment}, "
                    f"but is declared on {declared}",
                    service=service,
                    environment=environment,
                    key=entry.key,
                    origin=entry.origin,
                    related=(
                        Related(
                            Origin(config_file, service_config.line),
                            note=f"declared port {declared}",
                        ),
                    ),
                    hint=f"set {entry.key}={declared}, or declare {port} for {environment}",
                )
            for spec in pointing:
                assert spec.targets is not None
                target_entry = effective_entry(layer, spec)
                if target_entry is None or target_entry.value is None:
                    continue
                try:
                    port = parse_port(target_entry.value)
                except InvalidValue:
                    continue
                known = target_port(project, spec.targets, environment)
                expected = known.port
                if expected is None or port == expected:
                    continue
                yield Problem(
                    f"{target_entry.key} is {port}, but {spec.targets} is on {expected} "
                    f"in {environment}",
                    service=service,
                    environment=environment,
                    key=target_entry.key,
                    origin=target_entry.origin,
                    related=(Related(known.origin, note=f"{known.how} is {expected}"),),
                    hint=f"set {target_entry.key}={expected}",
                )
