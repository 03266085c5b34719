"""Output formats, each tested as a plain function of a report and through the real CLI."""

from __future__ import annotations

from driftcheck.findings import Finding, Related, Severity
from driftcheck.report import Report
from driftcheck.values import Origin


def make_report(
    *findings: Finding,
    services: tuple[str, ...] = ("app",),
    environments: tuple[str, ...] = ("dev", "prod"),
) -> Report:
    """A report as ``driftcheck check`` would build it, around hand-made findings."""
    return Report(
        findings=findings,
        services=services,
        environments=environments,
        files_read=2,
        fingerprints_keyed=True,
        config_path="driftcheck.toml",
    )


#: Where ``make_finding`` places a finding unless told otherwise.
APP_DEV_LINE_3 = Origin("app/.env.dev", 3)


def make_finding(
    message: str = "PORT is 8001, expected 8000",
    *,
    code: str = "DC401",
    name: str = "port-mismatch",
    severity: Severity = Severity.ERROR,
    service: str | None = "app",
    environment: str | None = "dev",
    key: str | None = "PORT",
    origin: Origin | None = APP_DEV_LINE_3,
    related: tuple[Related, ...] = (),
    hint: str | None = None,
) -> Finding:
    return Finding(
        code=code,
        name=name,
        severity=severity,
        message=message,
        service=service,
        environment=environment,
        key=key,
        origin=origin,
        related=related,
        hint=hint,
    )
