"""What ``driftcheck init`` finds in a repository, and what its layout says.

One walk over the tree, in name order. Not entered: version-control and cache
directories, ``node_modules``, virtual environments (any directory holding a
``pyvenv.cfg``), build output, and kustomize and Helm sources (they are not manifests
until rendered: a note says how). Directory symlinks are not followed, so a symlink loop
cannot trap the walk; a file symlink is read like the file it points to.

What the names mean:

* ``.env`` files: ``.env`` (every environment), ``.env.<env>``, ``<env>.env``,
  ``<service>.env``, ``<service>.<env>.env`` and ``.env.<service>.<env>``. The service is
  the nearest directory that is neither an environment nor a folder of folders
  (``services/``, ``apps/``, ``config/``, ``env/``...), else the repository's own
  service. An environment is any ``.env.<name>`` suffix, or a known environment word
  (``dev``, ``staging``, ``prod``...) as a file stem or directory. ``.env.example``,
  ``.env.sample``, ``.env.template`` (and ``.dist``, ``.defaults``) are no environment:
  they are hints for the schema. ``.env.<env>.local`` overrides are personal and left out.
* docker compose files by the names compose looks for; ``compose.<env>.yaml`` overlays an
  environment, ``compose.override.yaml`` applies where no environment overlay does (as a
  plain ``docker compose up``). A ``.env`` beside a compose file, the ``env_file`` of its
  services and an environment's ``.env`` file whose variables the compose files
  interpolate (``--env-file``) are read through compose, not as sources of their own.
  Services running a well-known image (postgres, redis...) are infrastructure, not
  services.
* Kubernetes and Cloud Run manifests: ``.yaml`` / ``.yml`` files with ``apiVersion`` and
  ``kind``. Each workload is a service; the environment comes from the file's path, else
  from its namespace (``shop-prod``).
* service-discovery records: ``.json`` files in a ``discovery``, ``consul`` or
  ``registry`` directory (or with ``discovery`` in their name).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from driftcheck.config import display_path, source_format_of
from driftcheck.errors import DriftcheckError

#: Words that name an environment wherever they appear in a path or a namespace.
ENVIRONMENT_WORDS = frozenset(
    {
        "local",
        "dev",
        "develop",
        "development",
        "test",
        "testing",
        "ci",
        "qa",
        "uat",
        "sandbox",
        "preview",
        "stage",
        "staging",
        "stg",
        "preprod",
        "pre-prod",
        "prod",
        "production",
        "prd",
    }
)
#: Spellings of one environment, merged into one (the spelling most files use).
SYNONYMS = (
    frozenset({"dev", "develop", "development"}),
    frozenset({"test", "testing"}),
    frozenset({"stage", "staging", "stg"}),
    frozenset({"preprod", "pre-prod"}),
    frozenset({"prod", "production", "prd"}),
)
#: Environments in the order they are usually promoted through; others before prod.
_PROMOTION_ORDER = ("local", "dev", "test", "ci", "qa", "uat", "sandbox", "preview", "staging")
_PROMOTION_RANK = {
    **{name: rank for rank, name in enumerate(_PROMOTION_ORDER)},
    "develop": 1,
    "development": 1,
    "testing": 2,
    "stage": 8,
    "stg": 8,
    "preprod": 9,
    "pre-prod": 9,
    "prod": 11,
    "production": 11,
    "prd": 11,
}
_UNKNOWN_RANK = 10
EXAMPLE_WORDS = frozenset({"example", "examples", "sample", "template", "tpl", "dist", "defaults"})
#: ``.env.<x>`` names that are no environment: other file types, backups, encrypted stores.
_NOT_ENVIRONMENTS = frozenset(
    {
        "json",
        "yaml",
        "yml",
        "toml",
        "js",
        "mjs",
        "cjs",
        "ts",
        "py",
        "sh",
        "md",
        "txt",
        "bak",
        "old",
        "orig",
        "swp",
        "tmp",
        "gpg",
        "enc",
        "age",
        "sops",
        "vault",
        "keys",
        "lock",
        "d",
    }
)
#: Directories that hold services or configuration, and are no service themselves.
CONTAINER_DIRECTORIES = frozenset(
    {
        "services",
        "service",
        "apps",
        "packages",
        "projects",
        "components",
        "config",
        "configs",
        "conf",
        "configuration",
        "settings",
        "env",
        "envs",
        "environment",
        "environments",
        "dotenv",
        "dotenvs",
        "vars",
        "variables",
        "secrets",
        "deploy",
        "deployment",
        "deployments",
        "infra",
        "infrastructure",
        "ops",
        "docker",
        "compose",
        "k8s",
        "kubernetes",
        "manifests",
        "src",
    }
)
IGNORED_DIRECTORIES = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".jj",
        "node_modules",
        "bower_components",
        "__pycache__",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
        ".eggs",
        "site-packages",
        "build",
        "dist",
        "target",
        "out",
        ".next",
        ".nuxt",
        ".svelte-kit",
        ".terraform",
        ".serverless",
        ".aws-sam",
        ".gradle",
        ".cache",
        "coverage",
        "htmlcov",
        "vendor",
        ".idea",
    }
)
_KUSTOMIZATION = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_DISCOVERY_DIRECTORIES = ("discovery", "consul", "registry")
#: Images of infrastructure, by the last part of their name, and the endpoint each is.
INFRASTRUCTURE_IMAGES = {
    "postgres": "postgres",
    "postgis": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
    "redis": "redis",
    "valkey": "redis",
    "redis-stack": "redis",
    "mongo": "mongodb",
    "mongodb": "mongodb",
    "rabbitmq": "rabbitmq",
    "memcached": "memcached",
    "clickhouse-server": "clickhouse",
    "clickhouse": "clickhouse",
    "nats": "nats",
    "kafka": "kafka",
    "cp-kafka": "kafka",
    "zookeeper": "zookeeper",
    "elasticsearch": "elasticsearch",
    "opensearch": "opensearch",
    "minio": "minio",
    "localstack": "localstack",
    "mailhog": "mailhog",
    "mailpit": "mailpit",
}
_NAME_CHARACTERS = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_WORD_SEPARATORS = re.compile(r"[._-]")
_LOOKS_LIKE_MANIFEST = re.compile(r"^kind:\s*\S", re.MULTILINE)
_HAS_API_VERSION = re.compile(r"^apiVersion:\s*\S", re.MULTILINE)
_DATA_KINDS = re.compile(r"^kind:\s*(?:ConfigMap|Secret)\s*$", re.MULTILINE)
_INTERPOLATED = re.compile(r"\$\$|\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def environment_rank(name: str) -> tuple[int, str]:
    """Sorts environments in promotion order: dev before staging before prod."""
    return (_PROMOTION_RANK.get(name.lower(), _UNKNOWN_RANK), name)


def synonym_group(name: str) -> frozenset[str]:
    lowered = name.lower()
    for group in SYNONYMS:
        if lowered in group:
            return group
    return frozenset({lowered})


@dataclass(frozen=True, slots=True)
class EnvFile:
    """A ``.env`` file, and what its path says.

    ``template`` is the path with ``{env}`` where the environment is named (the path
    itself for a file of every environment).
    """

    path: str
    #: None: the repository's own service.
    service: str | None
    environment: str | None
    template: str


@dataclass(slots=True)
class ComposeSet:
    """The compose files of one directory, and what they run."""

    directory: str
    #: The base files, merged in order (``compose.yaml``...).
    base: tuple[str, ...]
    override: str | None
    #: Per environment (as spelt in the file name): its overlay.
    overlays: dict[str, str] = field(default_factory=dict)
    #: Per environment: the ``.env`` file its variables are interpolated from.
    project_envs: dict[str, str] = field(default_factory=dict)
    #: Compose services that are driftcheck services, in file order.
    services: list[str] = field(default_factory=list)
    #: Compose services running infrastructure: name -> endpoint kind.
    infrastructure: dict[str, str] = field(default_factory=dict)
    #: Every ``.env`` file read through compose.
    env_files: set[str] = field(default_factory=set)
    #: Per compose service, the compose files that define it.
    defined_in: dict[str, set[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ManifestWorkload:
    """A Kubernetes workload or Cloud Run service in one manifest file."""

    path: str
    #: The path with ``{env}`` where it names the environment; None when it does not.
    template: str | None
    name: str
    environment: str | None
    cloud_run: bool
    #: ``Kind/name`` where the name alone is ambiguous in its file.
    select: str | None
    #: The container to read, where there are several.
    container: str | None
    #: Files beside it that hold only ConfigMaps and Secrets of the same environment.
    data_files: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DiscoveryFile:
    path: str
    environment: str | None
    template: str


@dataclass(slots=True)
class Inventory:
    """Everything the walk found, classified."""

    root: Path
    root_service: str
    env_files: list[EnvFile] = field(default_factory=list)
    examples: list[EnvFile] = field(default_factory=list)
    compose: list[ComposeSet] = field(default_factory=list)
    workloads: list[ManifestWorkload] = field(default_factory=list)
    discovery: list[DiscoveryFile] = field(default_factory=list)
    #: What was seen and left out, and why: shown to the user.
    notes: list[str] = field(default_factory=list)

    def file_count(self) -> int:
        files = {f.path for f in self.env_files}
        for compose in self.compose:
            files.update(compose.base)
            files.update(compose.overlays.values())
            files.update(compose.env_files)
            if compose.override:
                files.add(compose.override)
        files.update(w.path for w in self.workloads)
        files.update(d.path for d in self.discovery)
        return len(files)


def _warn(message: str) -> None:
    print(f"driftcheck: warning: {message}", file=sys.stderr)


def walk(root: Path, notes: list[str]) -> Iterator[str]:
    """Every file under ``root`` worth a look, as a relative POSIX path, in name order."""
    stack = [""]
    while stack:
        relative = stack.pop()
        directory = root / relative if relative else root
        try:
            with os.scandir(directory) as scanned:
                entries = sorted(scanned, key=lambda entry: entry.name)
        except OSError as exc:
            shown = display_path(directory)
            _warn(f"{shown}: not scanned: {exc.strerror or type(exc).__name__}")
            continue
        names = {entry.name for entry in entries}
        if "pyvenv.cfg" in names:
            continue  # a virtual environment
        shown = relative or "."
        if any(name in names for name in _KUSTOMIZATION):
            notes.append(
                f"{shown}: a kustomization, not read; render it (kubectl kustomize {shown} "
                "> k8s/ENV.yaml) and run init again"
            )
            continue
        if "Chart.yaml" in names:
            notes.append(
                f"{shown}: a Helm chart, not read; render it (helm template ... > "
                "k8s/ENV.yaml) and run init again"
            )
            continue
        subdirectories = []
        for entry in entries:
            path = f"{relative}/{entry.name}" if relative else entry.name
            if "{" in entry.name or "}" in entry.name:
                notes.append(f"{path}: braces cannot be written in a source path; not read")
                continue
            try:
                is_directory = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_directory = False
            if is_directory:
                if entry.name not in IGNORED_DIRECTORIES and not entry.name.endswith(".egg-info"):
                    subdirectories.append(path)
            else:
                yield path
        stack.extend(reversed(subdirectories))


def _name_root(root: Path) -> str:
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", root.resolve().name).strip("-_").lower()
    return name or "app"


def _dotenv_name(name: str) -> tuple[str, ...] | None:
    """The dot-separated parts that say what a ``.env`` file is, or None for a name that
    is no ``.env`` file: ``()`` for ``.env``, ``("prod",)`` for ``.env.prod`` and for
    ``prod.env``, ``("api", "prod")`` for ``api.prod.env``."""
    if name == ".env":
        return ()
    if name.startswith(".env."):
        parts = tuple(name[len(".env.") :].split("."))
    elif name.endswith(".env") and len(name) > len(".env") and not name.startswith("."):
        parts = tuple(name[: -len(".env")].split("."))
    else:
        return None
    if not all(parts) or parts[-1].lower() in _NOT_ENVIRONMENTS:
        return None
    return parts


def _spelt_environment(name: str) -> str | None:
    """The environment a ``.env.<name>`` file spells out, whatever the word."""
    parts = _dotenv_name(name)
    if not name.startswith(".env.") or parts is None or len(parts) != 1:
        return None
    word = parts[0]
    if word.lower() in EXAMPLE_WORDS or not _NAME_CHARACTERS.fullmatch(word):
        return None
    return word


class _Classifier:
    """Reads services and environments from paths, knowing the environment names that
    ``.env.<name>`` files and compose overlays spell out."""

    def __init__(self, spelt: Iterable[str]) -> None:
        self.spelt = {name.lower() for name in spelt}

    def is_environment(self, word: str) -> bool:
        lowered = word.lower()
        return lowered in ENVIRONMENT_WORDS or lowered in self.spelt

    def environment_in(self, text: str) -> str | None:
        """An environment word among the ``.``/``-``/``_``-separated words of ``text``."""
        found = [word for word in _WORD_SEPARATORS.split(text) if self.is_environment(word)]
        return found[-1] if found else None

    def dotenv(self, path: str) -> tuple[EnvFile, bool] | None:
        """The file's meaning and whether it is an example; None when it is left out."""
        posix = PurePosixPath(path)
        parts = _dotenv_name(posix.name)
        if parts is None:
            return None
        name_start = len(path) - len(posix.name)
        example = any(part.lower() in EXAMPLE_WORDS for part in parts)
        parts = tuple(part for part in parts if part.lower() not in EXAMPLE_WORDS)
        if not example and parts and parts[-1].lower() == "local" and len(parts) > 1:
            return None  # .env.prod.local: one person's override
        service: str | None = None
        environment: str | None = None
        span: tuple[int, int] | None = None
        dotted = posix.name.startswith(".env.")
        # Where each part sits in the path, for the template.
        offsets = []
        cursor = name_start + (len(".env.") if dotted else 0)
        for part in parts if not example else ():
            offsets.append(cursor)
            cursor += len(part) + 1
        if len(parts) == 1:
            if dotted or self.is_environment(parts[0]):
                environment = parts[0]
                if not example:
                    span = (offsets[0], offsets[0] + len(parts[0]))
            else:
                service = parts[0]
        elif len(parts) == 2:
            first, second = parts
            if self.is_environment(second):
                service, environment = first, second
                if not example:
                    span = (offsets[1], offsets[1] + len(second))
            elif self.is_environment(first):
                environment, service = first, second
                if not example:
                    span = (offsets[0], offsets[0] + len(first))
            else:
                return None
        elif len(parts) > 2:
            return None
        if environment is not None and not _NAME_CHARACTERS.fullmatch(environment):
            return None
        directories = list(posix.parent.parts) if str(posix.parent) != "." else []
        position = 0
        located: list[tuple[str, int]] = []
        for directory in directories:
            located.append((directory, position))
            position += len(directory) + 1
        if environment is None:
            for directory, start in reversed(located):
                if self.is_environment(directory):
                    environment = directory
                    if not example:
                        span = (start, start + len(directory))
                    break
        if service is None:
            for directory, _ in reversed(located):
                lowered = directory.lower()
                if self.is_environment(directory) or lowered in CONTAINER_DIRECTORIES:
                    continue
                if directory.startswith("."):
                    continue
                service = directory
                break
        template = path if span is None else path[: span[0]] + "{env}" + path[span[1] :]
        return EnvFile(path, service, environment, template), example


def _interpolated_names(text: str) -> set[str]:
    return {match.group(1) for match in _INTERPOLATED.finditer(text) if match.group(1)}


def _compose_role(name: str) -> tuple[str, str | None]:
    """("base" | "override" | "overlay", and the word naming an overlay)."""
    stem = re.sub(r"\.ya?ml$", "", name)
    stem = stem.removeprefix("docker-").removeprefix("compose")
    if not stem:
        return "base", None
    word = stem[1:]
    if word == "override":
        return "override", None
    return "overlay", word


def _scalar(node: object) -> str | None:
    from driftcheck.sources.yamlfile import YamlNode

    if isinstance(node, YamlNode) and node.is_scalar and not node.is_null:
        return node.scalar_text()
    return None


def _read_compose_services(
    root: Path, path: str, compose: ComposeSet, images: dict[str, str]
) -> None:
    """The services of one compose file: which are infrastructure, which env files they
    read (relative to the project directory)."""
    from driftcheck.sources.textfile import read_text
    from driftcheck.sources.yamlfile import load_yaml_documents

    shown = display_path(root / path)
    documents = load_yaml_documents(read_text(root / path, shown), shown)
    top = documents[0].root if documents else None
    services = top.get("services") if top is not None else None
    if services is None or not services.is_mapping:
        return
    directory = PurePosixPath(compose.directory)
    for name, _, service in services.members:
        if not service.is_mapping:
            continue
        compose.defined_in.setdefault(name, set()).add(path)
        image = _scalar(service.get("image"))
        if image is not None:
            images[name] = image
        env_file = service.get("env_file")
        items = env_file.items if env_file is not None and env_file.is_sequence else [env_file]
        for item in items:
            text = _scalar(item)
            if text is None and item is not None and item.is_mapping:
                text = _scalar(item.get("path"))
            if text is not None and "$" not in text:
                joined = os.path.normpath(str(directory / text))
                compose.env_files.add(PurePosixPath(joined).as_posix())
        if name not in compose.services and name not in compose.infrastructure:
            compose.services.append(name)


def _infrastructure_kind(image: str) -> str | None:
    last = image.rsplit("/", 1)[-1]
    last = last.split("@", 1)[0].split(":", 1)[0]
    return INFRASTRUCTURE_IMAGES.get(last.lower())


def _compose_sets(
    root: Path, paths: list[str], classifier: _Classifier, notes: list[str]
) -> list[ComposeSet]:
    by_directory: dict[str, list[str]] = {}
    for path in paths:
        parent = str(PurePosixPath(path).parent)
        by_directory.setdefault(parent, []).append(path)
    sets = []
    for directory, files in sorted(by_directory.items()):
        base: list[str] = []
        override = None
        overlays: dict[str, str] = {}
        for path in files:
            role, word = _compose_role(PurePosixPath(path).name)
            if role == "base":
                base.append(path)
            elif role == "override":
                override = path
            elif word is not None and classifier.is_environment(word):
                overlays[word] = path
            else:
                notes.append(f"{path}: not an environment's overlay ('{word}'); not read")
        # compose reads compose.yaml before docker-compose.yml, and only one of them.
        base.sort(key=lambda p: (not PurePosixPath(p).name.startswith("compose"), p))
        if not base:
            if not overlays:
                continue
            # Overlays without a base: each is a whole project of its own environment.
            base_files: tuple[str, ...] = ()
        else:
            base_files = (base[0],)
            for extra in base[1:]:
                notes.append(f"{extra}: compose reads {base[0]} instead; not read")
        compose = ComposeSet(directory, base_files, override, overlays)
        images: dict[str, str] = {}
        for path in (*base_files, *([override] if override else []), *overlays.values()):
            _read_compose_services(root, path, compose, images)
        for name, image in images.items():
            kind = _infrastructure_kind(image)
            if kind is not None:
                compose.infrastructure[name] = kind
                if name in compose.services:
                    compose.services.remove(name)
        sets.append(compose)
    return sets


def _assign_project_envs(root: Path, compose: ComposeSet, candidates: list[EnvFile]) -> None:
    """The ``.env`` files compose interpolates from: the one beside the compose files, and
    per environment one whose variables the compose files use (``--env-file``)."""
    from driftcheck.sources.dotenv import read_dotenv
    from driftcheck.sources.textfile import read_text

    used: set[str] = set()
    files = [*compose.base, *compose.overlays.values()]
    if compose.override:
        files.append(compose.override)
    for path in files:
        used |= _interpolated_names(read_text(root / path, display_path(root / path)))
    directory = compose.directory
    beside = ".env" if directory == "." else f"{directory}/.env"
    if (root / beside).exists() or (root / beside).is_symlink():
        compose.env_files.add(beside)
    prefix = "" if directory == "." else directory + "/"
    for env_file in candidates:
        if env_file.environment is None or not env_file.path.startswith(prefix):
            continue
        if env_file.path in compose.env_files:
            continue
        depth = env_file.path[len(prefix) :].count("/")
        if depth > 1:
            continue
        shown = display_path(root / env_file.path)
        keys = {entry.key for entry in read_dotenv(root / env_file.path, shown).entries}
        if keys & used and env_file.environment not in compose.project_envs:
            compose.project_envs[env_file.environment] = env_file.path
            compose.env_files.add(env_file.path)


def _manifest_text(root: Path, path: str) -> str | None:
    try:
        data = (root / path).read_bytes()
    except OSError as exc:
        _warn(f"{display_path(root / path)}: not read: {exc.strerror or type(exc).__name__}")
        return None
    return data.decode("utf-8", "replace")


def env_template(path: str, environment: str) -> str | None:
    """``path`` with ``{env}`` for the one word of it that is ``environment``; None when
    the word is not there exactly once."""
    spans = [
        match.span()
        for match in re.finditer(r"[^/._-]+", path)
        if match.group().lower() == environment.lower()
    ]
    if len(spans) != 1:
        return None
    start, end = spans[0]
    return path[:start] + "{env}" + path[end:]


def _manifest_environment(
    path: str, namespaces: Iterable[str], classifier: _Classifier
) -> str | None:
    """The environment a manifest file is for: named in its file name, in a directory,
    else in the one namespace its workloads share."""
    posix = PurePosixPath(path)
    environment = classifier.environment_in(posix.name.rsplit(".", 1)[0])
    if environment is None:
        for directory in reversed(posix.parent.parts):
            if classifier.is_environment(directory):
                return directory
    if environment is None:
        words = {classifier.environment_in(namespace) for namespace in namespaces}
        if len(words) == 1:
            environment = words.pop()
    return environment


def _workloads(
    root: Path, paths: list[str], classifier: _Classifier, notes: list[str]
) -> list[ManifestWorkload]:
    from driftcheck.sources.kubernetes import Workload, load_manifests

    read: list[tuple[str, str | None, list[Workload]]] = []
    data_files: list[tuple[str, str | None]] = []
    for path in paths:
        text = _manifest_text(root, path)
        if text is None or not _LOOKS_LIKE_MANIFEST.search(text):
            continue
        if not _HAS_API_VERSION.search(text):
            continue
        if "{{" in text:
            notes.append(f"{path}: a template ({{{{ ... }}}}), not read; render it first")
            continue
        manifests = load_manifests([root / path], [display_path(root / path)])
        workloads = [w for w in manifests.workloads if w.containers]
        environment = _manifest_environment(
            path, [w.namespace for w in workloads if w.namespace], classifier
        )
        if workloads:
            read.append((path, environment, workloads))
        elif _DATA_KINDS.search(text):
            data_files.append((path, environment))
    found = []
    for path, environment, workloads in read:
        directory = PurePosixPath(path).parent
        beside = tuple(
            other
            for other, other_environment in data_files
            if PurePosixPath(other).parent == directory and other_environment in (None, environment)
        )
        template = None if environment is None else env_template(path, environment)
        kinds: dict[str, list[str]] = {}
        for workload in workloads:
            kinds.setdefault(workload.name, []).append(workload.kind)
        for workload in workloads:
            same_name = kinds[workload.name]
            if same_name.count(workload.kind) > 1:
                notes.append(
                    f"{path}: {workload.qualified_name} is defined more than once (in "
                    "several namespaces?); split the file per environment to check it"
                )
                continue
            names = [container.name for container in workload.containers]
            container = None
            if len(names) > 1 and names.count(workload.name) != 1:
                busiest = max(workload.containers, key=lambda c: (len(c.entries), c.name))
                container = busiest.name
                notes.append(
                    f"{path}: {workload.qualified_name} has containers {', '.join(names)}; "
                    f"reading {container}, the one with the most variables"
                )
            found.append(
                ManifestWorkload(
                    path,
                    template,
                    workload.name,
                    environment,
                    workload.cloud_run,
                    workload.qualified_name if len(same_name) > 1 else None,
                    container,
                    beside,
                )
            )
    return found


def _discovery_files(paths: list[str], classifier: _Classifier) -> list[DiscoveryFile]:
    found = []
    for path in paths:
        posix = PurePosixPath(path)
        in_directory = any(
            word in part.lower() for part in posix.parent.parts for word in _DISCOVERY_DIRECTORIES
        )
        if not (in_directory or "discovery" in posix.name.lower()):
            continue
        stem = posix.name[: -len(".json")]
        environment = stem if classifier.is_environment(stem) else None
        start = len(path) - len(posix.name)
        template = path if environment is None else path[:start] + "{env}.json"
        found.append(DiscoveryFile(path, environment, template))
    return found


def scan(root: Path) -> Inventory:
    """Walk ``root`` and classify what it holds (see the module's documentation).

    Raises :class:`DriftcheckError` for an input that check would fail on too: a compose
    file or a manifest that does not parse, a ``.env`` file that cannot be read.
    """
    if not root.exists():
        raise DriftcheckError("no such directory", display_path(root))
    if not root.is_dir():
        raise DriftcheckError("expected a directory to scan", display_path(root))
    inventory = Inventory(root, _name_root(root))
    paths = list(walk(root, inventory.notes))

    spelt: set[str] = set()
    compose_paths: list[str] = []
    yaml_paths: list[str] = []
    json_paths: list[str] = []
    for path in paths:
        name = PurePosixPath(path).name
        word = _spelt_environment(name)
        if word is not None:
            spelt.add(word)
        source_format = source_format_of(name)
        if source_format == "compose":
            compose_paths.append(path)
        elif source_format == "kubernetes":
            yaml_paths.append(path)
        elif source_format == "json":
            json_paths.append(path)
    classifier = _Classifier(spelt)

    dotenv: list[EnvFile] = []
    for path in paths:
        classified = classifier.dotenv(path)
        if classified is None:
            continue
        env_file, example = classified
        (inventory.examples if example else dotenv).append(env_file)

    inventory.compose = _compose_sets(root, compose_paths, classifier, inventory.notes)
    for compose in inventory.compose:
        _assign_project_envs(root, compose, dotenv)
    through_compose = {path for compose in inventory.compose for path in compose.env_files}
    inventory.env_files = [f for f in dotenv if f.path not in through_compose]
    inventory.workloads = _workloads(root, yaml_paths, classifier, inventory.notes)
    inventory.discovery = _discovery_files(json_paths, classifier)
    return inventory
