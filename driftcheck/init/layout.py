"""From what the scan found to the sources of every (service, environment).

Environments are the names the files spell, with spellings of one environment merged
(``.env.prod`` and ``.env.production`` are one environment, named as most files name
it), in promotion order (dev, test, staging, prod). A service's sources for one
environment are layered as a process would see them, later ones winning: its compose
service, its Kubernetes workload or Cloud Run service, its ``.env`` files for every
environment, then its ``.env`` files for that environment.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from driftcheck.config import DEVELOPMENT_NAMES, SourceSpec, display_path
from driftcheck.errors import DriftcheckError
from driftcheck.init.scan import (
    ComposeSet,
    DiscoveryFile,
    EnvFile,
    Inventory,
    environment_rank,
    synonym_group,
)

FALLBACK_ENVIRONMENT = "dev"


@dataclass(frozen=True, slots=True)
class PlannedSource:
    """One source as the config will name it: concrete paths (what this environment
    reads) and the same paths with ``{env}`` where they name the environment."""

    format: str
    paths: tuple[str, ...]
    templates: tuple[str | None, ...]
    select: str | None = None
    container: str | None = None
    project_env: str | None = None
    project_env_template: str | None = None

    def spec(self) -> SourceSpec:
        return SourceSpec(
            self.format,
            self.paths[0],
            more_paths=self.paths[1:],
            select=self.select,
            container=self.container,
            project_env=self.project_env,
        )


@dataclass(slots=True)
class ServicePlan:
    name: str
    #: Per environment it has sources in, in order.
    sources: dict[str, list[PlannedSource]] = field(default_factory=dict)
    #: The example files (``.env.example``...) whose keys it was given.
    examples: list[str] = field(default_factory=list)
    #: Keys its ``.env.example`` (and the like) list.
    example_keys: list[str] = field(default_factory=list)
    #: Reached by its own name on a compose network.
    compose_service: bool = False

    def files(self) -> list[str]:
        """What it reads, for people: each path with ``{env}`` where it names the
        environment, then its example files."""
        shown: dict[str, None] = {}
        for sources in self.sources.values():
            for source in sources:
                for path, template in zip(source.paths, source.templates, strict=True):
                    shown[template or path] = None
                if source.project_env is not None:
                    shown[source.project_env_template or source.project_env] = None
        return [*shown, *self.examples]


@dataclass(slots=True)
class Plan:
    root: Path
    environments: tuple[str, ...]
    #: How the environments were found, for people.
    environments_from: str
    services: dict[str, ServicePlan]
    discovery: str | None
    #: Compose services running infrastructure: name -> endpoint kind.
    infrastructure: dict[str, str]
    notes: list[str]

    def is_development(self, environment: str) -> bool:
        return environment.lower() in DEVELOPMENT_NAMES


def _canonical_names(spellings: Counter[str]) -> dict[str, str]:
    """Each spelling -> the spelling of its environment that most files use."""
    groups: dict[frozenset[str], list[str]] = {}
    for spelling in spellings:
        groups.setdefault(synonym_group(spelling), []).append(spelling)
    canonical = {}
    for members in groups.values():
        chosen = min(members, key=lambda name: (-spellings[name], len(name), name))
        for member in members:
            canonical[member] = chosen
    return canonical


def _choose_environments(
    found: list[str], requested: tuple[str, ...]
) -> tuple[tuple[str, ...], dict[str, str]]:
    """The environments, and the map from the found ones to them."""
    if not requested:
        return tuple(sorted(set(found), key=environment_rank)), {name: name for name in found}
    twice = next((name for name in requested if requested.count(name) > 1), None)
    if twice is not None:
        raise DriftcheckError(f"--env: '{twice}' is given twice")
    if not found:
        return requested, {}
    chosen: dict[str, str] = {}
    for name in requested:
        matches = [f for f in found if f == name] or [
            f for f in found if synonym_group(f) == synonym_group(name)
        ]
        if not matches:
            raise DriftcheckError(
                f"--env: no files for environment '{name}' (found: {', '.join(found)})"
            )
        if matches[0] in chosen:
            raise DriftcheckError(
                f"--env: '{chosen[matches[0]]}' and '{name}' name one environment"
            )
        chosen[matches[0]] = name
    return requested, chosen


def _compose_source(
    compose: ComposeSet, overlay: tuple[str, str] | None, project_env: tuple[str, str] | None
) -> PlannedSource | None:
    """The compose files one environment reads: the base, then its overlay (``overlay``:
    the path and the word in it naming the environment) or else the override; and the
    file it interpolates from."""
    paths = list(compose.base)
    templates: list[str | None] = list(compose.base)
    if overlay is not None:
        paths.append(overlay[0])
        templates.append(_env_template(*overlay))
    elif compose.override is not None:
        paths.append(compose.override)
        templates.append(compose.override)
    if not paths:
        return None
    return PlannedSource(
        "compose",
        tuple(paths),
        tuple(templates),
        project_env=None if project_env is None else project_env[0],
        project_env_template=None if project_env is None else _env_template(*project_env),
    )


def _env_template(path: str, environment: str | None) -> str | None:
    from driftcheck.init.scan import env_template

    return None if environment is None else env_template(path, environment)


def _discovery(
    root: Path, files: list[DiscoveryFile], environments: tuple[str, ...], notes: list[str]
) -> str | None:
    from driftcheck.sources.discovery import read_discovery_records

    if not files:
        return None
    shared = [f for f in files if f.environment is None]
    templates = {f.template for f in files if f.environment is not None}
    if shared:
        chosen = shared[0].template
        wanted = [root / chosen]
    elif len(templates) == 1:
        chosen = templates.pop()
        wanted = [root / chosen.replace("{env}", env) for env in environments]
        missing = [env for env, path in zip(environments, wanted, strict=True) if not path.exists()]
        if missing:
            notes.append(
                f"{chosen}: no discovery file for {', '.join(missing)}; not used "
                "(add [discovery] by hand)"
            )
            return None
    else:
        notes.append(
            f"discovery files {', '.join(f.path for f in files)} follow no one pattern; not used"
        )
        return None
    for path in wanted:
        try:
            read_discovery_records(path, display_path(path))
        except DriftcheckError as error:
            notes.append(f"not used as discovery records: {error}")
            return None
    return chosen


def plan(
    inventory: Inventory,
    environments: tuple[str, ...] = (),
    services: tuple[str, ...] = (),
) -> Plan:
    """The services and environments of the repository and each one's sources.

    ``environments`` and ``services`` narrow (and order) what is planned; a name the
    repository has no files for is an error.
    """
    notes = list(inventory.notes)
    spellings: Counter[str] = Counter()
    for env_file in inventory.env_files:
        if env_file.environment is not None:
            spellings[env_file.environment] += 1
    for compose in inventory.compose:
        spellings.update(list(compose.overlays))
        spellings.update(list(compose.project_envs))
    for workload in inventory.workloads:
        if workload.environment is not None:
            spellings[workload.environment] += 1
    canonical = _canonical_names(spellings)
    found = sorted(set(canonical.values()), key=environment_rank)
    chosen, renamed = _choose_environments(found, environments)
    if not chosen:
        chosen = (FALLBACK_ENVIRONMENT,)
        how = "no file names an environment, so there is one"
    elif environments:
        how = "from --env"
    else:
        how = "from the names of the files"

    def environment_of(raw: str | None) -> str | None:
        """The planned environment a file belongs to; "" for one left out."""
        if raw is None:
            return None
        return renamed.get(canonical.get(raw, raw), "")

    planned: dict[str, ServicePlan] = {}

    def service(name: str) -> ServicePlan:
        return planned.setdefault(name, ServicePlan(name))

    def add(name: str, environment: str | None, source: PlannedSource) -> None:
        targets = chosen if environment is None else (environment,)
        for env in targets:
            sources = service(name).sources.setdefault(env, [])
            if source not in sources:
                sources.append(source)

    for compose in inventory.compose:
        overlays = {environment_of(raw): (path, raw) for raw, path in compose.overlays.items()}
        env_files = {environment_of(raw): (path, raw) for raw, path in compose.project_envs.items()}
        for env in chosen:
            source = _compose_source(compose, overlays.get(env), env_files.get(env))
            if source is None or (not compose.base and env not in overlays):
                continue
            for name in compose.services:
                # A service an overlay adds exists only where that overlay is read.
                if compose.defined_in[name] & set(source.paths):
                    add(name, env, source)
                    service(name).compose_service = True

    for workload in inventory.workloads:
        environment = environment_of(workload.environment)
        if environment == "":
            continue
        paths = (workload.path, *workload.data_files)
        templates = (
            workload.template,
            *(_env_template(p, workload.environment) for p in workload.data_files),
        )
        source = PlannedSource(
            "cloudrun" if workload.cloud_run else "kubernetes",
            paths,
            templates,
            select=workload.select,
            container=workload.container,
        )
        add(workload.name, environment, source)

    def service_name(env_file: EnvFile) -> str:
        return env_file.service or inventory.root_service

    for env_file in sorted(inventory.env_files, key=lambda f: (f.environment is not None, f.path)):
        environment = environment_of(env_file.environment)
        if environment == "":
            continue
        name = service_name(env_file)
        template = env_file.template if env_file.environment is not None else env_file.path
        source = PlannedSource("dotenv", (env_file.path,), (template,))
        add(name, environment, source)

    from driftcheck.sources.dotenv import read_dotenv

    for example in inventory.examples:
        name = service_name(example)
        if name not in planned:
            notes.append(f"{example.path}: names no service that has sources; not used")
            continue
        shown = display_path(inventory.root / example.path)
        keys = [entry.key for entry in read_dotenv(inventory.root / example.path, shown).entries]
        planned[name].example_keys.extend(k for k in keys if k not in planned[name].example_keys)
        planned[name].examples.append(f"{example.path} (its keys)")

    if services:
        unknown = [name for name in services if name not in planned]
        if unknown:
            raise DriftcheckError(
                f"--service: no files for service '{unknown[0]}' "
                f"(found: {', '.join(sorted(planned)) or 'none'})"
            )
        planned = {name: planned[name] for name in services}
    else:
        planned = dict(sorted(planned.items()))

    for service_plan in planned.values():
        service_plan.sources = {
            env: service_plan.sources[env] for env in chosen if env in service_plan.sources
        }
    infrastructure = {
        name: kind for compose in inventory.compose for name, kind in compose.infrastructure.items()
    }
    for name, kind in sorted(infrastructure.items()):
        notes.append(f"compose service {name} runs {kind}: infrastructure, not a service")
    return Plan(
        root=inventory.root,
        environments=chosen,
        environments_from=how,
        services=planned,
        discovery=_discovery(inventory.root, inventory.discovery, chosen, notes),
        infrastructure=infrastructure,
        notes=notes,
    )
