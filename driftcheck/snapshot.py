"""``driftcheck snapshot``: one (service, environment) written down with secrets as digests.

A snapshot lets staging and prod be committed and compared in CI without anyone holding
their secrets. The file (format version 1) looks like this::

    {
      "driftcheck_snapshot": 1,
      "service": "backend",
      "environment": "staging",
      "created": "2026-11-03T09:12:44Z",
      "fingerprints": {"algorithm": "hmac-sha256", "keyed": true, "key_id": "3f0c..."},
      "shared": {"jwt-secret": "hmac-sha256:<64 hex digits>"},
      "values": {"JWT_SECRET_KEY": {"fingerprint": "hmac-sha256:<64 hex digits>"},
                 "PORT": "8000", "BARE": null}
    }

Secrets, and URLs that carry credentials, are stored as the full HMAC-SHA256 of their value
under ``DRIFTCHECK_HASH_KEY``; ``key_id`` names that key without revealing it. Without the
key the digests would be made with a key drawn for this run and compare with nothing, so
the command refuses unless told ``--allow-unkeyed``. An empty value is kept as ``""``: it
hides nothing, and the rules on empty values still see it. ``shared`` holds the digest of
each shared setting the service belongs to, so a service deployed without the project
config can still be compared with its peers.

Values from an environment (the live one, a ``process`` source, an ``env`` dump) are
limited to the keys the service's schema reads, deprecated names included: an environment
holds many variables the service does not own. ``.env`` and JSON files are taken whole.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path

from driftcheck.config import ProjectConfig, display_path, find_config, load_config
from driftcheck.display import mask_url_credentials
from driftcheck.errors import DriftcheckError, DriftcheckErrors
from driftcheck.output import write_atomically
from driftcheck.platform import PlatformKeys
from driftcheck.project import Project, load_project
from driftcheck.schema import ServiceSchema, load_schema
from driftcheck.sources.jsonfile import (
    FINGERPRINT_ALGORITHM,
    FINGERPRINT_FIELD,
    SNAPSHOT_MARKER,
    SNAPSHOT_VERSION,
    check_snapshot_key,
    read_json_source,
)
from driftcheck.sources.process import PROCESS_ENVIRONMENT, read_process_environment
from driftcheck.values import DIGEST_PREFIX, HASH_KEY_VARIABLE, Entry, Fingerprinter, ParsedSource

#: Formats whose values are a whole environment, narrowed to the keys the schema reads.
_ENVIRONMENT_FORMATS = frozenset({"process", "envdump"})
#: ``--from`` files read as ``env`` / ``printenv`` output (``env -0`` output is recognised
#: by its NUL separators whatever the name); ``.json`` is JSON; anything else is ``.env``.
_DUMP_SUFFIXES = (".dump", ".envdump", ".environ")


def run_snapshot(
    path: Path,
    service: str,
    environment: str,
    from_env: bool,
    from_files: tuple[Path, ...],
    output: Path,
    allow_unkeyed: bool,
) -> int:
    """``driftcheck snapshot``: read one (service, environment), write its snapshot.

    Values come from the live environment (``from_env``), from ``from_files`` layered in
    order, or by default from the service's configured sources. Returns the exit code.
    """
    if from_env and from_files:
        raise DriftcheckError("--from-env and --from are alternatives; give one of them")
    fingerprinter = Fingerprinter.from_environment(dict(os.environ))
    if not fingerprinter.keyed and not allow_unkeyed:
        raise DriftcheckError(
            f"{HASH_KEY_VARIABLE} is not set: fingerprints made with a key drawn for this run "
            "compare with nothing later; set it (the same key wherever snapshots are compared) "
            "or pass --allow-unkeyed"
        )
    if from_env or from_files:
        # The configured sources are not read: a live container has none of them.
        project = load_service(path, service, fingerprinter)
    else:
        project = load_project(path, fingerprinter)
    _check_names(project, service, environment)
    values, sources, inputs = _gather(project, service, environment, from_env, from_files)
    _refuse_overwriting_input(output, inputs)
    _check_digest_keys(values.values(), fingerprinter)
    for _, parsed in sources:
        for issue in parsed.issues:
            print(f"driftcheck: warning: {issue.origin}: {issue.detail}", file=sys.stderr)

    snapshot = build_snapshot(project, service, environment, values, datetime.now(timezone.utc))
    write_atomically(output, render_snapshot(snapshot))
    stored = snapshot["values"]
    assert isinstance(stored, dict)
    hidden = sum(isinstance(value, dict) for value in stored.values())
    print(
        f"wrote {output}: {service} in {environment}, {len(stored)} values "
        f"({hidden} as fingerprints)"
    )
    if not fingerprinter.keyed:
        print(
            f"driftcheck: warning: {HASH_KEY_VARIABLE} is not set, so {output} is marked "
            '"keyed": false: its fingerprints were made with a key drawn for this run and '
            "will not compare with any other snapshot or check",
            file=sys.stderr,
        )
    return 0


def build_snapshot(
    project: Project,
    service: str,
    environment: str,
    values: Mapping[str, Entry],
    created: datetime,
) -> dict[str, object]:
    """The snapshot document of ``values`` (what ``service`` sees in ``environment``).

    Secrets (by :meth:`Project.is_secret`) and URLs with credentials become
    ``{"fingerprint": "hmac-sha256:..."}``; an entry that already holds a digest (read
    from a snapshot) stays one. Keys are sorted, so snapshots diff cleanly.
    """
    fingerprinter = project.fingerprinter
    stored = {key: _stored_value(project, service, values[key]) for key in sorted(values)}
    schema = project.schemas[service]
    shared: dict[str, str | None] = {}
    for setting in project.config.shared:
        for member in setting.members:
            if member.service == service:
                held = _effective_entry(values, schema, member.key)
                shared[setting.name] = None if held is None else _held_digest(held, fingerprinter)

    return {
        SNAPSHOT_MARKER: SNAPSHOT_VERSION,
        "service": service,
        "environment": environment,
        "created": created.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "fingerprints": {
            "algorithm": FINGERPRINT_ALGORITHM,
            "keyed": fingerprinter.keyed,
            # A per-run key has nothing to name: no later run will ever hold it.
            "key_id": fingerprinter.key_id() if fingerprinter.keyed else None,
        },
        "shared": dict(sorted(shared.items())),
        "values": stored,
    }


def render_snapshot(snapshot: Mapping[str, object]) -> str:
    """The snapshot as the file holds it: indented JSON, one key a line, UTF-8."""
    text = json.dumps(snapshot, indent=2, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # A value from the environment can hold undecodable bytes (as lone surrogates),
        # which only JSON's \u escapes can carry.
        text = json.dumps(snapshot, indent=2, ensure_ascii=True)
    return text + "\n"


def load_service(start: Path, service: str, fingerprinter: Fingerprinter) -> Project:
    """The project config and ``service``'s schema, without reading any source.

    Other services' schemas are read only to learn whether a shared setting is secret;
    when one cannot be read there, a shared setting of undeclared secrecy counts as
    secret, so a value is never written in clear by mistake.
    """
    config = load_config(find_config(start))
    if service not in {declared.name for declared in config.services}:
        _unknown_service(config, service)
    schemas = {service: _load_schema(config, service)}
    shared_secret_keys: dict[str, set[str]] = {}
    for setting in config.shared:
        if not any(member.service == service for member in setting.members):
            continue
        secret = setting.secret
        if secret is None:
            secret = any(
                _member_declared_secret(config, schemas, m.service, m.key) is not False
                for m in setting.members
            )
        if secret:
            for member in setting.members:
                shared_secret_keys.setdefault(member.service, set()).add(member.key)
    return Project(
        config=config,
        schemas=schemas,
        layers={},
        discovery={},
        fingerprinter=fingerprinter,
        platform=PlatformKeys(config.platform_presets, config.platform_keys),
        shared_secret_keys=shared_secret_keys,
    )


def _load_schema(config: ProjectConfig, service: str) -> ServiceSchema:
    path = config.root / config.service(service).schema
    return load_schema(path, display_path(path), config.environment_names)


def _member_declared_secret(
    config: ProjectConfig, schemas: dict[str, ServiceSchema], service: str, key: str
) -> bool | None:
    """Whether a member's schema declares its key secret; None when that is unknown."""
    schema = schemas.get(service)
    if schema is None:
        try:
            schema = schemas[service] = _load_schema(config, service)
        except DriftcheckError:
            return None
    spec = schema.keys.get(key)
    return None if spec is None else spec.secret


def _unknown_service(config: ProjectConfig, service: str) -> None:
    known = ", ".join(declared.name for declared in config.services)
    raise DriftcheckError(f"unknown service '{service}'; known: {known}", "--service")


def _check_names(project: Project, service: str, environment: str) -> None:
    if service not in project.services:
        _unknown_service(project.config, service)
    if environment not in project.environments:
        raise DriftcheckError(
            f"unknown environment '{environment}'; known: {', '.join(project.environments)}",
            "--env",
        )


def _gather(
    project: Project,
    service: str,
    environment: str,
    from_env: bool,
    from_files: tuple[Path, ...],
) -> tuple[dict[str, Entry], list[tuple[str, ParsedSource]], list[Path]]:
    """The values to write, the sources they came from, and every file read for them."""
    schema = project.schemas[service]
    inputs = [project.config.path, project.config.root / project.config.service(service).schema]
    sources: list[tuple[str, ParsedSource]]
    if from_env:
        sources = [("process", read_process_environment())]
        return _layered(sources, schema), sources, inputs
    if from_files:
        sources = [_read_file(file) for file in from_files]
        return _layered(sources, schema), sources, [*inputs, *from_files]
    layer = project.layer(service, environment)
    sources = [(source.format, source.parsed) for source in layer.sources]
    environment_paths = {
        source.display_path for source in layer.sources if source.format in _ENVIRONMENT_FORMATS
    }
    values = {
        key: entry
        for key, entry in layer.values.items()
        if schema.reads(key) or not (entry.ambient or entry.origin.path in environment_paths)
    }
    inputs.extend(
        Path(source.display_path) for source in layer.sources if source.format != "process"
    )
    return values, sources, inputs


def _read_file(path: Path) -> tuple[str, ParsedSource]:
    """A ``--from`` file: its format (by name, or NUL separators) and its entries."""
    from driftcheck.sources.textfile import read_text

    display = display_path(path)
    if path.name.lower().endswith(".json"):
        parsed, _ = read_json_source(path, display)
        return "json", parsed
    text = read_text(path, display)
    if "\0" in text or path.name.lower().endswith(_DUMP_SUFFIXES) or path.name == "environ":
        from driftcheck.sources.envdump import parse_env_dump

        return "envdump", parse_env_dump(text, display)
    from driftcheck.sources.dotenv import parse_dotenv

    # What read_dotenv reads: universal newlines, as python-dotenv opens the file.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "dotenv", parse_dotenv(text, display)


def _layered(sources: list[tuple[str, ParsedSource]], schema: ServiceSchema) -> dict[str, Entry]:
    """What the process would see, later sources winning, as the project loader layers."""
    values: dict[str, Entry] = {}
    for source_format, parsed in sources:
        whole_environment = source_format in _ENVIRONMENT_FORMATS
        for entry in parsed.entries:
            if whole_environment and not schema.reads(entry.key):
                continue
            known = values.get(entry.key)
            if entry.value is None and known is not None and known.value is not None:
                continue  # load_dotenv sets nothing for a bare KEY line
            values[entry.key] = entry
    return values


def _effective_entry(values: Mapping[str, Entry], schema: ServiceSchema, key: str) -> Entry | None:
    """The entry the service reads for ``key``: its own name first, then deprecated ones."""
    spec = schema.keys.get(key)
    names = (key,) if spec is None else (key, *spec.deprecated_names)
    for name in names:
        entry = values.get(name)
        if entry is not None and entry.value is not None:
            return entry
    return None


def _stored_value(project: Project, service: str, entry: Entry) -> object:
    if entry.value is None and entry.reference is not None:
        raise DriftcheckError(
            f"{entry.key} is delivered by reference ({entry.reference}) and its value is not "
            "in the sources; a snapshot holds values: take it where the service runs, with "
            "--from-env",
            entry.origin.path,
            entry.origin.line,
        )
    if entry.value is None:
        return None
    if entry.fingerprinted:
        return {FINGERPRINT_FIELD: entry.value}
    # An empty value hides nothing, and kept as it is the rules on empty values still work.
    if entry.value and (
        project.is_secret(service, entry.key) or mask_url_credentials(entry.value) != entry.value
    ):
        return {FINGERPRINT_FIELD: _held_digest(entry, project.fingerprinter)}
    return entry.value


def _held_digest(entry: Entry, fingerprinter: Fingerprinter) -> str:
    """The digest a snapshot stores for an entry that has a value."""
    assert entry.value is not None
    if entry.fingerprinted:
        return entry.value
    return DIGEST_PREFIX + fingerprinter.digest(entry.value)


def _check_digest_keys(entries: Iterable[Entry], fingerprinter: Fingerprinter) -> None:
    """Digests copied from a snapshot must have been made with this run's key."""
    errors: list[DriftcheckError] = []
    checked: set[str] = set()
    for entry in entries:
        path = entry.origin.path
        if not entry.fingerprinted or path in checked or path == PROCESS_ENVIRONMENT:
            continue
        checked.add(path)
        _, snapshot = read_json_source(Path(path), path)
        if snapshot is None:
            continue
        try:
            check_snapshot_key(snapshot, fingerprinter)
        except DriftcheckError as error:
            errors.append(error)
    if errors:
        raise DriftcheckErrors(errors)


def _refuse_overwriting_input(output: Path, inputs: Iterable[Path]) -> None:
    target = os.path.realpath(output)
    for candidate in inputs:
        same = os.path.realpath(candidate) == target
        if not same:
            with contextlib.suppress(OSError):
                same = os.path.samefile(candidate, output)
        if same:
            raise DriftcheckError(
                "is an input of this snapshot; write the snapshot to another file", str(output)
            )
