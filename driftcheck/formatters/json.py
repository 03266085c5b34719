"""The machine-readable report. ``schema_version`` changes only when the shape does."""

from __future__ import annotations

import json
from typing import Any

from driftcheck import __version__
from driftcheck.findings import Finding, Related, Severity
from driftcheck.report import Report

SCHEMA_VERSION = 1


def _location(origin: Any) -> dict[str, Any] | None:
    if origin is None:
        return None
    return {"path": origin.path, "line": origin.line}


def _related(related: Related) -> dict[str, Any]:
    return {
        "location": _location(related.origin),
        "service": related.service,
        "environment": related.environment,
        "key": related.key,
        "value": related.shown,
        "note": related.note,
    }


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "name": finding.name,
        "severity": str(finding.severity),
        "message": finding.message,
        "hint": finding.hint,
        "service": finding.service,
        "environment": finding.environment,
        "key": finding.key,
        "location": _location(finding.origin),
        "related": [_related(related) for related in finding.related],
    }


def render(report: Report) -> str:
    document = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "driftcheck", "version": __version__},
        "config": report.config_path,
        "fingerprints": {"algorithm": "hmac-sha256", "keyed": report.fingerprints_keyed},
        "services": list(report.services),
        "environments": list(report.environments),
        "summary": {
            "total": len(report.findings),
            "error": report.count(Severity.ERROR),
            "warning": report.count(Severity.WARNING),
            "info": report.count(Severity.INFO),
        },
        "findings": [_finding(finding) for finding in report.findings],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
