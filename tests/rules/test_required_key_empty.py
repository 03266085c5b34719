"""required-key-empty (DC102): a required key set to an empty or blank value."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Found, found
from tests.rules.build import app

CODE = "DC102"


def empty(tmp_path: Path, prod: str, schema: str = "keys.TOKEN = {}") -> set[Found]:
    """What DC102 reports with ``prod`` as the prod file (TOKEN is set elsewhere)."""
    root = app(tmp_path, schema, dev="TOKEN=a\n", staging="TOKEN=a\n", prod=prod)
    return found(root, CODE)


def at(line: int) -> Found:
    return Found(CODE, "app", "prod", "TOKEN", "app/.env.prod", line)


@pytest.mark.parametrize(
    "prod",
    ["TOKEN=\n", 'TOKEN=""\n', "TOKEN=''\n", 'TOKEN="   "\n', 'TOKEN="\\t"\n'],
    ids=["nothing after =", "empty quotes", "empty single quotes", "blanks", "tab"],
)
def test_empty_or_blank_is_reported_at_its_line(tmp_path: Path, prod: str) -> None:
    assert empty(tmp_path, "OTHER=1\n" + prod) == {at(2)}


def test_empty_under_a_deprecated_name_is_reported_for_the_key(tmp_path: Path) -> None:
    schema = 'keys.TOKEN = {deprecated_names = ["OLD_TOKEN"]}'
    assert empty(tmp_path, "OLD_TOKEN=\n", schema) == {at(1)}


@pytest.mark.parametrize(
    ("prod", "schema"),
    [
        pytest.param("TOKEN=a\n", "keys.TOKEN = {}", id="has a value"),
        pytest.param("TOKEN= a \n", "keys.TOKEN = {}", id="unquoted blanks are stripped"),
        pytest.param("TOKEN\n", "keys.TOKEN = {}", id="bare key: required-key-missing"),
        pytest.param("TOKEN=\n", "keys.TOKEN = {required = false}", id="optional"),
        pytest.param("TOKEN=\n", 'keys.TOKEN = {default = "a"}', id="has a default"),
        pytest.param("TOKEN=\n", 'keys.TOKEN = {required = ["dev"]}', id="required elsewhere"),
    ],
)
def test_not_reported(tmp_path: Path, prod: str, schema: str) -> None:
    assert empty(tmp_path, prod, schema) == set()
