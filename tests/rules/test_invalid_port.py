"""invalid-port (DC405): a port that is not an integer in 1..65535."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import BASIC_CONFIG, Found, found
from tests.rules.build import DISCOVERY, app, discovery_files, project

CODE = "DC405"
PORT = 'keys.PORT = {type = "port", required = false, deprecated_names = ["HTTP_PORT"]}'


def invalid(tmp_path: Path, prod: str, schema: str = PORT) -> set[Found]:
    return found(app(tmp_path, schema, prod=prod), CODE)


def invalid_records(tmp_path: Path, record: str) -> set[Found]:
    files = discovery_files(prod=record)
    return found(project(tmp_path, BASIC_CONFIG + DISCOVERY, {"app": ""}, files), CODE)


@pytest.mark.parametrize(
    "value", ["80a0", "8O00", "8000.0", "0", "70000", "-1", "+8000", "0x1F40", "８０００"]
)
def test_not_a_port_is_reported_at_its_line(tmp_path: Path, value: str) -> None:
    assert invalid(tmp_path, f"A=1\nPORT={value}\n") == {
        Found(CODE, "app", "prod", "PORT", "app/.env.prod", 2)
    }


def test_under_a_deprecated_name(tmp_path: Path) -> None:
    assert invalid(tmp_path, "HTTP_PORT=80a0\n") == {
        Found(CODE, "app", "prod", "HTTP_PORT", "app/.env.prod", 1)
    }


@pytest.mark.parametrize(
    ("prod", "schema"),
    [
        pytest.param("PORT=1\n", PORT, id="1"),
        pytest.param("PORT=65535\n", PORT, id="65535"),
        pytest.param('PORT=" 8000 "\n', PORT, id="blanks: surrounding-whitespace's"),
        pytest.param("PORT=\n", PORT, id="empty"),
        pytest.param("PORT\n", PORT, id="bare key"),
        pytest.param("PORT=80a0\n", 'keys.PORT = {type = "int"}', id="not a port key"),
        pytest.param("PORT=80a0\n", "", id="not in the schema"),
    ],
)
def test_not_reported(tmp_path: Path, prod: str, schema: str) -> None:
    assert invalid(tmp_path, prod, schema) == set()


@pytest.mark.parametrize("port", ['"80a0"', "0", "70000", "-1", "true", "8001.5", '""'])
def test_a_discovery_record_with_a_bad_port(tmp_path: Path, port: str) -> None:
    assert invalid_records(tmp_path, f'{{"app": {{"host": "h",\n"port": {port}}}}}') == {
        Found(CODE, "app", "prod", None, "discovery/prod.json", 2)
    }


@pytest.mark.parametrize("port", ['"8001"', "8001", "null"])
def test_a_discovery_record_with_a_port_or_none(tmp_path: Path, port: str) -> None:
    assert invalid_records(tmp_path, f'{{"app": {{"port": {port}}}}}') == set()
