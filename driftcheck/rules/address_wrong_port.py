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
from driftcheck.rules._common import (
    KnownPort,
    effective_entry,
    parsed_address,
    service_port,
    target_port,
    targeting,
)
from driftcheck.values import Address as ServiceAddress
from driftcheck.valuetypes import Address, parse_url

CODE = "DC402"
NAME = "address-wrong-port"
SEVERITY = "error"


class _Ports:
    """Who is reached on which port, worked out once per run: every address of a large
    project asks about the same few targets."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._targets: dict[tuple[str, str], KnownPort] = {}
        self._listeners: dict[str, dict[int, list[str]]] = {}
        self._public: dict[tuple[str, str], Address | None] = {}
        self._reached: dict[tuple[str, str, str], list[ServiceAddress]] = {}

    def target(self, target: str, environment: str) -> KnownPort:
        known = self._targets.get((target, environment))
        if known is None:
            known = self._targets[(target, environment)] = target_port(
                self.project, target, environment
            )
        return known

    def public_url(self, target: str, environment: str) -> Address | None:
        """Where the target's public URL in ``environment`` points, if it has one."""
        if (target, environment) not in self._public:
            public = None
            if target in self.project.services:
                url = self.project.config.service(target).public_urls.get(environment)
                if url is not None:
                    public = parse_url(url)
            self._public[(target, environment)] = public
        return self._public[(target, environment)]

    def reached(self, target: str, environment: str, host: str) -> list[ServiceAddress]:
        """The target service's addresses (from its manifests) that ``host`` names."""
        wanted = host.lower()
        question = (target, environment, wanted)
        found = self._reached.get(question)
        if found is None:
            layer = self.project.layers.get((target, environment))
            found = []
            if layer is not None:
                found = [
                    a for a in layer.addresses() if any(name.lower() == wanted for name in a.hosts)
                ]
            self._reached[question] = found
        return found

    def who_listens_on(self, port: int, environment: str, target: str) -> str | None:
        project = self.project
        for endpoint in project.config.endpoints:
            if endpoint.name != target and endpoint.ports.get(environment) == port:
                return f"endpoint {endpoint.name}"
        listeners = self._listeners.get(environment)
        if listeners is None:
            listeners = self._listeners[environment] = {}
            for service in project.services:
                known = service_port(project, service, environment).port
                if known is not None:
                    listeners.setdefault(known, []).append(service)
        for service in listeners.get(port, ()):
            if service != target:
                return f"service {service}"
        return None


def check(project: Project) -> Iterator[Problem]:
    pointing = {service: targeting(project, service, "url", "host") for service in project.services}
    ports = _Ports(project)
    for layer in project.all_layers():
        for spec in pointing[layer.service]:
            assert spec.targets is not None
            entry = effective_entry(layer, spec)
            if entry is None or entry.value is None:
                continue
            address = parsed_address(project, spec.type, entry.value)
            if isinstance(address, str) or address.port is None:
                continue  # not an address (invalid-value says so), or no port
            environment = layer.environment
            known = ports.target(spec.targets, environment)
            expected, origin, how = known.port, known.origin, known.how
            public = ports.public_url(spec.targets, environment)
            reached = ports.reached(spec.targets, environment, address.host)
            if public is not None and public.host == address.host:
                expected = public.port
                origin = None
                how = f"the public URL of {spec.targets}"
            elif reached:
                if any(known_address.port == address.port for known_address in reached):
                    continue
                expected, origin = reached[0].port, reached[0].origin
                how = reached[0].how
            if expected is None or address.port == expected:
                continue
            other = ports.who_listens_on(address.port, environment, spec.targets)
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
