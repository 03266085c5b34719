"""port-mismatch (DC401): a port other than the one declared for that environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import BASIC_CONFIG, Found, codes, found
from tests.rules.build import HEAD, app, project

CODE = "DC401"
LISTEN = 'listen_port_key = "PORT"\nkeys.PORT = {type = "port", deprecated_names = ["HTTP_PORT"]}'
REDIS = 'keys.REDIS_PORT = {type = "port", targets = "redis"}'
WITH_REDIS = (
    BASIC_CONFIG + "[endpoints.redis]\nport = { dev = 6379, staging = 6380, prod = 6380 }\n"
)


def mismatches(
    tmp_path: Path, schema: str = LISTEN, config: str = BASIC_CONFIG, **env_files: str
) -> set[Found]:
    return found(app(tmp_path, schema, config, **env_files), CODE)


def at(env: str, key: str = "PORT", line: int = 1) -> Found:
    return Found(CODE, "app", env, key, f"app/.env.{env}", line)


def test_listening_on_another_port_than_declared(tmp_path: Path) -> None:
    assert mismatches(tmp_path, dev="PORT=8000\n", staging="A=1\nPORT=8080\n") == {
        at("staging", line=2)
    }


def test_the_listen_key_named_in_the_project_config(tmp_path: Path) -> None:
    config = BASIC_CONFIG + 'listen_port_key = "PORT"\n'
    schema = 'keys.PORT = {type = "port"}'
    assert mismatches(tmp_path, schema, config, prod="PORT=8080\n") == {at("prod")}


def test_ports_declared_per_environment(tmp_path: Path) -> None:
    config = BASIC_CONFIG.replace("port = 8000", "port = { dev = 8000, staging = 8080, prod = 80 }")
    env_files = {"dev": "PORT=8000\n", "staging": "PORT=8080\n", "prod": "PORT=8080\n"}
    assert mismatches(tmp_path, LISTEN, config, **env_files) == {at("prod")}


def test_a_port_key_targeting_an_endpoint(tmp_path: Path) -> None:
    env_files = {
        "dev": "REDIS_PORT=6379\n",
        "staging": "REDIS_PORT=6380\n",
        "prod": "REDIS_PORT=6379\n",
    }
    assert mismatches(tmp_path, REDIS, WITH_REDIS, **env_files) == {at("prod", "REDIS_PORT")}


def test_a_port_key_targeting_a_service_compares_with_its_listen_port(tmp_path: Path) -> None:
    config = HEAD + "[services.auth]\nport = 8081\n[services.web]\n"
    schemas = {"auth": LISTEN, "web": 'keys.AUTH_PORT = {type = "port", targets = "auth"}'}
    files = {"auth/.env.dev": "PORT=8081\n", "web/.env.dev": "AUTH_PORT=8001\n"}
    files |= {"auth/.env.prod": "PORT=9000\n", "web/.env.prod": "AUTH_PORT=9000\n"}
    assert codes(project(tmp_path, config, schemas, files), CODE) == {
        (CODE, "auth", "prod", "PORT"),
        (CODE, "web", "dev", "AUTH_PORT"),
    }


@pytest.mark.parametrize(
    ("schema", "prod"),
    [
        pytest.param(LISTEN, "PORT=8000\n", id="the declared port"),
        pytest.param(LISTEN, "PORT= 8000 \n", id="blanks around"),
        pytest.param(LISTEN, "PORT=80a0\n", id="not a port: invalid-port reports it"),
        pytest.param('keys.PORT = {type = "port"}', "PORT=9000\n", id="not the listen key"),
        pytest.param(REDIS, "REDIS_PORT=6380\n", id="the endpoint's port in prod"),
    ],
)
def test_not_reported(tmp_path: Path, schema: str, prod: str) -> None:
    assert mismatches(tmp_path, schema, WITH_REDIS, prod=prod) == set()


def test_listening_on_another_port_under_a_deprecated_name(tmp_path: Path) -> None:
    reported = mismatches(tmp_path, prod="HTTP_PORT=8080\n")
    assert {(f.environment, f.path, f.line) for f in reported} == {("prod", "app/.env.prod", 1)}


@pytest.mark.parametrize(
    ("ports", "reported"),
    [
        pytest.param('["8080:8000"]', False, id="forwards-to-the-listen-port"),
        pytest.param('["8080:8001"]', True, id="forwards-elsewhere"),
        pytest.param('["8080:8000", "9090:9090"]', False, id="one-of-several"),
        pytest.param("[]", False, id="no-ports"),
    ],
)
def test_compose_ports_must_forward_to_the_listen_port(
    tmp_path: Path, ports: str, reported: bool
) -> None:
    from tests.rules.build import deployed

    compose = f"services:\n  api:\n    environment: {{PORT: 8000}}\n    ports: {ports}\n"
    schema = 'listen_port_key = "PORT"\nkeys.PORT = {type = "port"}'
    expected = {Found("DC401", "api", "prod", "PORT", "compose.yaml", 4)} if reported else set()
    assert found(deployed(tmp_path, compose, {"api": schema}), "DC401") == expected
