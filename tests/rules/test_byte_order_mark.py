"""byte-order-mark (DC703): a .env file that starts with U+FEFF."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import DOTENV_KEEPS_BOM, Found, found
from tests.rules.build import ENV_FILE, app, project, reading

CODE = "DC703"


def marks(tmp_path: Path, prod: str) -> set[Found]:
    return found(app(tmp_path, "", prod=prod), CODE)


def test_a_mark_is_reported_on_line_1_with_the_key_it_hides(tmp_path: Path) -> None:
    hidden = "PORT" if DOTENV_KEEPS_BOM else None  # python-dotenv 1.2.4 skips the mark
    assert marks(tmp_path, "\ufeffPORT=8000\nA=1\n") == {
        Found(CODE, "app", "prod", hidden, "app/.env.prod", 1)
    }


@pytest.mark.parametrize(
    "prod",
    [
        pytest.param("\ufeff# settings\nA=1\n", id="before a comment"),
        pytest.param("\ufeff\nA=1\n", id="before a blank line"),
        pytest.param("\ufeff", id="alone in the file"),
    ],
)
def test_a_mark_that_hides_no_key(tmp_path: Path, prod: str) -> None:
    assert marks(tmp_path, prod) == {Found(CODE, "app", "prod", None, "app/.env.prod", 1)}


def test_a_file_read_by_every_environment_is_reported_once(tmp_path: Path) -> None:
    config = reading('"shared.env"', ENV_FILE)
    root = project(tmp_path, config, {"app": ""}, {"shared.env": "\ufeffA=1\n"})
    hidden = "A" if DOTENV_KEEPS_BOM else None
    assert found(root, CODE) == {Found(CODE, "app", "dev", hidden, "shared.env", 1)}


@pytest.mark.parametrize(
    "prod",
    [
        pytest.param("A=1\n", id="plain UTF-8"),
        pytest.param("A=1\n\ufeffB=2\n", id="U+FEFF later in the file"),
        pytest.param("A=zero\ufeffwidth\n", id="U+FEFF in a value"),
    ],
)
def test_not_reported(tmp_path: Path, prod: str) -> None:
    assert marks(tmp_path, prod) == set()
