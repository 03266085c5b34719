"""Start-up validation: a service checks its own live environment before it serves.

``driftcheck.validate_environment("backend", "staging")`` reads the process environment
(and the ``.env`` files the service loads) against the service's schema, runs every rule
that applies to one (service, environment), compares shared secrets with committed
snapshots of peer services by keyed fingerprint, and raises one
:class:`ConfigurationError` listing every problem. It needs no project config: a schema
file (or a pydantic-settings class) is enough, as inside a deployed container.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from driftcheck.config import (
    DEVELOPMENT_NAMES,
    EnvironmentConfig,
    ProjectConfig,
    RuleSettings,
    ServiceConfig,
    display_path,
    find_config,
    load_config,
)
from driftcheck.errors import DriftcheckError
from driftcheck.findings import Finding, Related, Severity
from driftcheck.platform import PRESETS, PlatformKeys
from driftcheck.project import Layer, LoadedSource, Project
from driftcheck.schema import ServiceSchema, load_schema
from driftcheck.values import (
    DIGEST_PREFIX,
    FINGERPRINT_HEX_DIGITS,
    FINGERPRINT_PREFIX,
    Fingerprinter,
)

PathLike = str | os.PathLike[str]


class ConfigurationError(DriftcheckError):
    """The service's configuration has problems; ``problems`` lists every one of them.

    The message names rule codes, keys and hints, never a value (secrets show as
    fingerprints only).
    """

    def __init__(self, service: str, environment: str, problems: Sequence[Finding]) -> None:
        self.service = service
        self.environment = environment
        self.problems = list(problems)
        count = len(self.problems)
        lines = [
            f"{service} in {environment}: {count} configuration problem{'s' if count != 1 else ''}"
        ]
        for finding in self.problems:
            where = f" ({finding.origin})" if finding.origin is not None else ""
            hint = f"; {finding.hint}" if finding.hint else ""
            lines.append(f"  {finding.code} {finding.name}: {finding.message}{where}{hint}")
        super().__init__("\n".join(lines))

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        return (ConfigurationError, (self.service, self.environment, self.problems))


def _load_service_schema(
    schema: PathLike | type | None, service: str, environment: str, config: ProjectConfig | None
) -> ServiceSchema:
    if isinstance(schema, type):
        from driftcheck.settings_class import schema_from_settings

        return schema_from_settings(schema)
    if schema is None:
        if config is None:
            raise DriftcheckError(
                f"no schema given for {service} and no driftcheck.toml found; pass "
                "schema='path/to/schema.toml' (or a settings class)"
            )
        names = [svc.name for svc in config.services]
        if service not in names:
            raise DriftcheckError(
                f"service '{service}' is not in {config.display_path} (known: {', '.join(names)})"
            )
        schema = config.root / config.service(service).schema
    text = os.fspath(schema)
    if ":" in text and not text.endswith(".toml") and not Path(text).exists():
        from driftcheck.settings_class import schema_from_settings_class

        return schema_from_settings_class(text)
    path = Path(text)
    # Without the project config the other environments are unknown: a schema naming
    # them (a dev-only key, say) is not wrong for that.
    environments = config.environment_names if config is not None else ()
    return load_schema(path, display_path(path), environments)


def _narrowed_config(
    config: ProjectConfig | None, service: str, environment: str, development: bool | None
) -> ProjectConfig:
    """The project reduced to one (service, environment): what one process can check."""
    if config is not None and environment in config.environment_names:
        env = config.environment(environment)
    else:
        env = EnvironmentConfig(environment, environment.lower() in DEVELOPMENT_NAMES, False)
    env = env._replace(
        single_host=False, development=env.development if development is None else development
    )
    known = {svc.name: svc for svc in config.services} if config is not None else {}
    service_config = known.get(service) or ServiceConfig(
        name=service,
        schema="",
        sources={},
        ports={},
        public_urls={},
        listen_port_key=None,
        line=None,
    )
    return ProjectConfig(
        path=config.path if config else Path.cwd(),
        display_path=config.display_path if config else "<no project config>",
        root=config.root if config else Path.cwd(),
        environments=(env,),
        services=(service_config,),
        shared=(),  # peers are compared through their snapshots instead
        endpoints=config.endpoints if config else (),
        discovery=(),
        platform_presets=tuple(PRESETS),
        platform_keys=config.platform_keys if config else (),
        rules=config.rules if config else RuleSettings(),
    )


def _live_layer(
    service: str, environment: str, env_files: Iterable[PathLike], environ: Mapping[str, str]
) -> Layer:
    """What the process sees: its .env files, then its environment, which wins (as with
    python-dotenv's ``load_dotenv``, which does not override variables already set)."""
    from driftcheck.sources.dotenv import read_dotenv
    from driftcheck.sources.process import read_process_environment

    layer = Layer(service, environment)
    for env_file in env_files:
        path = Path(env_file)
        parsed = read_dotenv(path, display_path(path), environ=dict(environ))
        layer.sources.append(LoadedSource(display_path(path), "dotenv", parsed))
    process = read_process_environment(environ)
    layer.sources.append(LoadedSource("<process environment>", "process", process))
    for source in layer.sources:
        for entry in source.parsed.entries:
            if entry.value is None and layer.is_set(entry.key):
                continue
            layer.values[entry.key] = entry
    return layer


def _shared_members(
    schema: ServiceSchema, config: ProjectConfig | None, service: str
) -> dict[str, str]:
    """Shared setting name -> this service's key, from the config and the schema."""
    members = {
        shared.name: member.key
        for shared in (config.shared if config else ())
        for member in shared.members
        if member.service == service
    }
    for spec in schema.keys.values():
        if spec.shared is not None:
            members.setdefault(spec.shared, spec.name)
    return members


def _compare_with_snapshots(
    project: Project,
    layer: Layer,
    members: dict[str, str],
    snapshots: Sequence[PathLike],
) -> list[Finding]:
    from driftcheck.rules import BY_CODE
    from driftcheck.rules._common import effective_entry
    from driftcheck.sources.jsonfile import check_snapshot_key, read_snapshot

    rule = BY_CODE["DC301"]
    findings = []
    for snapshot_path in snapshots:
        path = Path(snapshot_path)
        snapshot = read_snapshot(path, display_path(path))
        check_snapshot_key(snapshot, project.fingerprinter)
        for setting, key in sorted(members.items()):
            peer = snapshot.shared.get(setting)
            spec = project.schemas[layer.service].keys.get(key)
            entry = effective_entry(layer, spec) if spec is not None else None
            if peer is None or entry is None or entry.value is None:
                continue
            digest = project.fingerprinter.digest(entry.value)
            if DIGEST_PREFIX + digest == peer:
                continue
            ours = FINGERPRINT_PREFIX + digest[:FINGERPRINT_HEX_DIGITS]
            theirs = FINGERPRINT_PREFIX + peer[len(DIGEST_PREFIX) :][:FINGERPRINT_HEX_DIGITS]
            findings.append(
                Finding(
                    code=rule.code,
                    name=rule.name,
                    severity=rule.severity,
                    message=f"shared setting {setting} differs from {snapshot.service}'s "
                    f"in {snapshot.environment}: {entry.key} {ours}, {snapshot.service} {theirs}",
                    service=layer.service,
                    environment=layer.environment,
                    key=entry.key,
                    origin=entry.origin,
                    related=(
                        Related(
                            None,
                            snapshot.service,
                            snapshot.environment,
                            None,
                            theirs,
                            f"snapshot {display_path(path)}",
                        ),
                    ),
                    hint="set the same value as the other services of the shared setting",
                )
            )
    return findings


def validate_environment(
    service: str,
    environment: str,
    *,
    schema: PathLike | type | None = None,
    env_file: PathLike | Sequence[PathLike] | None = None,
    snapshots: Sequence[PathLike] = (),
    config: PathLike | None = None,
    environ: Mapping[str, str] | None = None,
    development: bool | None = None,
    fail_on: str = "error",
) -> list[Finding]:
    """Check the live configuration of ``service`` in ``environment``; raise on problems.

    ``schema`` is a TOML schema file, a ``"pkg.module:Settings"`` reference or a
    pydantic-settings class; without it the project config (``config``, or the nearest
    ``driftcheck.toml`` upward from the working directory) names the schema. ``env_file``
    is what the service loads with python-dotenv; the process environment (``environ``,
    default ``os.environ``) wins over it. ``snapshots`` are committed snapshots of peer
    services: with ``DRIFTCHECK_HASH_KEY`` set, shared secrets are compared with theirs.

    Raises :class:`ConfigurationError` listing every finding at or above ``fail_on``
    (``"error"``, ``"warning"`` or ``"info"``); returns the findings below it.
    Raises :class:`DriftcheckError` when the check itself cannot run (no schema...).
    """
    from driftcheck.engine import make_selection, run_rules

    live = dict(os.environ if environ is None else environ)
    project_config = None
    if config is not None:
        project_config = load_config(Path(config))
    elif schema is None:
        project_config = load_config(find_config(Path.cwd()))
    service_schema = _load_service_schema(schema, service, environment, project_config)
    files = [env_file] if isinstance(env_file, (str, os.PathLike)) else list(env_file or ())
    layer = _live_layer(service, environment, files, live)
    narrowed = _narrowed_config(project_config, service, environment, development)
    project = Project(
        config=narrowed,
        schemas={service: service_schema},
        layers={(service, environment): layer},
        discovery={environment: []},
        fingerprinter=Fingerprinter.from_environment(live),
        platform=PlatformKeys(narrowed.platform_presets, narrowed.platform_keys),
        shared_secret_keys={},
    )
    findings = run_rules(project, make_selection(project))
    if snapshots:
        members = _shared_members(service_schema, project_config, service)
        findings.extend(_compare_with_snapshots(project, layer, members, snapshots))
    threshold = Severity.parse(fail_on)
    failing = [finding for finding in findings if finding.severity >= threshold]
    if failing:
        raise ConfigurationError(service, environment, failing)
    return [finding for finding in findings if finding.severity < threshold]


def validate_settings(
    settings_class: type,
    environment: str,
    *,
    service: str | None = None,
    snapshots: Sequence[PathLike] = (),
    environ: Mapping[str, str] | None = None,
    fail_on: str = "error",
) -> list[Finding]:
    """``validate_environment`` for a pydantic-settings class, reading the ``.env`` files
    its ``model_config`` names. Call it before instantiating the class."""
    env_files = (
        settings_class.model_config.get("env_file")
        if hasattr(settings_class, "model_config")
        else None
    )
    if isinstance(env_files, (str, os.PathLike)):
        env_files = [env_files]
    existing = [path for path in (env_files or ()) if Path(path).is_file()]
    return validate_environment(
        service or settings_class.__name__,
        environment,
        schema=settings_class,
        env_file=existing,
        snapshots=snapshots,
        environ=environ,
        fail_on=fail_on,
    )
