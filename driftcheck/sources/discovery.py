"""Service-discovery records: which port (and host) each service actually bound.

Accepted shapes, all JSON:

- ``{"services": {"backend": {"port": 8001, "host": "10.0.0.5"}}}`` (other top-level keys,
  such as a timestamp, are ignored);
- ``{"backend": {"port": 8001}}``;
- ``[{"service": "backend", "port": 8001, "host": "10.0.0.5"}]``;
- Consul catalog items ``[{"ServiceName": "backend", "ServicePort": 8001,
  "ServiceAddress": "10.0.0.5"}]``.

A malformed port is not an error here: the record keeps its text in ``raw_port`` so a rule
can report it next to the other findings. A wrong shape is an error.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from driftcheck.errors import DriftcheckError
from driftcheck.sources.jsonfile import JsonMember, JsonNode, parse_json_document, quote_key
from driftcheck.sources.textfile import read_text, split_byte_order_mark
from driftcheck.values import Origin

# Ports written as strings ("8001") are common in generated files and mean the same port.
# The length cap keeps int() far from its digit limit; longer digit runs stay raw.
_PORT_DIGITS = re.compile(r"[0-9]{1,20}")


class DiscoveryRecord(NamedTuple):
    """One service's bound port and host, at the line of its port (or of the record).

    ``port`` is None when the record has no port or one that is not an integer; in the
    second case ``raw_port`` holds the port as written (JSON text of a number, boolean, or
    a string's content). A port outside 1..65535 is kept as it is, for a rule to report.
    """

    service: str
    port: int | None
    host: str | None
    origin: Origin
    raw_port: str | None = None

    def __repr__(self) -> str:
        # Not raw_port: a malformed port is arbitrary text, and could be anything pasted there.
        return (
            f"DiscoveryRecord(service={self.service!r}, port={self.port!r}, "
            f"host={self.host!r}, origin={self.origin!r})"
        )


class _Fields(NamedTuple):
    """Which keys of a record shape hold the port and the host."""

    port: str
    host: str
    fallback_host: str | None = None


_PLAIN = _Fields(port="port", host="host")
# In Consul's catalog an empty ServiceAddress means the service listens on its node's Address.
_CONSUL = _Fields(port="ServicePort", host="ServiceAddress", fallback_host="Address")


def read_discovery_records(path: Path, display_path: str) -> list[DiscoveryRecord]:
    """Read the service-discovery records of a JSON file, in file order."""
    return parse_discovery_records(read_text(path, display_path), display_path)


def parse_discovery_records(text: str, display_path: str) -> list[DiscoveryRecord]:
    """Discovery records from JSON text in any accepted shape, in document order.

    A UTF-8 byte-order mark is ignored: these files are written by tools, and the mark
    changes nothing about which port a service bound.
    """
    text, _ = split_byte_order_mark(text)
    document = parse_json_document(text, display_path)
    if document.kind == "array":
        return [
            _list_item(item, number, display_path)
            for number, item in enumerate(document.items, start=1)
        ]
    if document.kind == "object":
        return [_named_record(member, display_path) for member in _service_table(document)]
    raise DriftcheckError(
        f"top level is {document.kind_phrase}, expected an object of services "
        "or a list of service records",
        path=display_path,
        line=document.line,
    )


def _service_table(document: JsonNode) -> tuple[JsonMember, ...]:
    services = document.member("services")
    # A service may itself be called "services"; a record has a port, a table of records
    # does not.
    if (
        services is not None
        and services.value.kind == "object"
        and services.value.member("port") is None
    ):
        return services.value.members
    return document.members


def _named_record(member: JsonMember, display_path: str) -> DiscoveryRecord:
    name = quote_key(member.key)
    if not member.key:
        raise DriftcheckError("service name is empty", path=display_path, line=member.line)
    if member.value.kind != "object":
        raise DriftcheckError(
            f'service {name} is {member.value.kind_phrase}, expected an object with a "port"',
            path=display_path,
            line=member.line,
        )
    return _record(member.key, member.value, member.line, _PLAIN, display_path)


def _list_item(item: JsonNode, number: int, display_path: str) -> DiscoveryRecord:
    if item.kind != "object":
        raise DriftcheckError(
            f"list item {number} is {item.kind_phrase}, expected a service record object",
            path=display_path,
            line=item.line,
        )
    consul = item.member("ServiceName") is not None
    name_key = "ServiceName" if consul else "service"
    name = item.member(name_key)
    if name is None:
        raise DriftcheckError(
            f'list item {number} has no "service" (or Consul "ServiceName")',
            path=display_path,
            line=item.line,
        )
    if name.value.kind != "string":
        raise DriftcheckError(
            f'"{name_key}" of list item {number} is {name.value.kind_phrase}, expected a string',
            path=display_path,
            line=name.line,
        )
    if not name.value.text:
        raise DriftcheckError(
            f'"{name_key}" of list item {number} is empty', path=display_path, line=name.line
        )
    return _record(name.value.text, item, item.line, _CONSUL if consul else _PLAIN, display_path)


def _record(
    service: str, record: JsonNode, record_line: int, fields: _Fields, display_path: str
) -> DiscoveryRecord:
    port_member = record.member(fields.port)
    port, raw_port = _port(service, port_member, display_path)
    host = _host(service, record.member(fields.host), display_path)
    if host is None and fields.fallback_host is not None:
        host = _host(service, record.member(fields.fallback_host), display_path)
    line = record_line if port_member is None else port_member.line
    return DiscoveryRecord(
        service=service,
        port=port,
        host=host,
        origin=Origin(display_path, line),
        raw_port=raw_port,
    )


def _port(
    service: str, member: JsonMember | None, display_path: str
) -> tuple[int | None, str | None]:
    if member is None or member.value.kind == "null":
        return None, None
    node = member.value
    if node.is_integer:
        return int(node.text), None
    if node.kind == "string" and _PORT_DIGITS.fullmatch(node.text):
        return int(node.text), None
    if node.kind in ("object", "array"):
        raise DriftcheckError(
            f"{quote_key(member.key)} of service {quote_key(service)} is {node.kind_phrase}, "
            "expected a number",
            path=display_path,
            line=member.line,
        )
    return None, node.text


def _host(service: str, member: JsonMember | None, display_path: str) -> str | None:
    if member is None or member.value.kind == "null":
        return None
    if member.value.kind != "string":
        raise DriftcheckError(
            f"{quote_key(member.key)} of service {quote_key(service)} is "
            f"{member.value.kind_phrase}, expected a string",
            path=display_path,
            line=member.line,
        )
    # An empty host says no more than a missing one (Consul writes "" for "use the node's").
    return member.value.text or None
