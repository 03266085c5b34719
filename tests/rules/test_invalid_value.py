"""invalid-value (DC501): a value that does not parse as its declared type."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Found, found
from tests.rules.build import CANARY, app, assert_not_shown, shared_secret

CODE = "DC501"


def invalid(tmp_path: Path, key_type: str, value: str, extra: str = "") -> set[Found]:
    """What DC501 reports for an optional key V of ``key_type`` set to ``value`` in prod."""
    schema = f'keys.V = {{type = "{key_type}", required = false{extra}}}'
    return found(app(tmp_path, schema, prod=f"A=1\nV={value}\n"), CODE)


ENUM = ', choices = ["debug", "info"]'
REPORTED = Found(CODE, "app", "prod", "V", "app/.env.prod", 2)


@pytest.mark.parametrize(
    ("key_type", "value", "extra"),
    [
        ("int", "4.0", ""),
        ("int", "four", ""),
        ("int", "", ""),
        ("float", "1,5", ""),
        ("bool", "ture", ""),
        ("bool", "flase", ""),
        ("bool", "2", ""),
        ("url", "localhost:8000", ""),
        ("url", "api.example.com/v1", ""),
        ("url", "http://", ""),
        ("url", "http://host:80a0/", ""),
        ("host", "redis internal", ""),
        ("host", "http://redis", ""),
        ("host", "redis:80a0", ""),
        ("enum", "verbose", ENUM),
        ("enum", "DEBUG", ENUM),
    ],
)
def test_not_the_type_is_reported_at_its_line(
    tmp_path: Path, key_type: str, value: str, extra: str
) -> None:
    assert invalid(tmp_path, key_type, value, extra) == {REPORTED}


@pytest.mark.parametrize(
    ("key_type", "value", "extra"),
    [
        ("int", "-3", ""),
        ("float", "1e3", ""),
        ("float", "0.5", ""),
        *(("bool", word, "") for word in ("true", "False", "YES", "no", "on", "Off", "1", "0")),
        *(("bool", word, "") for word in ("t", "F", "y", "N")),
        ("url", "https://api.example.com:8443/v1?x=1", ""),
        ("url", "postgresql+asyncpg://user:pw@db/app", ""),
        ("url", "http://[::1]:8000", ""),
        ("host", "redis.internal", ""),
        ("host", "redis:6379", ""),
        ("host", "10.0.0.5", ""),
        ("host", "[::1]:6379", ""),
        ("enum", "info", ENUM),
        ("port", "80a0", ""),  # invalid-port's business
        ("str", "anything", ""),
        ("list", "a,b,,c", ""),
        ("secret", "anything", ""),
    ],
)
def test_valid_values_are_not_reported(
    tmp_path: Path, key_type: str, value: str, extra: str
) -> None:
    assert invalid(tmp_path, key_type, value, extra) == set()


def test_an_empty_required_value_is_left_to_required_key_empty(tmp_path: Path) -> None:
    root = app(tmp_path, 'keys.V = {type = "int"}', dev="V=1\n", staging="V=1\n", prod="V=\n")
    assert found(root, CODE) == set()


def test_under_a_deprecated_name(tmp_path: Path) -> None:
    schema = 'keys.V = {type = "int", required = false, deprecated_names = ["OLD_V"]}'
    assert found(app(tmp_path, schema, prod="OLD_V=four\n"), CODE) == {
        Found(CODE, "app", "prod", "OLD_V", "app/.env.prod", 1)
    }


def test_a_secret_url_is_never_shown(tmp_path: Path) -> None:
    schema = 'keys.DATABASE_URL = {type = "url", secret = true}'
    root = app(tmp_path, schema, prod=f"DATABASE_URL={CANARY}@db:5432/app\n")
    assert_not_shown(root, CODE, CANARY)


@pytest.mark.parametrize("value", ["sqlite:///app.db", "file:///etc/app/config.json"])
def test_urls_without_a_host_where_the_scheme_needs_none(tmp_path: Path, value: str) -> None:
    assert invalid(tmp_path, "url", value) == set()


def test_a_shared_secret_url_under_its_deprecated_name_is_never_shown(tmp_path: Path) -> None:
    config = shared_secret("DATABASE_URL")
    schema = 'keys.DATABASE_URL = {type = "url", deprecated_names = ["DB_URL"]}'
    root = app(tmp_path, schema, config, prod=f"DB_URL={CANARY}@db:5432/app\n")
    assert_not_shown(root, CODE, CANARY)
