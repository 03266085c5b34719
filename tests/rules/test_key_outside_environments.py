"""key-outside-environments (DC603): a key scoped to some environments set in another."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Found, found
from tests.rules.build import app

CODE = "DC603"
BYPASS = (
    'keys.AUTH_BYPASS = {type = "bool", environments = ["dev"], deprecated_names = ["NO_AUTH"]}'
)


def outside(tmp_path: Path, schema: str = BYPASS, **env_files: str) -> set[Found]:
    return found(app(tmp_path, schema, **env_files), CODE)


def test_a_dev_only_key_in_prod_is_reported_at_its_line(tmp_path: Path) -> None:
    assert outside(tmp_path, dev="AUTH_BYPASS=true\n", prod="A=1\nAUTH_BYPASS=true\n") == {
        Found(CODE, "app", "prod", "AUTH_BYPASS", "app/.env.prod", 2)
    }


def test_under_a_deprecated_name(tmp_path: Path) -> None:
    assert outside(tmp_path, staging="NO_AUTH=true\n") == {
        Found(CODE, "app", "staging", "NO_AUTH", "app/.env.staging", 1)
    }


def test_an_empty_value_is_still_set(tmp_path: Path) -> None:
    assert outside(tmp_path, prod="AUTH_BYPASS=\n") == {
        Found(CODE, "app", "prod", "AUTH_BYPASS", "app/.env.prod", 1)
    }


@pytest.mark.parametrize(
    ("schema", "env_files"),
    [
        pytest.param(BYPASS, {"dev": "AUTH_BYPASS=true\n"}, id="in its environment"),
        pytest.param(BYPASS, {"prod": "AUTH_BYPASS\n"}, id="bare key sets nothing"),
        pytest.param(
            'keys.AUTH_BYPASS = {type = "bool", required = false}',
            {"prod": "AUTH_BYPASS=true\n"},
            id="not scoped",
        ),
        pytest.param(
            'keys.STAGING_ONLY = {environments = ["staging", "prod"]}',
            {"staging": "STAGING_ONLY=1\n", "prod": "STAGING_ONLY=1\n"},
            id="scoped to two",
        ),
        pytest.param("", {"prod": "AUTH_BYPASS=true\n"}, id="not in the schema"),
    ],
)
def test_not_reported(tmp_path: Path, schema: str, env_files: dict[str, str]) -> None:
    assert outside(tmp_path, schema, **env_files) == set()
