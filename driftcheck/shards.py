"""Checking a large project on several cores: its services split into shards, a process each.

Most of a check is one service at a time: reading its schema and files, and most rules.
The rules that compare services (shared settings, ports, addresses, collisions) read only
a few keys of the others: their listen-port key and the keys of their shared settings.
So each process reads its own services whole and gets, from the others, an *outline* of
theirs: those keys' specs and values and the addresses that reach them. Every process
then runs every rule over its own services and the outlines, and keeps the findings of
its own services; the first process merges and sorts them as one run would.

Services that read one file (a compose file, a shared ``.env``) stay in one shard, so that
a file's own defects are reported once, as one run reports them.

A shard that meets an input error (a broken schema, an unreadable file) stops the sharded
run: the caller then checks in one process, which reports every error at once in its
usual order. Processes are made with ``os.fork`` (the loaded config and the hash key are
shared that way); where there is no fork, the check runs in one process.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from typing import NamedTuple

from driftcheck.config import MANIFEST_FORMATS, ProjectConfig, display_path, fill_template
from driftcheck.engine import make_selection, run_rules, sort_findings
from driftcheck.findings import Finding
from driftcheck.project import (
    Layer,
    LoadedServices,
    LoadedSource,
    Project,
    assemble_project,
    load_services,
)
from driftcheck.schema import KeySpec, ServiceSchema
from driftcheck.tomlfile import LazyLines
from driftcheck.values import Address, Entry, Fingerprinter, ParsedSource

#: Below this many services, a check takes a fraction of a second in one process, and
#: forking and exchanging outlines would cost more than it saves.
AUTO_MINIMUM_SERVICES = 32


#: What picks the rules and the part reported: select, ignore, services, environments.
_Choice = tuple[Sequence[str], Sequence[str], Sequence[str], Sequence[str]]


class CheckOutcome(NamedTuple):
    """What a check found, and what the report says it read."""

    findings: list[Finding]
    files_read: frozenset[str]


class _Outline(NamedTuple):
    """What other shards may read of one service: the specs of its listen-port key and
    shared keys, their values in each environment, and the addresses that reach it."""

    listen_port_key: str | None
    keys: dict[str, KeySpec]
    aliases: dict[str, str]
    #: Per environment: the values of those keys (under every name), and the addresses.
    layers: dict[str, tuple[dict[str, Entry], list[Address]]]
    stored_secret_keys: set[str]


def usable_jobs(requested: int | None) -> int:
    """How many processes a check may use: ``requested``, else one per core available."""
    if not hasattr(os, "fork"):
        return 1
    if requested is not None:
        return max(1, requested)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def plan_shards(config: ProjectConfig, jobs: int) -> list[frozenset[str]]:
    """Split the services into at most ``jobs`` shards of about equal work.

    Services that read a common file are kept together; work is counted in sources read.
    """
    parent = {service.name: service.name for service in config.services}

    def root(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    reader_of: dict[str, str] = {}
    weight: dict[str, int] = {}
    for service in config.services:
        count = 0
        for environment, specs in service.sources.items():
            for spec in specs:
                count += 1
                if spec.format == "process":
                    continue
                templates = spec.paths if spec.format in MANIFEST_FORMATS else (spec.path,)
                if spec.project_env is not None:
                    templates = (*templates, spec.project_env)
                for template in templates:
                    assert template is not None
                    path = fill_template(template, service.name, environment)
                    first = reader_of.setdefault(path, service.name)
                    parent[root(service.name)] = root(first)
        weight[service.name] = max(count, 1)

    groups: dict[str, list[str]] = {}
    for service in config.services:
        groups.setdefault(root(service.name), []).append(service.name)
    # Largest groups first, each to the lightest shard so far.
    ordered = sorted(groups.values(), key=lambda names: -sum(weight[n] for n in names))
    shards: list[list[str]] = [[] for _ in range(min(jobs, len(ordered)))]
    loads = [0] * len(shards)
    for names in ordered:
        lightest = loads.index(min(loads))
        shards[lightest].extend(names)
        loads[lightest] += sum(weight[n] for n in names)
    return [frozenset(shard) for shard in shards if shard]


def _outline_keys(config: ProjectConfig, schema: ServiceSchema, service: str) -> set[str]:
    keys = {m.key for shared in config.shared for m in shared.members if m.service == service}
    listen = config.service(service).listen_port_key or schema.listen_port_key
    if listen is not None:
        keys.add(listen)
    return keys


def _outline(config: ProjectConfig, loaded: LoadedServices, service: str) -> _Outline:
    schema = loaded.schemas[service]
    keys = {name: schema.keys[name] for name in _outline_keys(config, schema, service)}
    aliases = {old: new for old, new in schema.aliases.items() if new in keys}
    names = [*keys, *aliases]
    layers = {}
    for environment in config.environment_names:
        layer = loaded.layers[(service, environment)]
        # Looked up, not filtered: a layer sets hundreds of keys, an outline holds a few.
        values = {name: layer.values[name] for name in names if name in layer.values}
        layers[environment] = (values, list(layer.addresses()))
    return _Outline(
        listen_port_key=schema.listen_port_key,
        keys=dict(keys),
        aliases=aliases,
        layers=layers,
        stored_secret_keys=loaded.stored_secret_keys.get(service, set()),
    )


def _with_outlines(
    config: ProjectConfig, loaded: LoadedServices, outlines: dict[str, _Outline]
) -> LoadedServices:
    """``loaded``, with the services of other shards added from their outlines."""
    schemas = dict(loaded.schemas)
    layers = dict(loaded.layers)
    stored = dict(loaded.stored_secret_keys)
    for service in config.services:
        name = service.name
        outline = outlines.get(name)
        if outline is None or name in loaded.schemas:
            continue
        schemas[name] = ServiceSchema(
            keys=outline.keys,
            display_path=display_path(config.root / service.schema),
            listen_port_key=outline.listen_port_key,
            aliases=outline.aliases,
            # Lines are found in the file itself, if a finding asks for one.
            lines=LazyLines(path=config.root / service.schema),
        )
        for environment, (values, addresses) in outline.layers.items():
            sources = []
            if addresses:
                # The addresses that reach the service, under the file that declares them.
                sources.append(
                    LoadedSource(
                        addresses[0].origin.path, "outline", ParsedSource(addresses=addresses)
                    )
                )
            layers[(name, environment)] = Layer(name, environment, sources, values)
        if outline.stored_secret_keys:
            stored[name] = outline.stored_secret_keys
    # In the config's order, as one process has them: rules report in the order they walk.
    names = [service.name for service in config.services]
    return LoadedServices(
        {name: schemas[name] for name in names},
        {(name, env): layers[(name, env)] for name in names for env in config.environment_names},
        stored,
        loaded.discovery,
    )


def _check_shard(
    config: ProjectConfig,
    loaded: LoadedServices,
    outlines: dict[str, _Outline],
    fingerprinter: Fingerprinter,
    owned: frozenset[str],
    choose: _Choice,
) -> CheckOutcome:
    project = assemble_project(config, _with_outlines(config, loaded, outlines), fingerprinter)
    selection = make_selection(project, *choose)
    return CheckOutcome(run_rules(project, selection, owned), _files_read(project, owned))


def _files_read(project: Project, owned: Collection[str]) -> frozenset[str]:
    return frozenset(
        name
        for layer in project.all_layers()
        if layer.service in owned
        for source in layer.sources
        if source.format != "process"
        for name in (source.display_path, *source.files)
    )


def check(
    config: ProjectConfig,
    fingerprinter: Fingerprinter,
    choose: _Choice,
    jobs: int | None = None,
) -> CheckOutcome:
    """Check the project of ``config``: in shards when there are cores and services enough
    (``jobs`` None decides by the project's size), else in this process."""
    usable = usable_jobs(jobs)
    if usable > 1 and (jobs is not None or len(config.services) >= AUTO_MINIMUM_SERVICES):
        shards = plan_shards(config, usable)
        if len(shards) > 1:
            outcome = check_in_shards(config, shards, fingerprinter, choose)
            if outcome is not None:
                return outcome
    project = assemble_project(config, load_services(config, fingerprinter), fingerprinter)
    findings = run_rules(project, make_selection(project, *choose))
    return CheckOutcome(findings, _files_read(project, project.services))


def check_in_shards(
    config: ProjectConfig,
    shards: list[frozenset[str]],
    fingerprinter: Fingerprinter,
    choose: _Choice,
) -> CheckOutcome | None:
    """Check ``config`` with a process per shard (this one takes the first).

    None when some shard met an input error: check in one process then, to report it.
    """
    children: list[tuple[int, _Channel]] = []
    try:
        for shard in shards[1:]:
            channel = _Channel()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - runs in the child
                channel.become_child()
                _child(config, shard, len(shards), fingerprinter, choose, channel)
            channel.become_parent()
            children.append((pid, channel))
        return _lead(config, shards[0], fingerprinter, choose, [c for _, c in children])
    finally:
        for pid, channel in children:
            channel.close()
            os.waitpid(pid, 0)


def _lead(
    config: ProjectConfig,
    shard: frozenset[str],
    fingerprinter: Fingerprinter,
    choose: _Choice,
    children: list[_Channel],
) -> CheckOutcome | None:
    """The first shard's part: check it, and gather and merge the others'."""
    try:
        own: LoadedServices | None = load_services(config, fingerprinter, shard)
    except Exception:
        own = None
    outlines: dict[str, _Outline] = {}
    # Each shard's outlines, pickled once: every other shard gets them as they came.
    messages: list[bytes] = []
    if own is not None:
        mine = {service: _outline(config, own, service) for service in shard}
        outlines.update(mine)
        messages.append(_pack(mine))
    for channel in children:
        message = channel.receive_bytes()
        theirs = None if message is None else _unpack(message)
        if message is None or not isinstance(theirs, dict):
            own = None
        else:
            outlines.update(theirs)
            messages.append(message)
    if own is None:
        for channel in children:
            channel.send(None)
        return None
    for index, channel in enumerate(children, start=1):
        for message in messages[:index] + messages[index + 1 :]:
            channel.send_bytes(message)
    try:
        outcome: CheckOutcome | None = _check_shard(
            config, own, outlines, fingerprinter, shard, choose
        )
    except Exception:
        outcome = None
    findings = [] if outcome is None else list(outcome.findings)
    files = set() if outcome is None else set(outcome.files_read)
    for channel in children:
        result = channel.receive()
        if not isinstance(result, CheckOutcome):
            outcome = None
        else:
            findings.extend(result.findings)
            files.update(result.files_read)
    if outcome is None:
        return None
    sort_findings(findings, [s.name for s in config.services], config.environment_names)
    return CheckOutcome(findings, frozenset(files))


def _child(
    config: ProjectConfig,
    shard: frozenset[str],
    shard_count: int,
    fingerprinter: Fingerprinter,
    choose: _Choice,
    channel: _Channel,
) -> None:  # pragma: no cover - runs in the child
    status = 0
    try:
        try:
            loaded = load_services(config, fingerprinter, shard)
        except Exception:
            channel.send(None)
            return
        channel.send({service: _outline(config, loaded, service) for service in shard})
        # The outlines of every other shard, one message each (None: some shard failed).
        others: dict[str, _Outline] = {}
        for _ in range(shard_count - 1):
            message = channel.receive()
            if not isinstance(message, dict):
                return
            others.update(message)
        try:
            outcome = _check_shard(config, loaded, others, fingerprinter, shard, choose)
        except Exception:
            outcome = None
        channel.send(outcome)
    except BaseException:
        status = 1
    finally:
        # Never back into the caller's code: this process only ever checks its shard.
        channel.close()
        os._exit(status)


def _pack(message: object) -> bytes:
    # Imported here: only a check in several processes needs it, and every start would
    # pay for it.
    import pickle

    return pickle.dumps(message, pickle.HIGHEST_PROTOCOL)


def _unpack(data: bytes) -> object:
    import pickle

    return pickle.loads(data)


class _Channel:
    """Two pipes between a parent and one child, carrying length-prefixed pickles."""

    def __init__(self) -> None:
        self._up = os.pipe()  # child to parent
        self._down = os.pipe()  # parent to child
        self._read = self._write = -1

    def become_child(self) -> None:
        os.close(self._up[0])
        os.close(self._down[1])
        self._read, self._write = self._down[0], self._up[1]

    def become_parent(self) -> None:
        os.close(self._up[1])
        os.close(self._down[0])
        self._read, self._write = self._up[0], self._down[1]

    def send(self, message: object) -> None:
        self.send_bytes(_pack(message))

    def send_bytes(self, data: bytes) -> None:
        """Send one message; a side that is gone (a child that stopped early) gets none."""
        view = memoryview(len(data).to_bytes(8, "big") + data)
        try:
            while view:
                view = view[os.write(self._write, view) :]
        except BrokenPipeError:
            pass

    def receive(self) -> object:
        """The next message, or None if the other side is gone."""
        data = self.receive_bytes()
        return None if data is None else _unpack(data)

    def receive_bytes(self) -> bytes | None:
        """The next message, still pickled, or None if the other side is gone."""
        header = self._read_exactly(8)
        if header is None:
            return None
        return self._read_exactly(int.from_bytes(header, "big"))

    def _read_exactly(self, size: int) -> bytes | None:
        chunks = []
        while size:
            chunk = os.read(self._read, min(size, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        for descriptor in (self._read, self._write):
            if descriptor >= 0:
                os.close(descriptor)
        self._read = self._write = -1
