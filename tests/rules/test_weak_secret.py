"""weak-secret (DC303): a placeholder, short or one-character secret outside development."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Found, codes, found
from tests.rules.build import (
    CANARY,
    Place,
    app,
    assert_not_shown,
    fingerprint,
    reading,
    shared_secret,
)

CODE = "DC303"
JWT = 'keys.JWT = {type = "secret", required = false, deprecated_names = ["OLD_JWT"]}'
STRONG = "JWT=Zq8vN3xLr2Pw7Ks4Hd9Tb6Yc\n"


def weak(tmp_path: Path, env_file: str, schema: str = JWT, env: str = "prod") -> set[Place]:
    return codes(app(tmp_path, schema, **{env: env_file}), CODE)


@pytest.mark.parametrize(
    "value",
    [
        "changeme",
        "CHANGEME",
        "secret",
        "your-secret-here",
        "<your-jwt-secret-goes-here>",
        "{{ jwt_secret_placeholder }}",
        "xxxxxxxxxxxxxxxxxxxxxxxx",
        "************************",
    ],
)
def test_placeholders(tmp_path: Path, value: str) -> None:
    assert weak(tmp_path, f"JWT={value}\n") == {(CODE, "app", "prod", "JWT")}


def test_too_short_for_the_default_minimum_of_16(tmp_path: Path) -> None:
    assert weak(tmp_path, "JWT=Zq8vN3xLr2Pw7Ks\n") == {(CODE, "app", "prod", "JWT")}


def test_too_short_for_the_schemas_minimum(tmp_path: Path) -> None:
    schema = 'keys.JWT = {type = "secret", min_length = 32}'
    assert weak(tmp_path, STRONG, schema) == {(CODE, "app", "prod", "JWT")}


def test_one_character_repeated(tmp_path: Path) -> None:
    assert weak(tmp_path, "JWT=aaaaaaaaaaaaaaaaaaaaaaaa\n") == {(CODE, "app", "prod", "JWT")}


def test_reported_at_its_line_in_staging(tmp_path: Path) -> None:
    root = app(tmp_path, JWT, staging="A=1\nJWT=changeme\n")
    assert found(root, CODE) == {Found(CODE, "app", "staging", "JWT", "app/.env.staging", 2)}


def test_under_a_deprecated_name(tmp_path: Path) -> None:
    assert weak(tmp_path, "OLD_JWT=changeme\n") == {(CODE, "app", "prod", "OLD_JWT")}


@pytest.mark.parametrize(
    "schema",
    [
        pytest.param("keys.JWT = {secret = true}", id="secret=true"),
        pytest.param('keys.JWT = {type = "url", secret = true}', id="secret url"),
    ],
)
def test_other_kinds_of_secret(tmp_path: Path, schema: str) -> None:
    assert weak(tmp_path, "JWT=changeme\n", schema) == {(CODE, "app", "prod", "JWT")}


def test_a_member_of_a_secret_shared_setting(tmp_path: Path) -> None:
    config = shared_secret("JWT")
    root = app(tmp_path, "keys.JWT = {required = false}", config, prod="JWT=changeme\n")
    assert codes(root, CODE) == {(CODE, "app", "prod", "JWT")}


@pytest.mark.parametrize(
    ("env_file", "schema", "env"),
    [
        pytest.param(STRONG, JWT, "prod", id="long random value"),
        pytest.param("JWT=changeme\n", JWT, "dev", id="in development"),
        pytest.param("JWT=changeme\n", "keys.JWT = {required = false}", "prod", id="not secret"),
        pytest.param(
            "JWT=Zq8vN3xLr2\n",
            'keys.JWT = {type = "secret", min_length = 8}',
            "prod",
            id="long enough for the schema",
        ),
        pytest.param("JWT=\n", JWT, "prod", id="empty: required-key-empty's business"),
        pytest.param("JWT\n", JWT, "prod", id="bare key"),
        pytest.param("PASSWORD=changeme\n", JWT, "prod", id="not in the schema"),
    ],
)
def test_not_reported(tmp_path: Path, env_file: str, schema: str, env: str) -> None:
    assert weak(tmp_path, env_file, schema, env) == set()


def test_an_environment_declared_development_may_hold_placeholders(tmp_path: Path) -> None:
    environments = "[environments.dev]\n[environments.preview]\ndevelopment = true"
    config = reading(environments=environments + "\n[environments.prod]")
    root = app(tmp_path, JWT, config, preview="JWT=changeme\n")
    assert codes(root, CODE) == set()


def test_neither_the_value_nor_its_fingerprint_is_shown(tmp_path: Path) -> None:
    root = app(tmp_path, 'keys.JWT = {type = "secret", min_length = 64}', prod=f"JWT={CANARY}\n")
    assert_not_shown(root, CODE, CANARY, fingerprint(CANARY))


def test_a_shared_secret_under_its_deprecated_name(tmp_path: Path) -> None:
    config = shared_secret("JWT")
    schema = 'keys.JWT = {required = false, deprecated_names = ["OLD_JWT"]}'
    root = app(tmp_path, schema, config, prod="OLD_JWT=changeme\n")
    assert codes(root, CODE) == {(CODE, "app", "prod", "OLD_JWT")}
