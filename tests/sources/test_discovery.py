"""Service-discovery records: which port and host each service bound."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftcheck.errors import DriftcheckError
from driftcheck.sources.discovery import (
    DiscoveryRecord,
    parse_discovery_records,
    read_discovery_records,
)
from driftcheck.values import Origin

SHOWN = "discovery/production.json"
CANARY = "canary-Dc77-do-not-print"

Row = tuple[str, int | None, str | None, int | None, str | None]


def write(tmp_path: Path, content: str | bytes, name: str = "discovery.json") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def rows(tmp_path: Path, content: str | bytes) -> list[Row]:
    """(service, port, host, line, raw_port) of every record, in order."""
    records = read_discovery_records(write(tmp_path, content), SHOWN)
    assert all(record.origin.path == SHOWN for record in records)
    return [
        (record.service, record.port, record.host, record.origin.line, record.raw_port)
        for record in records
    ]


def read_error(tmp_path: Path, content: str | bytes) -> DriftcheckError:
    with pytest.raises(DriftcheckError) as caught:
        read_discovery_records(write(tmp_path, content), SHOWN)
    return caught.value


# --- the four shapes ------------------------------------------------------------------


def test_services_table(tmp_path: Path) -> None:
    content = (
        "{\n"
        '  "generated_at": "2026-11-21T09:00:00Z",\n'
        '  "services": {\n'
        '    "backend": {\n'
        '      "host": "10.0.0.5",\n'
        '      "port": 8001\n'
        "    },\n"
        '    "frontend": {"port": 3000}\n'
        "  }\n"
        "}\n"
    )
    assert rows(tmp_path, content) == [
        ("backend", 8001, "10.0.0.5", 6, None),
        ("frontend", 3000, None, 8, None),
    ]


def test_top_level_table_of_services(tmp_path: Path) -> None:
    content = '{\n"backend": {"port": 8001},\n"worker": {\n"host": "w1",\n"port": 9000}\n}'
    assert rows(tmp_path, content) == [
        ("backend", 8001, None, 2, None),
        ("worker", 9000, "w1", 5, None),
    ]


def test_a_service_named_services_is_a_record_not_a_table(tmp_path: Path) -> None:
    content = '{"services": {"port": 7000},\n"backend": {"port": 8001}}'
    assert rows(tmp_path, content) == [
        ("services", 7000, None, 1, None),
        ("backend", 8001, None, 2, None),
    ]


def test_list_of_records(tmp_path: Path) -> None:
    content = (
        "[\n"
        '  {"service": "backend", "port": 8001, "host": "10.0.0.5"},\n'
        "  {\n"
        '    "service": "worker",\n'
        '    "protocol": "grpc",\n'
        '    "port": 9000\n'
        "  }\n"
        "]\n"
    )
    assert rows(tmp_path, content) == [
        ("backend", 8001, "10.0.0.5", 2, None),
        ("worker", 9000, None, 6, None),
    ]


def test_consul_catalog_items(tmp_path: Path) -> None:
    content = (
        "[\n"
        "  {\n"
        '    "Node": "node-1",\n'
        '    "Address": "10.0.0.1",\n'
        '    "ServiceName": "backend",\n'
        '    "ServiceAddress": "10.0.0.5",\n'
        '    "ServicePort": 8001\n'
        "  },\n"
        '  {"Address": "10.0.0.2", "ServiceName": "backend", "ServiceAddress": "",\n'
        '   "ServicePort": 8002},\n'
        '  {"ServiceName": "cache", "ServicePort": 6379}\n'
        "]\n"
    )
    # An empty ServiceAddress means the node's Address, as Consul defines it.
    assert rows(tmp_path, content) == [
        ("backend", 8001, "10.0.0.5", 7, None),
        ("backend", 8002, "10.0.0.2", 10, None),
        ("cache", 6379, None, 11, None),
    ]


def test_empty_shapes_have_no_records(tmp_path: Path) -> None:
    assert rows(tmp_path, "[]") == []
    assert rows(tmp_path, "{}") == []
    assert rows(tmp_path, '{"services": {}}') == []


def test_duplicate_services_are_all_kept(tmp_path: Path) -> None:
    content = '[{"service": "a", "port": 1},\n{"service": "a", "port": 2}]'
    assert rows(tmp_path, content) == [("a", 1, None, 1, None), ("a", 2, None, 2, None)]


def test_duplicate_port_keys_take_the_last_like_json_loads(tmp_path: Path) -> None:
    content = '{"backend": {"port": 1,\n"port": 2}}'
    assert rows(tmp_path, content) == [("backend", 2, None, 2, None)]


# --- ports ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("port", "expected", "raw"),
    [
        ('"8001"', 8001, None),
        ('"80a1"', None, "80a1"),
        ('" 8001"', None, " 8001"),
        ('""', None, ""),
        ("8000.5", None, "8000.5"),
        ("8001.0", None, "8001.0"),
        ("8e3", None, "8e3"),
        ("true", None, "true"),
        ("0", 0, None),
        ("70000", 70000, None),
        ("-1", -1, None),
    ],
)
def test_port_values(tmp_path: Path, port: str, expected: int | None, raw: str | None) -> None:
    content = '{"backend": {\n"port": ' + port + "}}"
    assert rows(tmp_path, content) == [("backend", expected, None, 2, raw)]


@pytest.mark.parametrize("record", ['{"host": "h"}', '{"port": null, "host": "h"}'])
def test_missing_or_null_port_is_none_at_the_line_of_the_record(
    tmp_path: Path, record: str
) -> None:
    assert rows(tmp_path, '{\n\n"backend": ' + record + "}") == [("backend", None, "h", 3, None)]


def test_missing_port_in_a_list_item_is_at_the_line_of_the_item(tmp_path: Path) -> None:
    assert rows(tmp_path, '[\n\n  {"service": "x"}]') == [("x", None, None, 3, None)]


def test_raw_port_is_kept_out_of_repr(tmp_path: Path) -> None:
    records = read_discovery_records(write(tmp_path, '{"b": {"port": "' + CANARY + '"}}'), SHOWN)
    assert records[0].raw_port == CANARY
    assert CANARY not in repr(records)
    assert repr(records[0]) == (
        "DiscoveryRecord(service='b', port=None, host=None, "
        "origin=Origin(path='discovery/production.json', line=1))"
    )


def test_record_built_without_raw_port() -> None:
    record = DiscoveryRecord("b", 8001, None, Origin("x", 1))
    assert record.raw_port is None


# --- hosts ----------------------------------------------------------------------------


def test_empty_host_is_no_host(tmp_path: Path) -> None:
    assert rows(tmp_path, '{"b": {"port": 1, "host": ""}}') == [("b", 1, None, 1, None)]


def test_host_must_be_a_string(tmp_path: Path) -> None:
    error = read_error(tmp_path, '{"b": {"port": 1,\n"host": 10}}')
    assert str(error) == f'{SHOWN}:2: "host" of service "b" is a number, expected a string'


def test_consul_address_must_be_a_string(tmp_path: Path) -> None:
    error = read_error(tmp_path, '[{"ServiceName": "b", "ServiceAddress": ["x"]}]')
    assert str(error) == (
        f'{SHOWN}:1: "ServiceAddress" of service "b" is an array, expected a string'
    )


# --- wrong shapes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('"backend:8001"', "1: top level is a string"),
        ("\n8001", "2: top level is a number"),
        ("null", "1: top level is null"),
    ],
)
def test_top_level_must_be_an_object_or_a_list(tmp_path: Path, content: str, message: str) -> None:
    error = read_error(tmp_path, content)
    assert str(error) == (
        f"{SHOWN}:{message}, expected an object of services or a list of service records"
    )


def test_service_must_be_an_object(tmp_path: Path) -> None:
    error = read_error(tmp_path, '{"backend": {"port": 1},\n"frontend": 3000}')
    assert (
        str(error) == f'{SHOWN}:2: service "frontend" is a number, expected an object with a "port"'
    )


def test_service_name_must_not_be_empty(tmp_path: Path) -> None:
    error = read_error(tmp_path, '{"services": {\n"": {"port": 1}}}')
    assert str(error) == f"{SHOWN}:2: service name is empty"


def test_list_item_must_be_an_object(tmp_path: Path) -> None:
    error = read_error(tmp_path, '[{"service": "a", "port": 1},\n"b:2"]')
    assert str(error) == f"{SHOWN}:2: list item 2 is a string, expected a service record object"


def test_list_item_needs_a_service_name(tmp_path: Path) -> None:
    error = read_error(tmp_path, '[\n{"port": 1, "name": "backend"}]')
    assert str(error) == f'{SHOWN}:2: list item 1 has no "service" (or Consul "ServiceName")'


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ('{"service": 5}', '"service" of list item 1 is a number, expected a string'),
        ('{"ServiceName": null}', '"ServiceName" of list item 1 is null, expected a string'),
        ('{"service": ""}', '"service" of list item 1 is empty'),
    ],
)
def test_list_item_service_name_must_be_a_non_empty_string(
    tmp_path: Path, item: str, message: str
) -> None:
    assert str(read_error(tmp_path, "[" + item + "]")) == f"{SHOWN}:1: {message}"


def test_port_must_not_be_a_container(tmp_path: Path) -> None:
    error = read_error(tmp_path, '{"backend": {\n"port": {"value": "' + CANARY + '"}}}')
    assert str(error) == f'{SHOWN}:2: "port" of service "backend" is an object, expected a number'
    assert CANARY not in repr(error)


# --- bad files ------------------------------------------------------------------------


def test_invalid_json_has_line_and_column_and_no_content(tmp_path: Path) -> None:
    error = read_error(tmp_path, '{"backend": {"port": 8001,\n  "token": ' + CANARY + "}}")
    assert str(error) == f"{SHOWN}:2:12: invalid JSON: Expecting value"
    assert CANARY not in repr(error)
    assert error.__context__ is None


def test_empty_file(tmp_path: Path) -> None:
    assert str(read_error(tmp_path, "")) == f"{SHOWN}: file is empty, expected a JSON document"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DriftcheckError) as caught:
        read_discovery_records(tmp_path / "absent.json", SHOWN)
    assert str(caught.value) == f"{SHOWN}: cannot read: no such file"


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(DriftcheckError) as caught:
        read_discovery_records(tmp_path, SHOWN)
    assert str(caught.value) == f"{SHOWN}: is a directory, expected a file"


def test_invalid_utf8(tmp_path: Path) -> None:
    error = read_error(tmp_path, b'{\n"b": {"port": 1, "host": "\x80"}}')
    assert str(error) == f"{SHOWN}:2: invalid UTF-8 (byte 0x80 at column 27)"


def test_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    assert rows(tmp_path, '\ufeff{"b": {"port": 1}}') == [("b", 1, None, 1, None)]


def test_parse_discovery_records_reads_text_directly() -> None:
    assert parse_discovery_records('{"b": {"port": 1}}', "<stdin>") == [
        DiscoveryRecord("b", 1, None, Origin("<stdin>", 1))
    ]
