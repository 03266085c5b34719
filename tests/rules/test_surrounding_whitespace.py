"""surrounding-whitespace (DC504): a value that starts or ends with blanks."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Found, found
from tests.rules.build import app

CODE = "DC504"


def whitespace(tmp_path: Path, line: str) -> set[Found]:
    return found(app(tmp_path, "", prod=f"A=1\n{line}\n"), CODE)


@pytest.mark.parametrize(
    "line",
    [
        pytest.param('V=" api.internal"', id="leading space"),
        pytest.param("V='api.internal '", id="trailing space"),
        pytest.param('V="  api.internal  "', id="both"),
        pytest.param('V="api.internal\\t"', id="trailing tab"),
        pytest.param('V="api.internal \\r\\n"', id="space before a line end"),
        pytest.param('V="   "', id="only blanks"),
    ],
)
def test_blanks_around_the_value_are_reported_at_its_line(tmp_path: Path, line: str) -> None:
    assert whitespace(tmp_path, line) == {Found(CODE, "app", "prod", "V", "app/.env.prod", 2)}


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("V=  api.internal   ", id="unquoted blanks are stripped by python-dotenv"),
        pytest.param('V="api internal"', id="inner space"),
        pytest.param('V="api.internal\\n"', id="line end alone: control-character"),
        pytest.param('V="api.internal\\r"', id="CR alone: control-character"),
        pytest.param('V="a\\n b"', id="indented second line"),
        pytest.param("V=", id="empty"),
    ],
)
def test_not_reported(tmp_path: Path, line: str) -> None:
    assert whitespace(tmp_path, line) == set()
