"""The project config: ``driftcheck.toml`` or ``[tool.driftcheck]`` in ``pyproject.toml``."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from driftcheck.errors import DriftcheckError
from driftcheck.tomlfile import Table, TomlFile, load_toml, per_environment, tomllib
from driftcheck.valuetypes import InvalidValue, parse_url

CONFIG_FILE = "driftcheck.toml"
PYPROJECT_FILE = "pyproject.toml"
SOURCE_FORMATS = ("dotenv", "json", "envdump", "process", "compose", "kubernetes", "cloudrun")
#: Formats read from deployment manifests, and the platform preset each implies.
MANIFEST_FORMATS = {"compose": "compose", "kubernetes": "kubernetes", "cloudrun": "cloud-run"}
#: Selector keys a source table may have, per manifest format.
_SELECTORS = {
    "compose": ("service", "project_env"),
    "kubernetes": ("workload", "container"),
    "cloudrun": ("service", "container"),
}
#: File names docker compose looks for (and their -override / .ENV variants).
_COMPOSE_NAME = re.compile(r"(?:docker-)?compose(?:[.-][^/]*)?\.ya?ml")
SEVERITIES = ("error", "warning", "info")
DEVELOPMENT_NAMES = frozenset({"dev", "development", "local", "test", "testing", "ci"})
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class SourceSpec(NamedTuple):
    """One source of values; ``path`` is a template with ``{service}`` and ``{env}``.

    Manifest sources may name more files, merged after ``path`` in order
    (``more_paths``: compose overrides, more manifests), and which part of them feeds the
    driftcheck service: ``select`` is the compose service, Kubernetes workload or Cloud
    Run service (None: the driftcheck service's own name), ``container`` the container.
    ``project_env`` is the file compose interpolates from (``--env-file``).
    """

    format: str
    path: str | None = None
    optional: bool = False
    more_paths: tuple[str, ...] = ()
    select: str | None = None
    container: str | None = None
    project_env: str | None = None

    @property
    def paths(self) -> tuple[str, ...]:
        return () if self.path is None else (self.path, *self.more_paths)


class EnvironmentConfig(NamedTuple):
    name: str
    #: Weak and placeholder secrets are tolerated here, and secrets may be shared.
    development: bool
    #: All services run on one host, so two of them must not bind one port.
    single_host: bool


class ServiceConfig(NamedTuple):
    name: str
    schema: str
    sources: dict[str, tuple[SourceSpec, ...]]
    ports: dict[str, int]
    public_urls: dict[str, str]
    listen_port_key: str | None
    line: int | None


class SharedMember(NamedTuple):
    service: str
    key: str


class SharedSetting(NamedTuple):
    """One logical setting held by several services, possibly under different names."""

    name: str
    members: tuple[SharedMember, ...]
    #: None: a secret when any member's schema says so.
    secret: bool | None
    equal_within_environment: bool
    #: None: True for secrets, False otherwise.
    distinct_across_environments: bool | None
    line: int | None


class Endpoint(NamedTuple):
    """Infrastructure a key may point at (Postgres, Redis...), with its port per environment."""

    name: str
    ports: dict[str, int]
    line: int | None


class RuleSettings(NamedTuple):
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, str] = MappingProxyType({})
    #: Where each of select, ignore and severity is written, for errors about them.
    lines: Mapping[str, int | None] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class ProjectConfig:
    path: Path
    display_path: str
    root: Path
    environments: tuple[EnvironmentConfig, ...]
    services: tuple[ServiceConfig, ...]
    shared: tuple[SharedSetting, ...]
    endpoints: tuple[Endpoint, ...]
    discovery: tuple[SourceSpec, ...]
    platform_presets: tuple[str, ...]
    platform_keys: tuple[str, ...]
    rules: RuleSettings
    _by_name: dict[str, ServiceConfig] = field(init=False, repr=False, compare=False)
    _environments_by_name: dict[str, EnvironmentConfig] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        # Rules look services up by name for every value; a scan of the tuple adds up.
        object.__setattr__(self, "_by_name", {svc.name: svc for svc in self.services})
        environments = {env.name: env for env in self.environments}
        object.__setattr__(self, "_environments_by_name", environments)

    @property
    def environment_names(self) -> tuple[str, ...]:
        return tuple(env.name for env in self.environments)

    def environment(self, name: str) -> EnvironmentConfig:
        return self._environments_by_name[name]

    def service(self, name: str) -> ServiceConfig:
        return self._by_name[name]


_TOOL_TABLE = re.compile(r"^\s*\[\s*tool\s*[\].]", re.MULTILINE)


def _mentions_driftcheck(pyproject: Path) -> bool:
    """Whether a pyproject.toml has a ``tool.driftcheck`` entry (of any form)."""
    text = pyproject.read_text("utf-8", "replace")
    if "driftcheck" not in text or not _TOOL_TABLE.search(text):
        return False
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return True  # ours, perhaps: reading it again reports the syntax error
    tool = data.get("tool")
    return isinstance(tool, dict) and "driftcheck" in tool


def find_config(start: Path) -> Path:
    """The config file for ``start``: itself if a file, else the nearest one upward.

    A ``driftcheck.toml`` that exists but cannot be read (a directory, a symlink loop, a
    dangling link) is returned all the same, so the reader reports it instead of a
    config further up being used in silence.
    """
    if start.is_file():
        if start.suffix != ".toml":
            raise DriftcheckError(
                f"expected a directory or a config file ({CONFIG_FILE} or {PYPROJECT_FILE})",
                str(start),
            )
        return start
    if not start.exists():
        raise DriftcheckError("no such file or directory", str(start))
    for directory in (start.resolve(), *start.resolve().parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_symlink() or candidate.exists():
            return candidate
        pyproject = directory / PYPROJECT_FILE
        if pyproject.is_file() and _mentions_driftcheck(pyproject):
            return pyproject
    raise DriftcheckError(
        f"no {CONFIG_FILE} (or [tool.driftcheck] in {PYPROJECT_FILE}) here or in any parent "
        "directory; run 'driftcheck init' to write one",
        str(start),
    )


def _check_template(table: Table, key: str, template: str, allowed: tuple[str, ...]) -> None:
    for name in _PLACEHOLDER.findall(template):
        if name not in allowed:
            names = " and ".join("{" + item + "}" for item in allowed)
            raise table.error(
                f"'{table.name(key)}' uses '{{{name}}}'; only {names} may be used",
                key,
            )


def _source_list(
    table: Table, key: str, value: object, placeholders: tuple[str, ...]
) -> tuple[SourceSpec, ...]:
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, list):
        raise table.error(f"'{table.name(key)}' must be an array of sources", key)
    specs = []
    for item in value:
        if isinstance(item, str):
            _check_template(table, key, item, placeholders)
            specs.append(SourceSpec(format=source_format_of(item), path=item))
        elif isinstance(item, dict):
            specs.append(_source_table(Table(table.file, item, (*table.path, key)), placeholders))
        else:
            raise table.error(f"each item of '{table.name(key)}' must be a path or a table", key)
    return tuple(specs)


def _source_table(inner: Table, placeholders: tuple[str, ...]) -> SourceSpec:
    source_format = inner.get("format", str, "")
    raw_path = inner.raw("path")
    paths: tuple[str, ...] = ()
    if isinstance(raw_path, list):
        paths = inner.strings("path")
        if not paths:
            raise inner.error(f"'{inner.name('path')}' is empty", "path")
    elif raw_path is not None:
        paths = (inner.get("path", str, ""),)
    if not source_format:
        if not paths:
            raise inner.error("a source needs 'path' (or format = \"process\")")
        source_format = source_format_of(paths[0])
    if source_format not in SOURCE_FORMATS:
        raise inner.error(
            f"source format '{source_format}' is not one of {', '.join(SOURCE_FORMATS)}",
            "format",
        )
    if source_format != "process" and not paths:
        raise inner.error(f"a {source_format} source needs 'path'")
    if len(paths) > 1 and source_format not in MANIFEST_FORMATS:
        raise inner.error(
            f"a {source_format} source reads one file; list several sources instead", "path"
        )
    for path in paths:
        _check_template(inner, "path", path, placeholders)
    allowed = _SELECTORS.get(source_format, ())
    for selector in ("service", "workload", "container", "project_env"):
        if selector not in allowed and inner.raw(selector) is not None:
            formats = [name for name, keys in _SELECTORS.items() if selector in keys]
            raise inner.error(
                f"'{inner.name(selector)}' applies to {' and '.join(formats)} sources only",
                selector,
            )
    selected = inner.get("service", str, None) or inner.get("workload", str, None)
    project_env = inner.get("project_env", str, None)
    if project_env is not None:
        _check_template(inner, "project_env", project_env, placeholders)
    spec = SourceSpec(
        source_format,
        paths[0] if paths else None,
        inner.get("optional", bool, False),
        more_paths=paths[1:],
        select=selected,
        container=inner.get("container", str, None),
        project_env=project_env,
    )
    inner.finish()
    return spec


def source_format_of(path: str) -> str:
    """A source's format from its file name: ``.json``; compose's own names
    (``compose.yaml``, ``docker-compose.override.yml``...); other ``.yaml`` / ``.yml``
    files are Kubernetes manifests (which include Cloud Run's); anything else ``.env``."""
    name = path.rsplit("/", 1)[-1]
    if name.endswith(".json"):
        return "json"
    if _COMPOSE_NAME.fullmatch(name):
        return "compose"
    if name.endswith((".yaml", ".yml")):
        return "kubernetes"
    return "dotenv"


def _sources_per_environment(
    table: Table, key: str, environments: tuple[str, ...]
) -> dict[str, tuple[SourceSpec, ...]] | None:
    value = table.raw(key)
    if value is None:
        return None
    placeholders = ("service", "env")
    if isinstance(value, dict) and "path" not in value and "format" not in value:
        inner = Table(table.file, value, (*table.path, key))
        result = {}
        for env in inner:
            if env not in environments:
                raise inner.error(
                    f"'{inner.name(env)}' names environment '{env}', "
                    f"which is not one of {', '.join(environments)}",
                    env,
                )
            result[env] = _source_list(inner, env, inner.raw(env), placeholders)
        return result
    specs = _source_list(table, key, value, placeholders)
    return dict.fromkeys(environments, specs)


def _environments(top: Table) -> tuple[EnvironmentConfig, ...]:
    value = top.raw("environments")
    if value is None:
        raise top.missing(
            "environments", 'the config needs \'environments\' (for example ["dev", "prod"])'
        )
    result = []
    if isinstance(value, list):
        for name in top.strings("environments"):
            development = name.lower() in DEVELOPMENT_NAMES
            result.append(EnvironmentConfig(name, development, development))
    else:
        for name, table in top.subtables("environments"):
            development = table.get("development", bool, name.lower() in DEVELOPMENT_NAMES)
            single_host = table.get("single_host", bool, development)
            table.finish()
            result.append(EnvironmentConfig(name, development, single_host))
    declared = [env.name for env in result]
    if not declared:
        raise top.error("'environments' is empty", "environments")
    duplicate = next((name for name in declared if declared.count(name) > 1), None)
    if duplicate is not None:
        raise top.error(f"environment '{duplicate}' is listed twice", "environments")
    return tuple(result)


def _port(table: Table, key: str) -> Callable[[int], int]:
    def check(value: int) -> int:
        if not 1 <= value <= 65535:
            raise table.error(f"'{table.name(key)}' must be a port in 1..65535", key)
        return value

    return check


def parse_config(file: TomlFile, root: Path, section: tuple[str, ...] = ()) -> ProjectConfig:
    """Build the project config from a parsed file (``section`` for pyproject.toml)."""
    data = file.data
    for part in section:
        data = data.get(part, {})
    top = Table(file, data, section)
    environments = _environments(top)
    env_names = tuple(env.name for env in environments)

    defaults = top.table("defaults")
    default_schema = "schemas/{service}.toml"
    default_sources: dict[str, tuple[SourceSpec, ...]] = {}
    if defaults is not None:
        default_schema = defaults.get("schema", str, default_schema)
        _check_template(defaults, "schema", default_schema, ("service",))
        default_sources = _sources_per_environment(defaults, "sources", env_names) or {}
        defaults.finish()

    services = []
    service_tables = top.subtables("services")
    if not service_tables:
        raise top.missing("services", "the config declares no services ([services.NAME])")
    for name, table in service_tables:
        schema = table.get("schema", str, default_schema)
        _check_template(table, "schema", schema, ("service",))
        sources = _sources_per_environment(table, "sources", env_names)
        if sources is None:
            sources = default_sources
        if not any(sources.values()):
            raise table.missing(
                "sources",
                f"service '{name}' has no sources; give [services.{name}] sources or "
                "[defaults] sources",
            )
        ports = per_environment(table, "port", int, env_names, _port(table, "port"))
        public_urls = per_environment(table, "public_url", str, env_names)
        for url in public_urls.values():
            try:
                parse_url(url)
            except InvalidValue as exc:
                raise table.error(f"'{table.name('public_url')}' {exc}", "public_url") from None
        listen = table.get("listen_port_key", str, None)
        services.append(
            ServiceConfig(
                name=name,
                schema=schema.replace("{service}", name),
                sources={env: sources.get(env, ()) for env in env_names},
                ports=ports,
                public_urls=public_urls,
                listen_port_key=listen,
                line=file.lines.line_of((*section, "services", name)),
            )
        )
        table.finish()
    service_names = {service.name for service in services}

    endpoints = []
    for name, table in top.subtables("endpoints"):
        if name in service_names:
            raise table.error(f"endpoint '{name}' has the name of a service; names must differ")
        ports = per_environment(table, "port", int, env_names, _port(table, "port"))
        if not ports:
            raise table.error(f"endpoint '{name}' needs 'port'")
        table.finish()
        endpoints.append(Endpoint(name, ports, file.lines.line_of((*section, "endpoints", name))))

    shared = []
    for name, table in top.subtables("shared"):
        members_table = table.table("members")
        if members_table is None or not members_table.keys():
            raise table.error(f"shared setting '{name}' needs 'members' (service = \"KEY\")")
        members = []
        for service in members_table:
            key = members_table.get(service, str, "")
            if service not in service_names:
                raise members_table.error(
                    f"shared setting '{name}' names service '{service}', which is not declared",
                    service,
                )
            members.append(SharedMember(service, key))
        secret_value = table.raw("secret")
        if secret_value is not None:
            table.check("secret", secret_value, bool)
        distinct_value = table.raw("distinct_across_environments")
        if distinct_value is not None:
            table.check("distinct_across_environments", distinct_value, bool)
        shared.append(
            SharedSetting(
                name=name,
                members=tuple(members),
                secret=secret_value,
                equal_within_environment=table.get("equal_within_environment", bool, True),
                distinct_across_environments=distinct_value,
                line=file.lines.line_of((*section, "shared", name)),
            )
        )
        table.finish()

    discovery: tuple[SourceSpec, ...] = ()
    discovery_table = top.table("discovery")
    if discovery_table is not None:
        paths = discovery_table.strings("sources")
        for path in paths:
            _check_template(discovery_table, "sources", path, ("env",))
        discovery = tuple(SourceSpec("discovery", path) for path in paths)
        discovery_table.finish()

    presets = default_presets(services)
    platform_keys: tuple[str, ...] = ()
    platform = top.table("platform")
    if platform is not None:
        from driftcheck.platform import PRESETS

        presets = platform.strings("presets", presets)
        for preset in presets:
            if preset not in PRESETS:
                raise platform.error(
                    f"unknown platform preset '{preset}'; known: {', '.join(sorted(PRESETS))}",
                    "presets",
                )
        platform_keys = platform.strings("keys")
        platform.finish()

    rules = RuleSettings()
    rules_table = top.table("rules")
    if rules_table is not None:
        severity_table = rules_table.table("severity")
        severity: dict[str, str] = {}
        if severity_table is not None:
            for code in severity_table:
                level = severity_table.get(code, str, "")
                if level not in SEVERITIES:
                    raise severity_table.error(
                        f"severity of '{code}' must be one of {', '.join(SEVERITIES)}", code
                    )
                severity[code] = level
        rules = RuleSettings(
            select=rules_table.strings("select"),
            ignore=rules_table.strings("ignore"),
            severity=severity,
            lines={
                **{
                    name: file.lines.line_of((*rules_table.path, name))
                    for name in ("select", "ignore", "severity")
                },
                **{
                    f"severity.{code}": file.lines.line_of((*rules_table.path, "severity", code))
                    for code in severity
                },
            },
        )
        rules_table.finish()

    top.finish()
    file.raise_problems()
    display = file.display_path
    return ProjectConfig(
        path=root / Path(display).name,
        display_path=display,
        root=root,
        environments=environments,
        services=tuple(services),
        shared=tuple(shared),
        endpoints=tuple(endpoints),
        discovery=discovery,
        platform_presets=presets,
        platform_keys=platform_keys,
        rules=rules,
    )


def default_presets(services: Iterable[ServiceConfig]) -> tuple[str, ...]:
    """The platform presets of a config that names none: what any process dump holds,
    and what the platforms of its manifest sources inject."""
    implied = {
        MANIFEST_FORMATS[spec.format]
        for service in services
        for specs in service.sources.values()
        for spec in specs
        if spec.format in MANIFEST_FORMATS
    }
    return ("process", *sorted(implied))


def fill_template(template: str, service: str, environment: str) -> str:
    """A source path template with ``{service}`` and ``{env}`` filled in."""
    return template.replace("{service}", service).replace("{env}", environment)


def display_path(path: Path) -> str:
    """How a file is named in output: relative to the working directory when inside it
    (clickable in terminals and editors, and what CI annotations expect), else absolute."""
    # Strings, not Path.relative_to: a large project names thousands of files.
    absolute = os.path.abspath(path)
    cwd = os.getcwd()
    inside = cwd if cwd.endswith(os.sep) else cwd + os.sep
    if os.path.normcase(absolute) == os.path.normcase(cwd):
        shown = "."
    elif os.path.normcase(absolute).startswith(os.path.normcase(inside)):
        shown = absolute[len(inside) :]
    else:
        shown = absolute
    return shown if os.sep == "/" else shown.replace(os.sep, "/")


def load_config(path: Path) -> ProjectConfig:
    """Read the project config at ``path`` (a driftcheck.toml or a pyproject.toml)."""
    # The directory is resolved, not the file: the file may be a symlink loop to report.
    root = path.parent.resolve()
    display = display_path(path)
    file = load_toml(path, display)
    section: tuple[str, ...] = ()
    if path.name == PYPROJECT_FILE:
        tool = file.data.get("tool", {})
        if not isinstance(tool, dict) or "driftcheck" not in tool:
            raise DriftcheckError("no [tool.driftcheck] table", display)
        if not isinstance(tool["driftcheck"], dict):
            raise file.error(("tool", "driftcheck"), "'tool.driftcheck' must be a table")
        section = ("tool", "driftcheck")
    return parse_config(file, root, section)
