"""deprecated-name-used (DC201): a key set under a deprecated name it still accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Found, found
from tests.rules.build import app

CODE = "DC201"
SCHEMA = 'keys.CORS_ORIGINS = {required = false, deprecated_names = ["CORS_ALLOWED_ORIGINS"]}'


def deprecated(tmp_path: Path, prod: str) -> set[Found]:
    return found(app(tmp_path, SCHEMA, prod=prod), CODE)


def test_old_name_instead_of_the_current_one(tmp_path: Path) -> None:
    assert deprecated(tmp_path, "A=1\nCORS_ALLOWED_ORIGINS=https://a.example\n") == {
        Found(CODE, "app", "prod", "CORS_ALLOWED_ORIGINS", "app/.env.prod", 2)
    }


def test_old_name_next_to_the_current_one_with_the_same_value(tmp_path: Path) -> None:
    prod = "CORS_ORIGINS=https://a.example\nCORS_ALLOWED_ORIGINS=https://a.example\n"
    assert deprecated(tmp_path, prod) == {
        Found(CODE, "app", "prod", "CORS_ALLOWED_ORIGINS", "app/.env.prod", 2)
    }


def test_every_deprecated_name_is_checked(tmp_path: Path) -> None:
    schema = 'keys.TOKEN = {required = false, deprecated_names = ["OLD_TOKEN", "OLDER_TOKEN"]}'
    root = app(tmp_path, schema, staging="OLD_TOKEN=a\n", prod="OLDER_TOKEN=a\n")
    assert found(root, CODE) == {
        Found(CODE, "app", "staging", "OLD_TOKEN", "app/.env.staging", 1),
        Found(CODE, "app", "prod", "OLDER_TOKEN", "app/.env.prod", 1),
    }


@pytest.mark.parametrize(
    "prod",
    [
        pytest.param("CORS_ORIGINS=https://a.example\n", id="current name"),
        pytest.param("CORS_ALLOWED_ORIGINS\n", id="bare old name sets nothing"),
        pytest.param(
            "CORS_ORIGINS=https://a.example\nCORS_ALLOWED_ORIGINS=https://b.example\n",
            id="different values: alias-conflict reports it",
        ),
    ],
)
def test_not_reported(tmp_path: Path, prod: str) -> None:
    assert deprecated(tmp_path, prod) == set()
