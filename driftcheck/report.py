"""The result of a check, as every output format sees it."""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from driftcheck.findings import Finding, Severity
from driftcheck.values import FINGERPRINT_PREFIX


class Report(NamedTuple):
    findings: tuple[Finding, ...]
    services: tuple[str, ...]
    environments: tuple[str, ...]
    files_read: int
    fingerprints_keyed: bool
    config_path: str

    def count(self, severity: Severity) -> int:
        return sum(1 for finding in self.findings if finding.severity == severity)

    def by_rule(self) -> list[tuple[str, str, int]]:
        counts = Counter((finding.code, finding.name) for finding in self.findings)
        return sorted(
            ((code, name, n) for (code, name), n in counts.items()),
            key=lambda row: (-row[2], row[0]),
        )

    @property
    def shows_fingerprints(self) -> bool:
        return any(
            FINGERPRINT_PREFIX in finding.message
            or any(r.shown and r.shown.startswith(FINGERPRINT_PREFIX) for r in finding.related)
            for finding in self.findings
        )

    def worst(self) -> Severity | None:
        return max((finding.severity for finding in self.findings), default=None)
