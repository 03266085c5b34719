"""address-wrong-port (DC402): a URL or host:port that misses its target's port."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Found, found
from tests.rules.build import HEAD, project

CODE = "DC402"
CONFIG = (
    HEAD
    + """
[services.auth]
port = 8081
[services.api]
port = 8000
public_url = { prod = "https://api.example.com" }
[services.web]

[endpoints.postgres]
port = 5432
[endpoints.clickhouse]
port = 8123
"""
)
WEB = """
keys.AUTH_URL = {type = "url", targets = "auth", deprecated_names = ["OLD_AUTH_URL"]}
keys.API_URL = {type = "url", targets = "api"}
keys.DATABASE_URL = {type = "url", targets = "postgres", secret = true}
keys.CLICKHOUSE_URL = {type = "url", targets = "clickhouse"}
keys.CLICKHOUSE_HOST = {type = "host", targets = "clickhouse"}
"""
SCHEMAS = {
    "auth": 'listen_port_key = "PORT"\nkeys.PORT = {type = "port", required = false}',
    "api": "",
    "web": WEB,
}


def wrong_ports(tmp_path: Path, web: str, env: str = "dev", auth: str = "") -> set[Found]:
    """What DC402 reports with ``web`` as web's file (after one line) in ``env``."""
    files = {f"web/.env.{env}": "X=1\n" + web + "\n", f"auth/.env.{env}": auth}
    return found(project(tmp_path, CONFIG, SCHEMAS, files), CODE)


def at(key: str, env: str = "dev") -> Found:
    return Found(CODE, "web", env, key, f"web/.env.{env}", 2)


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("AUTH_URL=http://localhost:8001", id="another port"),
        pytest.param("AUTH_URL=http://localhost", id="http's default port 80"),
        pytest.param("AUTH_URL=https://auth.internal/login", id="https's default port 443"),
        pytest.param("OLD_AUTH_URL=http://localhost:8001", id="deprecated name"),
        pytest.param("DATABASE_URL=postgres://app:pw@db:6432/app", id="pgbouncer's port"),
        pytest.param("CLICKHOUSE_URL=http://clickhouse:9000", id="native port for HTTP"),
        pytest.param("CLICKHOUSE_HOST=clickhouse:9000", id="host:port"),
        pytest.param("CLICKHOUSE_HOST=[::1]:9000", id="IPv6 host:port"),
    ],
)
def test_wrong_port_is_reported_at_its_line(tmp_path: Path, line: str) -> None:
    assert wrong_ports(tmp_path, line) == {at(line.split("=")[0])}


def test_the_target_services_listen_port_wins_over_its_declared_one(tmp_path: Path) -> None:
    assert wrong_ports(tmp_path, "AUTH_URL=http://localhost:8081", auth="PORT=9000\n") == {
        at("AUTH_URL")
    }


@pytest.mark.parametrize(
    ("line", "env"),
    [
        pytest.param("AUTH_URL=http://localhost:8081/login", "dev", id="right port"),
        pytest.param("DATABASE_URL=postgres://app:pw@db/app", "dev", id="postgres default"),
        pytest.param("DATABASE_URL=postgresql+asyncpg://db/app", "dev", id="driver suffix"),
        pytest.param("CLICKHOUSE_HOST=clickhouse:8123", "dev", id="right host:port"),
        pytest.param("CLICKHOUSE_HOST=clickhouse", "dev", id="host without port"),
        pytest.param("AUTH_URL=localhost:8001", "dev", id="not a URL: invalid-value"),
        pytest.param("API_URL=https://api.example.com", "prod", id="public HTTPS URL"),
        pytest.param("API_URL=https://api.example.com/v1/", "prod", id="public URL with path"),
        pytest.param("API_URL=http://api:8000", "prod", id="internal URL in prod"),
    ],
)
def test_not_reported(tmp_path: Path, line: str, env: str) -> None:
    assert wrong_ports(tmp_path, line, env) == set()


@pytest.mark.parametrize(
    ("line", "env"),
    [
        pytest.param("API_URL=https://api.example.com:8443", "prod", id="other public port"),
        pytest.param("API_URL=https://api.example.com", "staging", id="no public URL there"),
    ],
)
def test_public_host_on_another_port(tmp_path: Path, line: str, env: str) -> None:
    assert wrong_ports(tmp_path, line, env) == {at("API_URL", env)}


def test_the_targets_listen_port_is_taken_from_the_same_environment(tmp_path: Path) -> None:
    auth = {"auth/.env.prod": "PORT=8181\n", "web/.env.prod": "AUTH_URL=http://auth:8081\n"}
    auth |= {"web/.env.dev": "AUTH_URL=http://localhost:8081\n"}
    root = project(tmp_path, CONFIG, SCHEMAS, auth)
    assert found(root, CODE) == {Found(CODE, "web", "prod", "AUTH_URL", "web/.env.prod", 1)}


def test_the_default_port_of_an_http_driver_scheme(tmp_path: Path) -> None:
    assert wrong_ports(tmp_path, "CLICKHOUSE_URL=clickhouse+http://clickhouse/default") == set()


# -- addresses from deployment manifests ---------------------------------------------------

COMPOSE = """
services:
  api:
    image: api
    environment: {{PORT: 8000}}
    ports: ["8080:8000"]
  web:
    image: web
    environment:
      API_URL: {url}
"""
COMPOSE_SCHEMAS = {
    "api": 'listen_port_key = "PORT"\nkeys.PORT = {type = "port", required = false}',
    "web": 'keys.API_URL = {type = "url", targets = "api"}',
}


def compose_wrong_ports(tmp_path: Path, url: str) -> set[tuple[str, str | None]]:
    from tests.rules.build import deployed

    root = deployed(tmp_path, COMPOSE.format(url=url), COMPOSE_SCHEMAS)
    return {(f.key, f.path) for f in found(root, CODE)}


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("http://api:8000", id="service-name-container-port"),
        pytest.param("http://localhost:8080", id="host-published-port"),
        pytest.param("http://127.0.0.1:8080/health", id="loopback-published-port"),
    ],
)
def test_compose_addresses_that_reach_the_service(tmp_path: Path, url: str) -> None:
    assert compose_wrong_ports(tmp_path, url) == set()


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("http://api:8080", id="published-port-on-the-network"),
        pytest.param("http://localhost:8000", id="container-port-from-the-host"),
    ],
)
def test_compose_addresses_that_miss(tmp_path: Path, url: str) -> None:
    assert compose_wrong_ports(tmp_path, url) == {("API_URL", "compose.yaml")}


KUBERNETES = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          ports: [{name: http, containerPort: 8000}]
          env: [{name: PORT, value: "8000"}]
---
apiVersion: v1
kind: Service
metadata: {name: api-svc}
spec:
  selector: {app: api}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - name: web
          env: [{name: API_URL, value: "{url}"}]
"""


@pytest.mark.parametrize(
    ("url", "reported"),
    [
        pytest.param("http://api-svc", False, id="service-port-80"),
        pytest.param("http://api-svc.default.svc.cluster.local:80/x", False, id="full-name"),
        pytest.param("http://api-svc:8000", True, id="target-port-on-the-service"),
    ],
)
def test_kubernetes_service_addresses(tmp_path: Path, url: str, reported: bool) -> None:
    from tests.rules.build import deployed

    manifest = KUBERNETES.replace("{url}", url)
    root = deployed(tmp_path, manifest, COMPOSE_SCHEMAS, "kubernetes")
    assert bool(found(root, CODE)) is reported
