"""A loaded project: config, schemas, and the layered values of every (service, environment)."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import compress
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple

from driftcheck.config import (
    MANIFEST_FORMATS,
    ProjectConfig,
    SourceSpec,
    display_path,
    fill_template,
    find_config,
    load_config,
)
from driftcheck.display import looks_secret
from driftcheck.errors import DriftcheckError, DriftcheckErrors
from driftcheck.namematch import NearMissIndex
from driftcheck.platform import PlatformKeys
from driftcheck.schema import KeySpec, ServiceSchema, load_schema
from driftcheck.sources.discovery import DiscoveryRecord
from driftcheck.values import DIGEST_PREFIX, Address, Entry, Fingerprinter, ParsedSource


class LoadedSource(NamedTuple):
    display_path: str
    format: str
    parsed: ParsedSource
    #: The part of the file read (a compose service, a workload's container), for files
    #: that feed several services.
    selection: str | None = None
    #: Every file read for this source (a manifest's overrides, env files...).
    files: tuple[str, ...] = ()


@dataclass(slots=True)
class Layer:
    """What one service sees in one environment: its sources layered, later ones winning."""

    service: str
    environment: str
    sources: list[LoadedSource] = field(default_factory=list)
    #: The value the process would see, per key.
    values: dict[str, Entry] = field(default_factory=dict)

    def get(self, key: str) -> Entry | None:
        return self.values.get(key)

    def is_set(self, key: str) -> bool:
        """Set with a value or a reference to one (an empty string counts; a bare ``KEY``
        line does not)."""
        entry = self.values.get(key)
        return entry is not None and entry.present

    def addresses(self) -> Iterator[Address]:
        """Every way other programs reach this service, as its sources describe."""
        for source in self.sources:
            yield from source.parsed.addresses


_SECRET = attrgetter("secret")


@dataclass(slots=True)
class Project:
    config: ProjectConfig
    schemas: dict[str, ServiceSchema]
    layers: dict[tuple[str, str], Layer]
    discovery: dict[str, list[DiscoveryRecord]]
    fingerprinter: Fingerprinter
    platform: PlatformKeys
    #: Per service, the keys that belong to a secret shared setting.
    shared_secret_keys: dict[str, set[str]] = field(default_factory=dict)
    #: Per service, the keys whose values come from a secret store (a Kubernetes Secret)
    #: in some environment: masked everywhere, but not held to the secret rules.
    stored_secret_keys: dict[str, set[str]] = field(default_factory=dict)
    services: tuple[str, ...] = field(init=False)
    environments: tuple[str, ...] = field(init=False)
    # What rules ask for again and again, worked out once (a large project has hundreds
    # of thousands of values, and two dozen rules look at them).
    _development: dict[str, bool] = field(init=False, repr=False)
    _declared_secrets: dict[str, frozenset[str]] = field(
        default_factory=dict, init=False, repr=False
    )
    _required: dict[tuple[str, str], list[KeySpec]] = field(
        default_factory=dict, init=False, repr=False
    )
    #: What rules work out once and share, by name (driftcheck.rules._walk, _common).
    rule_cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False)
    _indexes: dict[str, NearMissIndex] = field(default_factory=dict, init=False, repr=False)
    _unread: dict[tuple[str, str], dict[str, list[str]]] = field(
        default_factory=dict, init=False, repr=False
    )

    def __post_init__(self) -> None:
        self.services = tuple(service.name for service in self.config.services)
        self.environments = self.config.environment_names
        self._development = {env.name: env.development for env in self.config.environments}

    def layer(self, service: str, environment: str) -> Layer:
        return self.layers[(service, environment)]

    def layers_of(self, service: str) -> list[Layer]:
        return [self.layers[(service, env)] for env in self.environments]

    def all_layers(self) -> Iterator[Layer]:
        return iter(self.layers.values())

    def spec(self, service: str, key: str) -> KeySpec | None:
        return self.schemas[service].spec_for(key)

    def required_specs(self, layer: Layer) -> list[KeySpec]:
        """The specs of the keys ``layer``'s service requires in its environment."""
        cache_key = (layer.service, layer.environment)
        required = self._required.get(cache_key)
        if required is None:
            specs = self.schemas[layer.service].keys.values()
            required = [spec for spec in specs if spec.required_in(layer.environment)]
            self._required[cache_key] = required
        return required

    def listen_port_key(self, service: str) -> str | None:
        configured = self.config.service(service).listen_port_key
        return configured or self.schemas[service].listen_port_key

    def digest(self, entry: Entry) -> str:
        """The keyed digest of an entry's value, also for a snapshot's stored digest, so
        that live values and snapshots compare. Equal digests mean equal values."""
        assert entry.value is not None
        if entry.fingerprinted:
            return entry.value[len(DIGEST_PREFIX) :]
        return self.fingerprinter.digest(entry.value)

    def is_development(self, environment: str) -> bool:
        return self._development[environment]

    def near_miss_index(self, service: str) -> NearMissIndex:
        index = self._indexes.get(service)
        if index is None:
            schema = self.schemas[service]
            index = NearMissIndex([*schema.keys, *schema.aliases])
            self._indexes[service] = index
        return index

    def unread_keys(self, layer: Layer) -> dict[str, list[str]]:
        """Keys set in a layer that its service does not read, with their near misses.

        Platform keys and keys of the live process environment are left out: they are
        there for other programs.
        """
        cache_key = (layer.service, layer.environment)
        unread = self._unread.get(cache_key)
        if unread is None:
            schema = self.schemas[layer.service]
            index = self.near_miss_index(layer.service)
            values = layer.values
            # Set difference first: most keys of a layer are read, and most layers read
            # every key they set.
            candidates = values.keys() - schema.keys.keys() - schema.aliases.keys()
            unread = {}
            if candidates:
                unread = {
                    key: index.candidates(key)
                    for key, entry in values.items()
                    if key in candidates and not entry.ambient and key not in self.platform
                }
            self._unread[cache_key] = unread
        return unread

    def near_misses_set(self, layer: Layer, key: str) -> list[str]:
        """Keys set in ``layer`` that look like a misspelling of ``key``."""
        return [name for name, near in self.unread_keys(layer).items() if key in near]

    def is_secret(self, service: str, key: str) -> bool:
        """Whether a key's value must only be shown as a fingerprint.

        A deprecated name is as secret as the key it stands for.
        """
        if key in self.stored_secret_keys.get(service, ()):
            return True
        spec = self.spec(service, key)
        if spec is None:
            return key in self.shared_secret_keys.get(service, ()) or looks_secret(key)
        return (
            spec.masked
            or spec.name in self.shared_secret_keys.get(service, ())
            or spec.name in self.stored_secret_keys.get(service, ())
        )

    def declared_secret_names(self, service: str) -> frozenset[str]:
        """Every name of every key of ``service`` declared a secret, deprecated ones too."""
        names = self._declared_secrets.get(service)
        if names is None:
            schema = self.schemas[service]
            shared = self.shared_secret_keys.get(service, set())
            # In C: a large project has a hundred thousand keys.
            declared = set(compress(schema.keys, map(_SECRET, schema.keys.values()))) | shared
            declared |= {old for old, name in schema.aliases.items() if name in declared}
            names = self._declared_secrets[service] = frozenset(declared)
        return names


class _SourceReader:
    """Reads each file once per interpolation context, and collects every error."""

    def __init__(self, root: Path, fingerprinter: Fingerprinter) -> None:
        self.root = root
        self.fingerprinter = fingerprinter
        self.errors: list[DriftcheckError] = []
        self._cache: dict[tuple[str, str], ParsedSource] = {}
        self._manifests: dict[tuple[str, ...], object] = {}

    def read(
        self, spec: SourceSpec, service: str, environment: str, base: Mapping[str, str | None]
    ) -> LoadedSource | None:
        if spec.format == "process":
            from driftcheck.sources.process import read_process_environment

            return LoadedSource("<process environment>", "process", read_process_environment())
        assert spec.path is not None
        if spec.format in MANIFEST_FORMATS:
            return self._read_manifest(spec, service, environment)
        path = self.root / fill_template(spec.path, service, environment)
        display = display_path(path)
        if spec.optional and not path.exists():
            return None
        cache_key = (display, spec.format)
        cacheable = not base
        if cacheable and cache_key in self._cache:
            return LoadedSource(display, spec.format, self._cache[cache_key])
        try:
            parsed = self._parse(spec.format, path, display, base)
        except DriftcheckError as error:
            if not any(str(known) == str(error) for known in self.errors):
                self.errors.append(error)
            return None
        if cacheable:
            self._cache[cache_key] = parsed
        return LoadedSource(display, spec.format, parsed)

    def _read_manifest(
        self, spec: SourceSpec, service: str, environment: str
    ) -> LoadedSource | None:
        """A compose service or a workload's container, from files read once for all."""

        def fill(template: str) -> Path:
            return self.root / fill_template(template, service, environment)

        paths = [fill(template) for template in spec.paths]
        if spec.optional and not all(path.exists() for path in paths):
            return None
        displays = tuple(display_path(path) for path in paths)
        project_env = None
        if spec.project_env is not None:
            env_path = fill(spec.project_env)
            project_env = (env_path, display_path(env_path))
        cache_key = (spec.format, *displays, "" if project_env is None else project_env[1])
        selected = spec.select or service
        try:
            loaded = self._manifests.get(cache_key)
            if isinstance(loaded, DriftcheckError):
                return None  # reported once already
            if spec.format == "compose":
                from driftcheck.sources.compose import (
                    ComposeProject,
                    compose_service_source,
                    load_compose_project,
                )

                if loaded is None:
                    loaded = load_compose_project(paths, displays, project_env)
                    self._manifests[cache_key] = loaded
                assert isinstance(loaded, ComposeProject)
                parsed = compose_service_source(loaded, selected)
            else:
                from driftcheck.sources.kubernetes import (
                    Manifests,
                    load_manifests,
                    workload_source,
                )

                if loaded is None:
                    loaded = load_manifests(paths, displays)
                    self._manifests[cache_key] = loaded
                assert isinstance(loaded, Manifests)
                parsed = workload_source(
                    loaded, selected, spec.container, cloud_run=spec.format == "cloudrun"
                )
        except DriftcheckError as error:
            if cache_key not in self._manifests:
                self._manifests[cache_key] = error
            if not any(str(known) == str(error) for known in self.errors):
                self.errors.append(error)
            return None
        selection = selected if spec.container is None else f"{selected}/{spec.container}"
        return LoadedSource(displays[0], spec.format, parsed, selection, loaded.files)

    def _parse(
        self, source_format: str, path: Path, display: str, base: Mapping[str, str | None]
    ) -> ParsedSource:
        if source_format == "dotenv":
            from driftcheck.sources.dotenv import read_dotenv

            return read_dotenv(path, display, environ=base)
        if source_format == "json":
            from driftcheck.sources.jsonfile import check_snapshot_key, read_json_source

            parsed, snapshot = read_json_source(path, display)
            if snapshot is not None:
                # Digests made with another key never match: refuse rather than report
                # every secret as drifted.
                check_snapshot_key(snapshot, self.fingerprinter)
            return parsed
        from driftcheck.sources.envdump import read_env_dump

        return read_env_dump(path, display)


def _load_schemas(
    config: ProjectConfig, errors: list[DriftcheckError], services: Collection[str] | None = None
) -> dict[str, ServiceSchema]:
    schemas: dict[str, ServiceSchema] = {}
    for service in config.services:
        if services is not None and service.name not in services:
            continue
        path = config.root / service.schema
        try:
            schemas[service.name] = load_schema(path, display_path(path), config.environment_names)
        except DriftcheckError as error:
            errors.append(error)
    return schemas


def check_references(
    config: ProjectConfig, schemas: dict[str, ServiceSchema]
) -> list[DriftcheckError]:
    """Names in the config and schemas that must point at something that exists."""
    errors = []
    targets = set(config.services and (s.name for s in config.services)) | {
        endpoint.name for endpoint in config.endpoints
    }
    for shared in config.shared:
        for member in shared.members:
            schema = schemas.get(member.service)
            if schema is not None and member.key not in schema.keys:
                errors.append(
                    DriftcheckError(
                        f"shared setting '{shared.name}' names key '{member.key}' of service "
                        f"'{member.service}', which {schema.display_path} does not declare",
                        config.display_path,
                        shared.line,
                    )
                )
    for service in config.services:
        schema = schemas.get(service.name)
        if schema is None:
            continue
        listen = service.listen_port_key
        if listen is not None and listen not in schema.keys:
            errors.append(
                DriftcheckError(
                    f"service '{service.name}' listens on '{listen}', which "
                    f"{schema.display_path} does not declare",
                    config.display_path,
                    service.line,
                )
            )
        for spec in schema.keys.values():
            if spec.targets is not None and spec.targets not in targets:
                errors.append(
                    DriftcheckError(
                        f"key '{spec.name}' targets '{spec.targets}', which is neither a service "
                        "nor an endpoint of the project",
                        schema.display_path,
                        schema.line_of(spec.name),
                    )
                )
    return errors


_ENTRY_KEY = attrgetter("key")
_ENTRY_VALUE = attrgetter("value")
_FROM_SECRET_STORE = attrgetter("from_secret_store")


def _read_layers(
    config: ProjectConfig, reader: _SourceReader, services: Collection[str] | None = None
) -> tuple[dict[tuple[str, str], Layer], dict[str, set[str]]]:
    """Every (service, environment) with its sources layered, later ones winning; and per
    service, the keys whose values come from a secret store. ``services`` narrows the
    services read (the others are left out)."""
    layers: dict[tuple[str, str], Layer] = {}
    stored_secret_keys: dict[str, set[str]] = {}
    for service in config.services:
        if services is not None and service.name not in services:
            continue
        for environment in config.environment_names:
            layer = Layer(service.name, environment)
            values = layer.values
            for spec in service.sources.get(environment, ()):
                # A later file interpolates ${NAME} with the values read so far.
                seen = {key: entry.value for key, entry in values.items()}
                loaded = reader.read(spec, service.name, environment, seen)
                if loaded is None:
                    continue
                layer.sources.append(loaded)
                entries = loaded.parsed.entries
                if None not in map(_ENTRY_VALUE, entries) and not any(
                    map(_FROM_SECRET_STORE, entries)
                ):
                    # Nearly every source: each value simply wins, and C does it.
                    values.update(zip(map(_ENTRY_KEY, entries), entries, strict=True))
                    continue
                # Unpacked, not read by field name: this loop runs once per value.
                for entry in entries:
                    key, value, _, _, _, reference, from_secret_store = entry
                    if value is None and reference is None:
                        # load_dotenv sets nothing for a bare KEY line.
                        earlier = values.get(key)
                        if earlier is not None and earlier.present:
                            continue
                    values[key] = entry
                    if from_secret_store:
                        stored_secret_keys.setdefault(service.name, set()).add(key)
            layers[(service.name, environment)] = layer
    return layers, stored_secret_keys


def load_layers(
    config: ProjectConfig, fingerprinter: Fingerprinter
) -> tuple[dict[tuple[str, str], Layer], dict[str, set[str]]]:
    """The sources of a config read as ``check`` reads them, without schemas (what
    ``driftcheck init`` infers the schemas from). Every unreadable source is raised at
    once, as :class:`DriftcheckErrors`."""
    reader = _SourceReader(config.root, fingerprinter)
    loaded = _read_layers(config, reader)
    if reader.errors:
        raise DriftcheckErrors(reader.errors)
    return loaded


def load_project(start: Path, fingerprinter: Fingerprinter | None = None) -> Project:
    """Find the config from ``start`` upward and load everything it names.

    Every input problem found is raised at once (as :class:`DriftcheckErrors`), so a user
    fixes them in one round.
    """
    config = load_config(find_config(start))
    fingerprinter = fingerprinter or Fingerprinter.from_environment(dict(os.environ))
    return assemble_project(config, load_services(config, fingerprinter), fingerprinter)


class LoadedServices(NamedTuple):
    """The schemas and layers of some services of a project, read and checked."""

    schemas: dict[str, ServiceSchema]
    layers: dict[tuple[str, str], Layer]
    #: Per service, the keys whose values come from a secret store.
    stored_secret_keys: dict[str, set[str]]
    discovery: dict[str, list[DiscoveryRecord]]


def load_services(
    config: ProjectConfig, fingerprinter: Fingerprinter, services: Collection[str] | None = None
) -> LoadedServices:
    """Read the schemas and sources of ``services`` (every service when None), and the
    discovery records. Every input problem found is raised at once, schemas' before
    sources' (a source may not be worth reading against a broken schema)."""
    errors: list[DriftcheckError] = []
    schemas = _load_schemas(config, errors, services)
    errors.extend(check_references(config, schemas))
    if errors:
        raise DriftcheckErrors(errors)

    reader = _SourceReader(config.root, fingerprinter)
    layers, stored_secret_keys = _read_layers(config, reader, services)

    discovery: dict[str, list[DiscoveryRecord]] = {env: [] for env in config.environment_names}
    if config.discovery:
        from driftcheck.sources.discovery import read_discovery_records

        read: dict[str, list[DiscoveryRecord]] = {}
        for spec in config.discovery:
            assert spec.path is not None
            for environment in config.environment_names:
                # A file without {env} in its name holds records for every environment.
                path = config.root / spec.path.replace("{env}", environment)
                display = display_path(path)
                if display not in read:
                    try:
                        read[display] = read_discovery_records(path, display)
                    except DriftcheckError as error:
                        reader.errors.append(error)
                        read[display] = []
                discovery[environment].extend(read[display])
    if reader.errors:
        raise DriftcheckErrors(reader.errors)
    return LoadedServices(schemas, layers, stored_secret_keys, discovery)


def assemble_project(
    config: ProjectConfig, loaded: LoadedServices, fingerprinter: Fingerprinter
) -> Project:
    """The project of ``config`` over what :func:`load_services` read."""
    schemas = loaded.schemas
    shared_secret_keys: dict[str, set[str]] = {}
    for shared in config.shared:
        secret = shared.secret
        if secret is None:
            secret = any(schemas[m.service].keys[m.key].secret for m in shared.members)
        if secret:
            for member in shared.members:
                shared_secret_keys.setdefault(member.service, set()).add(member.key)

    return Project(
        config=config,
        schemas=schemas,
        layers=loaded.layers,
        discovery=loaded.discovery,
        fingerprinter=fingerprinter,
        platform=PlatformKeys(config.platform_presets, config.platform_keys),
        shared_secret_keys=shared_secret_keys,
        stored_secret_keys=loaded.stored_secret_keys,
    )
