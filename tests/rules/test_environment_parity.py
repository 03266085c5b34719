"""environment-parity (DC601): a key set in some environments of a service, not in others."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Found, codes, found
from tests.rules.build import Place, app

CODE = "DC601"
TTL = 'keys.CACHE_TTL = {type = "int", default = 60, deprecated_names = ["TTL"]}'


def parity(tmp_path: Path, schema: str = TTL, **env_files: str) -> set[Place]:
    return codes(app(tmp_path, schema, **env_files), CODE)


def test_set_in_dev_only_is_reported_in_the_files_that_lack_it(tmp_path: Path) -> None:
    assert found(app(tmp_path, TTL, dev="CACHE_TTL=60\n"), CODE) == {
        Found(CODE, "app", "staging", "CACHE_TTL", "app/.env.staging"),
        Found(CODE, "app", "prod", "CACHE_TTL", "app/.env.prod"),
    }


def test_a_bare_key_is_not_set(tmp_path: Path) -> None:
    env_files = {"dev": "CACHE_TTL=60\n", "staging": "CACHE_TTL=60\n", "prod": "CACHE_TTL\n"}
    assert parity(tmp_path, **env_files) == {(CODE, "app", "prod", "CACHE_TTL")}


def test_not_reported_where_required_key_missing_reports_it(tmp_path: Path) -> None:
    schema = 'keys.CACHE_TTL = {required = ["prod"]}'
    assert parity(tmp_path, schema, dev="CACHE_TTL=60\n") == {(CODE, "app", "staging", "CACHE_TTL")}


@pytest.mark.parametrize(
    ("schema", "env_files"),
    [
        pytest.param(
            TTL,
            {"dev": "CACHE_TTL=1\n", "staging": "CACHE_TTL=2\n", "prod": "CACHE_TTL=3\n"},
            id="set everywhere",
        ),
        pytest.param(TTL, {}, id="set nowhere"),
        pytest.param(
            TTL,
            {"dev": "CACHE_TTL=1\n", "staging": "TTL=2\n", "prod": "CACHE_TTL=\n"},
            id="under a deprecated name or empty",
        ),
        pytest.param(
            'keys.CACHE_TTL = {environments = ["dev"]}',
            {"dev": "CACHE_TTL=1\n"},
            id="scoped to dev",
        ),
        pytest.param(
            'keys.CACHE_TTL = {environments = ["dev", "staging"]}',
            {"dev": "CACHE_TTL=1\n", "staging": "CACHE_TTL=1\n"},
            id="scoped to two",
        ),
        pytest.param("", {"dev": "CACHE_TTL=1\n"}, id="not in the schema"),
    ],
)
def test_not_reported(tmp_path: Path, schema: str, env_files: dict[str, str]) -> None:
    assert parity(tmp_path, schema, **env_files) == set()


RUN = """
apiVersion: serving.knative.dev/v1
kind: Service
metadata: {{name: app}}
spec:
  template:
    spec:
      containers:
        - env:
{env}
"""
BY_REFERENCE = "            - {name: TOKEN, valueFrom: {secretKeyRef: {name: t, key: latest}}}"


def test_a_key_delivered_by_reference_counts_as_set(tmp_path: Path) -> None:
    from tests.rules.build import head, project

    config = head('{ path = "run/{env}.yaml", format = "cloudrun" }') + "[services.app]\n"
    files = {
        "run/dev.yaml": RUN.format(env=BY_REFERENCE),
        "run/staging.yaml": RUN.format(env=BY_REFERENCE),
        "run/prod.yaml": RUN.format(env="            - {name: OTHER, value: x}"),
    }
    schema = 'keys.TOKEN = {type = "secret", required = false}\nkeys.OTHER = {required = false}'
    root = project(tmp_path, config, {"app": schema}, files)
    assert codes(root, "DC601") == {
        ("DC601", "app", "prod", "TOKEN"),
        ("DC601", "app", "dev", "OTHER"),
        ("DC601", "app", "staging", "OTHER"),
    }
