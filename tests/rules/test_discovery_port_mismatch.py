"""discovery-port-mismatch (DC403): discovery says a service is on another port."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import BASIC_CONFIG, Found, found
from tests.rules.build import DISCOVERY, discovery_files, project

CODE = "DC403"
LISTEN = 'listen_port_key = "PORT"\nkeys.PORT = {type = "port", required = false}'


def mismatches(tmp_path: Path, staging_record: str, env_file: str = "") -> set[Found]:
    """What DC403 reports for app (declared on 8000) and one staging discovery file."""
    files = discovery_files(staging=staging_record)
    files["app/.env.staging"] = env_file
    return found(project(tmp_path, BASIC_CONFIG + DISCOVERY, {"app": LISTEN}, files), CODE)


def at(line: int) -> Found:
    return Found(CODE, "app", "staging", None, "discovery/staging.json", line)


@pytest.mark.parametrize(
    "record",
    [
        pytest.param('{"services": {\n"app": {"port": 8001}}}', id="services table"),
        pytest.param('{"app": {"host": "10.0.0.5",\n"port": 8001}}', id="flat"),
        pytest.param('[{"service": "app",\n"port": 8001}]', id="list"),
        pytest.param('[{"ServiceName": "app",\n"ServicePort": 8001}]', id="Consul"),
        pytest.param('{"app": {"host": "10.0.0.5",\n"port": "8001"}}', id="port as a string"),
    ],
)
def test_discovery_disagrees_with_the_declared_port(tmp_path: Path, record: str) -> None:
    assert mismatches(tmp_path, record) == {at(2)}


def test_the_listen_key_is_the_port_the_service_binds(tmp_path: Path) -> None:
    assert mismatches(tmp_path, '{"app": {"port": 8000}}', "PORT=8001\n") == {at(1)}


@pytest.mark.parametrize(
    ("record", "env_file"),
    [
        pytest.param('{"app": {"port": 8000}}', "", id="the declared port"),
        pytest.param('{"app": {"port": 8001}}', "PORT=8001\n", id="the listened port"),
        pytest.param('{"worker": {"port": 8001}}', "", id="a service of another project"),
        pytest.param('{"app": {"host": "10.0.0.5"}}', "", id="no port"),
        pytest.param('{"app": {"port": null}}', "", id="null port"),
        pytest.param('{"app": {"port": "80a0"}}', "", id="not a port: invalid-port"),
    ],
)
def test_not_reported(tmp_path: Path, record: str, env_file: str) -> None:
    assert mismatches(tmp_path, record, env_file) == set()


def test_each_environment_is_compared_with_its_own_port(tmp_path: Path) -> None:
    config = BASIC_CONFIG.replace("port = 8000", "port = { dev = 8000, staging = 8001, prod = 80 }")
    record = '{"app": {"port": 8001}}'
    files = discovery_files(dev=record, staging=record, prod=record)
    root = project(tmp_path, config + DISCOVERY, {"app": ""}, files)
    assert {(f.environment, f.path) for f in found(root, CODE)} == {
        ("dev", "discovery/dev.json"),
        ("prod", "discovery/prod.json"),
    }
