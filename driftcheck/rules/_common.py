"""Helpers several rules share: reading a key through its deprecated names, showing values."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from collections.abc import Set as AbstractSet
from itertools import compress, repeat
from operator import attrgetter, is_not
from typing import NamedTuple

from driftcheck.display import show_value
from driftcheck.findings import Related
from driftcheck.project import Layer, LoadedSource, Project
from driftcheck.schema import KeySpec, ServiceSchema
from driftcheck.values import (
    FINGERPRINT_HEX_DIGITS,
    FINGERPRINT_PREFIX,
    Entry,
    Origin,
    SourceIssue,
)
from driftcheck.valuetypes import Address, InvalidValue, parse_host, parse_port, parse_url

_TARGETS = attrgetter("targets")


def effective_entry(layer: Layer, spec: KeySpec) -> Entry | None:
    """The entry the service reads for ``spec``: its own name first, then deprecated ones.

    An entry delivered by reference counts, though its value may be unknown (None).
    """
    entry = layer.values.get(spec.name)
    if entry is not None and entry.present:
        return entry
    for name in spec.deprecated_names:
        entry = layer.values.get(name)
        if entry is not None and entry.present:
            return entry
    return None


def in_schema_order(schema: ServiceSchema, names: AbstractSet[str]) -> list[KeySpec]:
    """The specs of those of ``names`` that ``schema`` declares, in its order: rules
    report keys in that order, and looking up a few names beats walking every key."""
    declared = [name for name in names if name in schema.keys]
    if len(declared) > 1:
        order = list(schema.keys)
        if len(declared) <= 8:
            declared.sort(key=order.index)
        else:
            position = {name: index for index, name in enumerate(order)}
            declared.sort(key=position.__getitem__)
    return [schema.keys[name] for name in declared]


def targeting(project: Project, service: str, *types: str) -> list[KeySpec]:
    """The specs of ``service``'s keys of one of ``types`` that target another service or
    an endpoint. Few keys do: they are found in C, then looked at."""
    specs = project.schemas[service].keys.values()
    with_target = compress(specs, map(is_not, map(_TARGETS, specs), repeat(None)))
    return [spec for spec in with_target if spec.type in types]


def show(project: Project, service: str, entry: Entry) -> str:
    """How an entry is shown: a fingerprint for secrets, the reference for a value the
    sources do not hold, else the value, quoted."""
    if entry.value is None:
        assert entry.reference is not None
        return f"<{entry.reference}>"
    if entry.fingerprinted:
        return FINGERPRINT_PREFIX + project.digest(entry)[:FINGERPRINT_HEX_DIGITS]
    return show_value(entry.value, project.is_secret(service, entry.key), project.fingerprinter)


def value_marks(project: Project, entries: Sequence[Entry]) -> list[str]:
    """What tells the values of ``entries`` (all set) apart: the values themselves, or
    their keyed digests when a snapshot's digest stands in for one of them. Equal digests
    mean equal values, so only a snapshot makes hashing every value worth its cost."""
    if any(entry.fingerprinted for entry in entries):
        return [project.digest(entry) for entry in entries]
    values = [entry.value for entry in entries if entry.value is not None]
    assert len(values) == len(entries), "every entry must have a value"
    return values


def layer_origin(layer: Layer) -> Origin | None:
    """Where a value missing from a layer should be added: its last file source."""
    for source in reversed(layer.sources):
        if source.format != "process":
            return Origin(source.display_path)
    return None


def related_entry(project: Project, layer: Layer, entry: Entry, note: str | None = None) -> Related:
    return Related(
        origin=entry.origin,
        service=layer.service,
        environment=layer.environment,
        key=entry.key,
        shown=show(project, layer.service, entry) if entry.present else None,
        note=note,
    )


def schema_origin(project: Project, service: str, spec: KeySpec) -> Origin:
    schema = project.schemas[service]
    return Origin(schema.display_path, schema.line_of(spec.name))


class KnownPort(NamedTuple):
    """The port a service or endpoint is reached on, where that is known from, and how."""

    port: int | None
    origin: Origin | None
    how: str


def target_port(project: Project, target: str, environment: str) -> KnownPort:
    """The port ``target`` (a service or an endpoint) is reached on in ``environment``."""
    for endpoint in project.config.endpoints:
        if endpoint.name == target:
            return KnownPort(
                endpoint.ports.get(environment),
                Origin(project.config.display_path, endpoint.line),
                f"the declared port of endpoint {target}",
            )
    return service_port(project, target, environment)


def service_port(project: Project, service: str, environment: str) -> KnownPort:
    """The port a service listens on: its listen key's value, else its declared port."""
    if service not in project.schemas:
        # Start-up validation loads one service: the others' ports are not known there.
        return KnownPort(None, None, f"the port of {service}")
    listen = project.listen_port_key(service)
    layer = project.layers.get((service, environment))
    if listen is not None and layer is not None:
        spec = project.schemas[service].keys[listen]
        entry = effective_entry(layer, spec)
        if entry is not None and entry.value is not None:
            try:
                return KnownPort(parse_port(entry.value), entry.origin, f"{service}'s {entry.key}")
            except InvalidValue:
                pass
    service_config = project.config.service(service)
    return KnownPort(
        service_config.ports.get(environment),
        Origin(project.config.display_path, service_config.line),
        f"the declared port of {service}",
    )


def each_file(project: Project) -> Iterator[tuple[Layer, LoadedSource]]:
    """Every file source once, with the first layer that reads it.

    One file may feed several (service, environment) pairs; its own defects are
    reported once.
    """
    seen: set[tuple[str, str | None]] = set()
    for layer in project.all_layers():
        for source in layer.sources:
            # A manifest feeds each service its own part: that part is read once.
            identity = (source.display_path, source.selection)
            if source.format == "process" or identity in seen:
                continue
            seen.add(identity)
            yield layer, source


def file_issues(project: Project, kind: str) -> Iterator[tuple[Layer, LoadedSource, SourceIssue]]:
    for layer, source in each_file(project):
        for issue in source.parsed.issues:
            if issue.kind == kind:
                yield layer, source, issue


class _Addresses(dict[tuple[str, str], "Address | str"]):
    """URL and host values with where they point: the values may hold credentials."""

    def __repr__(self) -> str:
        return f"_Addresses(<{len(self)} values, masked>)"


def parsed_address(project: Project, key_type: str, value: str) -> Address | str:
    """Where a url or host value points, or why it does not parse. Parsed once per run
    for every rule (invalid-value, address-wrong-port), as URLs take long to parse."""
    addresses: _Addresses = project.rule_cache.setdefault("addresses", _Addresses())
    question = (key_type, value)
    address = addresses.get(question)
    if address is None:
        try:
            address = parse_url(value) if key_type == "url" else parse_host(value)
        except InvalidValue as exc:
            address = str(exc)
        addresses[question] = address
    return address
