"""near-miss-key (DC203): a key the service does not read, close to one it does."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import BASIC_CONFIG, Found, codes, found
from tests.rules.build import HEAD, app, project

CODE = "DC203"
READS = ("DATABASE_URL", "JWT_SECRET_KEY", "PORT", "CORS_ORIGINS", "FLAG_DEVELOPMENT")
SCHEMA = "\n".join(f"keys.{key} = {{required = false}}" for key in READS)


def near_misses(tmp_path: Path, prod: str, config: str = BASIC_CONFIG) -> set[Found]:
    return found(app(tmp_path, SCHEMA, config, prod=prod), CODE)


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("DATABSE_URL", id="typo"),
        pytest.param("DATABASE_URI", id="other suffix letter"),
        pytest.param("JWT_SECRET", id="suffix dropped"),
        pytest.param("APP_PORT", id="prefix added"),
        pytest.param("CORS_ALLOWED_ORIGINS", id="word in the middle"),
        pytest.param("FLAG_DEV", id="environment word abbreviated"),
        pytest.param("jwt-secret-key", id="case and separators"),
        pytest.param("DB_URL", id="abbreviated word"),
    ],
)
def test_near_miss_is_reported_at_its_line(tmp_path: Path, key: str) -> None:
    assert near_misses(tmp_path, f"OTHER_SETTING=1\n{key}=x\n") == {
        Found(CODE, "app", "prod", key, "app/.env.prod", 2)
    }


def test_another_services_name_for_a_shared_setting(tmp_path: Path) -> None:
    config = HEAD + "[services.auth]\n[services.backend]\n[shared.jwt]\n"
    config += 'members = { auth = "SIGNING_KEY", backend = "TOKEN_SECRET" }\n'
    schemas = {
        "auth": "keys.SIGNING_KEY = {required = false}",
        "backend": "keys.TOKEN_SECRET = {required = false}",
    }
    root = project(tmp_path, config, schemas, {"backend/.env.prod": "SIGNING_KEY=x\n"})
    assert codes(root, CODE) == {(CODE, "backend", "prod", "SIGNING_KEY")}


@pytest.mark.parametrize(
    "prod",
    [
        pytest.param("JWT_SECRET_KEY=x\nPORT=1\n", id="keys the service reads"),
        pytest.param("LEGACY_FLAG=1\n", id="unrelated: unknown-key reports it"),
        pytest.param("PATH=/bin\nHOME=/root\nHOSTNAME=web-1\n", id="platform keys"),
        pytest.param("\ufeffPORT=1\n", id="byte-order-mark reports a BOM-prefixed first key"),
    ],
)
def test_not_reported(tmp_path: Path, prod: str) -> None:
    assert near_misses(tmp_path, prod) == set()


def test_deprecated_names_are_read(tmp_path: Path) -> None:
    schema = 'keys.CORS_ORIGINS = {required = false, deprecated_names = ["CORS_ALLOWED_ORIGINS"]}'
    root = app(tmp_path, schema, prod="CORS_ALLOWED_ORIGINS=x\n")
    assert codes(root, CODE) == set()


def test_keys_declared_as_platform_keys_are_not_reported(tmp_path: Path) -> None:
    config = BASIC_CONFIG + '[platform]\nkeys = ["JWT_SECRET", "APP_*"]\n'
    assert near_misses(tmp_path, "JWT_SECRET=x\nAPP_PORT=1\n", config) == set()
