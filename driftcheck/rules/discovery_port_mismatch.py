"""A service-discovery record says a service is on another port than it listens on.

## What it does
Reads the discovery records named in `[discovery] sources` (a JSON file per environment
saying which port each service bound) and compares each record's port with the port the
service listens on in that environment: its listen-port key, else its declared port.

## Why is this bad?
Clients that resolve the service through discovery connect to a port nothing listens
on: discovery says 8001 while the backend listens on 8000.

## Example
```json
{"services": {"backend": {"port": 8001}}}
```
```
# services/backend/.env.staging
PORT=8000
```

## Use instead
Fix whichever side is wrong: register the port the service binds, or bind the
registered port.
"""

from __future__ import annotations

from collections.abc import Iterator

from driftcheck.findings import Problem, Related
from driftcheck.project import Project
from driftcheck.rules._common import service_port

CODE = "DC403"
NAME = "discovery-port-mismatch"
SEVERITY = "error"


def check(project: Project) -> Iterator[Problem]:
    services = set(project.services)
    for environment, records in project.discovery.items():
        for record in records:
            if record.service not in services or record.port is None:
                continue
            known = service_port(project, record.service, environment)
            if known.port is None or known.port == record.port:
                continue
            yield Problem(
                f"discovery says {record.service} is on {record.port} in {environment}, "
                f"but it listens on {known.port}",
                service=record.service,
                environment=environment,
                origin=record.origin,
                related=(
                    Related(
                        known.origin,
                        record.service,
                        environment,
                        note=f"{known.how} is {known.port}",
                    ),
                ),
                hint=f"register {known.port}, or make {record.service} listen on {record.port}",
            )
