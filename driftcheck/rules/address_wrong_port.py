"""A URL or `host:port` does not reach the port of the service or endpoint it targets.

## What it does
For every `url` or `host` key with `targets = "<service or endpoint>"`, takes the port
the address reaches (its explicit port, else the scheme's default: 80 for http, 443 for
https, 5432 for postgres...) and compares it with the target's port in the same
environment: the port the target service listens on, or the endpoint's declared port.
When the address uses the target's `public_url` host, it is compared with the public
URL's port instead, so a public HTTPS URL in front of an internal port is not drift.
When the target's deployment manifests say how it is reached under the address's host,
the address must use one of those ports: in docker compose, `http://backend:8000` from
another container reaches backend's container port, `http://localhost:8080` from the
host its published port; in Kubernetes, `http://backend:80` a Service's `port`.

## Why is this bad?
The client connects to nothing, or to the wrong thing: `AUTH_URL=http://localhost:8001`
for an auth service on 8081, or a ClickHouse client given the native port (9000) where
it speaks HTTP (8123).

## Example
```
# services/frontend/.env.dev; auth listens on 8081
AUTH_URL=http://localhost:8001
```

## Use instead
```
AUTH_URL=http://localhost:8081
```
"""

from __future__ import annotations

from collections.abc import Iterator

from driftcheck.findings import Problem, Related
from driftcheck.project import Project
from driftcheck.rules._common import effective_entry, service_port, target_port
from driftcheck.values import Address
from driftcheck.valuetypes import InvalidValue, parse_address, parse_url

CODE = "DC402"
NAME = "address-wrong-port"
SEVERITY = "error"


def _who_listens_on(project: Project, port: int, environment: str, target: str) -> str | None:
    for endpoint in project.config.endpoints:
        if endpoint.name != target and endpoint.ports.get(environment) == port:
            return f"endpoint {endpoint.name}"
    for service in project.services:
        if service != target and service_port(project, service, environment).port == port:
            return f"service {service}"
    return None


def _reached(project: Project, target: str, environment: str, host: str) -> list[Address]:
    """The target service's addresses (from its manifests) that ``host`` names."""
    layer = project.layers.get((target, environment))
    if layer is None:
        return []
    wanted = host.lower()
    return [a for a in layer.addresses() if any(name.lower() == wanted for name in a.hosts)]


def check(project: Project) -> Iterator[Problem]:
    pointing = {
        service: [
            spec
            for spec in project.schemas[service].keys.values()
            if spec.targets is not None and spec.type in ("url", "host")
        ]
        for service in project.services
    }
    for layer in project.all_layers():
        for spec in pointing[layer.service]:
            assert spec.targets is not None
            entry = effective_entry(layer, spec)
            if entry is None or entry.value is None:
                continue
            try:
                address = parse_address(spec.type, entry.value)
            except InvalidValue:
                continue
            if address is None or address.port is None:
                continue
            environment = layer.environment
            known = target_port(project, spec.targets, environment)
            expected, origin, how = known.port, known.origin, known.how
            public = None
            if spec.targets in project.services:
                public = project.config.service(spec.targets).public_urls.get(environment)
            reached = _reached(project, spec.targets, environment, address.host)
            if public is not None and parse_url(public).host == address.host:
                expected = parse_url(public).port
                origin = None
                how = f"the public URL of {spec.targets}"
            elif reached:
                if any(known_address.port == address.port for known_address in reached):
                    continue
                expected, origin = reached[0].port, reached[0].origin
                how = reached[0].how
            if expected is None or address.port == expected:
                continue
            other = _who_listens_on(project, address.port, environment, spec.targets)
            hint = f"use port {expected}"
            if other is not None:
                hint += f"; {address.port} is the port of {other}"
            yield Problem(
                f"{entry.key} points at port {address.port}, but {spec.targets} is on "
                f"{expected} in {environment}",
                service=layer.service,
                environment=environment,
                key=entry.key,
                origin=entry.origin,
                related=(Related(origin, spec.targets, environment, note=f"{how} is {expected}"),),
                hint=hint,
            )
