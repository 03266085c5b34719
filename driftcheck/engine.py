"""Runs the selected rules over a loaded project and stamps their problems."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import NamedTuple

from driftcheck.errors import DriftcheckError
from driftcheck.findings import Finding, Severity
from driftcheck.project import Project
from driftcheck.rules import RULES, Rule, find_rule

ALL = "ALL"


class Selection(NamedTuple):
    """Which rules run, at which severity, and which part of the project is reported."""

    rules: tuple[Rule, ...]
    severity: dict[str, Severity]
    services: frozenset[str] = frozenset()
    environments: frozenset[str] = frozenset()


def _resolve(selectors: Iterable[str], origin: str, line: int | None = None) -> set[str]:
    """Rule codes for selectors: a code, a name, a code prefix (``DC3``) or ``ALL``."""
    codes: set[str] = set()
    for selector in selectors:
        text = selector.strip()
        if text.upper() == ALL:
            codes.update(rule.code for rule in RULES)
            continue
        rule = find_rule(text)
        if rule is not None:
            codes.add(rule.code)
            continue
        prefixed = {rule.code for rule in RULES if rule.code.startswith(text.upper())}
        if not prefixed or len(text) < 3:
            raise DriftcheckError(f"unknown rule '{text}' (see 'driftcheck rule')", origin, line)
        codes.update(prefixed)
    return codes


def make_selection(
    project: Project,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    services: Iterable[str] = (),
    environments: Iterable[str] = (),
) -> Selection:
    """Combine the config's rule settings with the command line's (which win)."""
    settings = project.config.rules
    config_file = project.config.display_path
    select = tuple(select)
    lines = settings.lines
    if select:
        chosen = _resolve(select, "--select")
    else:
        chosen = _resolve(settings.select or (ALL,), config_file, lines.get("select"))
    chosen -= _resolve(settings.ignore, config_file, lines.get("ignore"))
    chosen -= _resolve(ignore, "--ignore")
    severity: dict[str, Severity] = {}
    for selector, level in settings.severity.items():
        line = lines.get(f"severity.{selector}", lines.get("severity"))
        for code in _resolve((selector,), config_file, line):
            severity[code] = Severity.parse(level)
    services = frozenset(services)
    environments = frozenset(environments)
    for name in sorted(services - set(project.services)):
        raise DriftcheckError(
            f"unknown service '{name}'; known: {', '.join(project.services)}", "--service"
        )
    for name in sorted(environments - set(project.environments)):
        raise DriftcheckError(
            f"unknown environment '{name}'; known: {', '.join(project.environments)}", "--env"
        )
    return Selection(
        rules=tuple(rule for rule in RULES if rule.code in chosen),
        severity=severity,
        services=services,
        environments=environments,
    )


def run_rules(
    project: Project, selection: Selection, owned: Collection[str] | None = None
) -> list[Finding]:
    """Every finding of the selected rules, narrowed and sorted for stable output.

    ``owned``, when given, keeps only the findings of those services (and, when it holds
    the project's first service, those of none): what one shard of a run reports.
    """
    findings = []
    keep_serviceless = owned is None or (bool(project.services) and project.services[0] in owned)
    for rule in selection.rules:
        severity = selection.severity.get(rule.code, rule.severity)
        for problem in rule.check(project):
            if selection.services and problem.service not in selection.services:
                continue
            if owned is not None and (
                problem.service not in owned
                if problem.service is not None
                else not keep_serviceless
            ):
                continue
            if (
                selection.environments
                and problem.environment is not None
                and problem.environment not in selection.environments
            ):
                continue
            findings.append(
                Finding(
                    code=rule.code,
                    name=rule.name,
                    severity=severity,
                    message=problem.message,
                    service=problem.service,
                    environment=problem.environment,
                    key=problem.key,
                    origin=problem.origin,
                    related=problem.related,
                    hint=problem.hint,
                )
            )
    sort_findings(findings, project.services, project.environments)
    return findings


def sort_findings(
    findings: list[Finding], services: Sequence[str], environments: Sequence[str]
) -> None:
    """Sort in place: services and environments in the config's order (dev before staging
    before prod), project-wide findings of a service before its per-environment ones.

    The sort is stable, so findings of one place keep the rules' order.
    """
    service_order = {name: index for index, name in enumerate(services)}
    environment_order = {name: index for index, name in enumerate(environments)}

    def order(finding: Finding) -> tuple[int, int, str, int, str, str]:
        origin = finding.origin
        return (
            service_order.get(finding.service or "", -1),
            environment_order.get(finding.environment or "", -1),
            origin.path if origin else "",
            (origin.line or 0) if origin else 0,
            finding.code,
            finding.key or "",
        )

    findings.sort(key=order)
