"""``driftcheck init [PATH]``: scan, infer, check what was inferred, write it, say what.

Nothing is written when anything fails, when a file to write exists (unless ``--force``),
or with ``--dry-run``, which prints the files instead. Each file is written atomically,
the schemas before the config that names them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from driftcheck.config import (
    PYPROJECT_FILE,
    EnvironmentConfig,
    ProjectConfig,
    RuleSettings,
    ServiceConfig,
    _mentions_driftcheck,
    default_presets,
    display_path,
    parse_config,
)
from driftcheck.errors import DriftcheckError, DriftcheckErrors
from driftcheck.init.infer import Inference, infer
from driftcheck.init.layout import Plan, plan
from driftcheck.init.render import CONFIG_NAME, render, schema_path
from driftcheck.init.scan import scan
from driftcheck.platform import PlatformKeys
from driftcheck.project import check_references, load_layers
from driftcheck.schema import ServiceSchema, schema_from_toml
from driftcheck.tomlfile import TomlFile, tomllib
from driftcheck.values import Fingerprinter


def _reading_config(planned: Plan) -> ProjectConfig:
    """The project config of the plan, for reading its sources as ``check`` will."""
    root = planned.root.resolve()
    services = tuple(
        ServiceConfig(
            name=name,
            schema=schema_path(name),
            sources={
                env: tuple(source.spec() for source in service.sources.get(env, ()))
                for env in planned.environments
            },
            ports={},
            public_urls={},
            listen_port_key=None,
            line=None,
        )
        for name, service in planned.services.items()
    )
    development = [planned.is_development(env) for env in planned.environments]
    return ProjectConfig(
        path=root / CONFIG_NAME,
        display_path=display_path(root / CONFIG_NAME),
        root=root,
        environments=tuple(
            EnvironmentConfig(env, dev, dev)
            for env, dev in zip(planned.environments, development, strict=True)
        ),
        services=services,
        shared=(),
        endpoints=(),
        discovery=(),
        platform_presets=default_presets(services),
        platform_keys=(),
        rules=RuleSettings(),
    )


def _check_written(root: Path, files: dict[str, str], environments: tuple[str, ...]) -> None:
    """Read what is about to be written with driftcheck's own strict readers: a file
    they refuse is a bug of init, never the user's to fix."""
    schemas: dict[str, ServiceSchema] = {}
    config_text = files[CONFIG_NAME]
    config = parse_config(
        TomlFile(tomllib.loads(config_text), CONFIG_NAME, config_text, root / CONFIG_NAME),
        root.resolve(),
    )
    for service in config.services:
        text = files[service.schema]
        schemas[service.name] = schema_from_toml(
            TomlFile(tomllib.loads(text), service.schema, text, root / service.schema),
            environments,
        )
    problems = check_references(config, schemas)
    if problems:
        raise DriftcheckErrors(problems)


def _refuse_existing(root: Path, files: dict[str, str], force: bool) -> None:
    errors = []
    for relative in files:
        target = root / relative
        shown = display_path(target)
        if target.is_dir():
            errors.append(DriftcheckError("is a directory; init writes a file here", shown))
        elif not force and (target.exists() or target.is_symlink()):
            errors.append(DriftcheckError("already exists; pass --force to overwrite it", shown))
    pyproject = root / PYPROJECT_FILE
    if not force and pyproject.is_file() and _mentions_driftcheck(pyproject):
        errors.append(
            DriftcheckError(
                f"has [tool.driftcheck]; pass --force to write {CONFIG_NAME}, which then "
                "takes precedence",
                display_path(pyproject),
            )
        )
    if errors:
        raise DriftcheckErrors(errors)


def _write(root: Path, files: dict[str, str]) -> None:
    from driftcheck.output import write_atomically

    for relative, text in files.items():
        target = root / relative
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DriftcheckError(
                f"cannot create the directory: {exc.strerror}", display_path(target.parent)
            ) from None
        write_atomically(target, text)


def _summary(inferred: Inferred, out: TextIO) -> None:
    planned, inference = inferred.plan, inferred.inference

    def say(text: str = "") -> None:
        print(text, file=out)

    say(f"driftcheck init: read {inferred.file_count} files under {display_path(planned.root)}")
    say(f"  environments: {', '.join(planned.environments)} ({planned.environments_from})")
    say("  services:")
    width = max(len(name) for name in planned.services)
    for name, guess in inference.services.items():
        details = [f"{len(guess.keys)} keys"]
        if guess.listen_port_key is not None:
            details.append(f"listens on {guess.listen_port_key}")
        if len(guess.environments) < len(planned.environments):
            details.append(f"only in {', '.join(guess.environments)}")
        if guess.public_urls:
            details.append(f"public URL in {', '.join(guess.public_urls)}")
        say(f"    {name:<{width}}  {', '.join(details)}")
    if inference.shared:
        say("  shared settings:")
        for shared in inference.shared:
            members = ", ".join(f"{service} {key}" for service, key in shared.members)
            say(f"    {shared.name}: {members}{f' ({shared.why})' if shared.why else ''}")
    aliases = [
        f"{service} {old} for {key.name}"
        for service, guess in inference.services.items()
        for key in guess.keys.values()
        for old in key.deprecated_names
    ]
    if aliases:
        say(f"  deprecated names (near misses): {', '.join(aliases)}")
    secrets = sum(
        k.type == "secret" or k.secret for g in inference.services.values() for k in g.keys.values()
    )
    targets = [
        f"{service} {key.name} -> {key.targets}"
        for service, guess in inference.services.items()
        for key in guess.keys.values()
        if key.targets is not None
    ]
    say(f"  secrets: {secrets} keys (values never written)")
    if targets:
        say(f"  targets: {', '.join(targets)}")
    if inference.endpoints:
        say(f"  endpoints: {', '.join(inference.endpoints)}")
    if planned.discovery is not None:
        say(f"  discovery records: {planned.discovery}")
    if planned.notes:
        say("  notes:")
        for note in planned.notes:
            say(f"    {note}")


@dataclass(frozen=True, slots=True)
class Inferred:
    """What init found in a repository and what it made of it."""

    file_count: int
    plan: Plan
    inference: Inference
    #: Path (relative to the repository) -> text, the config last.
    files: dict[str, str]


def infer_repository(
    path: Path, environments: tuple[str, ...] = (), services: tuple[str, ...] = ()
) -> Inferred:
    """Scan ``path``, read its sources as ``check`` will, infer, and render the files
    (checked with driftcheck's own readers). Writes nothing."""
    inventory = scan(path)
    planned = plan(inventory, environments, services)
    if not planned.services:
        raise DriftcheckError(
            "found no .env files, compose files or Kubernetes/Cloud Run manifests to start "
            "from (see 'driftcheck init --help' for the names it looks for)",
            display_path(path),
        )
    config = _reading_config(planned)
    layers, stored = load_layers(config, Fingerprinter())
    inference = infer(planned, layers, stored, PlatformKeys(config.platform_presets))
    file_count = inventory.file_count()
    files = render(planned, inference, file_count)
    try:
        _check_written(path, files, planned.environments)
    except DriftcheckError as error:
        raise RuntimeError("init wrote a config its own reader refuses") from error
    return Inferred(file_count, planned, inference, files)


def run_init(
    path: Path,
    environments: tuple[str, ...] = (),
    services: tuple[str, ...] = (),
    force: bool = False,
    dry_run: bool = False,
) -> int:
    """``driftcheck init``: returns the exit code (0: written or printed)."""
    inferred = infer_repository(path, environments, services)
    files = inferred.files
    if dry_run:
        for relative, text in files.items():
            sys.stdout.write(f"# ---- {relative} ----\n{text}\n")
        _summary(inferred, sys.stderr)
        return 0
    _refuse_existing(path, files, force)
    _write(path, files)
    _summary(inferred, sys.stdout)
    written = list(files)
    print(f"wrote {', '.join(display_path(path / relative) for relative in written)}")
    target = display_path(path)
    print(f"next: driftcheck check{'' if target == '.' else ' ' + target}")
    return 0
