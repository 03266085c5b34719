"""unparsable-line (DC702): a line python-dotenv cannot parse (or not NAME=value in a dump)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Found, codes, found
from tests.rules.build import CANARY, app, assert_not_shown, project, reading

CODE = "DC702"


def unparsable(tmp_path: Path, prod: str) -> set[Found]:
    return found(app(tmp_path, "", prod=prod), CODE)


def at(line: int, path: str = "app/.env.prod") -> Found:
    return Found(CODE, "app", "prod", None, path, line)


@pytest.mark.parametrize(
    "line",
    [
        pytest.param('API_KEY="abc" def', id="text after the closing quote"),
        pytest.param("MY KEY=1", id="space in the key"),
        pytest.param("=value", id="no key"),
        pytest.param("export =1", id="export without a key"),
        pytest.param("'KEY=1", id="unterminated quoted key"),
    ],
)
def test_line_is_reported_with_its_number(tmp_path: Path, line: str) -> None:
    assert unparsable(tmp_path, f"A=1\n{line}\nB=2\n") == {at(2)}


def test_an_unterminated_quote_is_reported_where_it_starts(tmp_path: Path) -> None:
    assert unparsable(tmp_path, 'A=1\nB="no end\nC=3\n') == {at(2)}


def test_the_rest_of_the_file_is_still_read(tmp_path: Path) -> None:
    root = app(tmp_path, 'keys.B = {required = ["prod"]}', prod="A=\"x\" y\nB=2\nC='z' w\n")
    assert found(root, CODE, "DC101") == {at(1), at(3)}


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("# comment\n\n   \n", id="comments and blank lines"),
        pytest.param("export A=1\nB\nC=\nD=''\n", id="export, bare key, empty values"),
        pytest.param('A=\'x\' # note\nB=x#y\nC="a\\"b"\n', id="comments and escapes"),
        pytest.param('A="one\ntwo"\n', id="multi-line value"),
        pytest.param("A.B-C=1\n", id="dots and dashes in the key"),
    ],
)
def test_not_reported(tmp_path: Path, text: str) -> None:
    assert unparsable(tmp_path, text) == set()


def test_a_line_before_the_first_variable_of_an_env_dump(tmp_path: Path) -> None:
    config = reading('{format = "envdump", path = "{service}/{env}.env"}')
    files = {f"app/{env}.env": "A=1\n" for env in ("dev", "staging")}
    files["app/prod.env"] = "printenv output follows\nA=1\nLINE=two\nlines\n"
    assert found(project(tmp_path, config, {"app": ""}, files), CODE) == {at(1, "app/prod.env")}


def test_the_line_is_never_shown(tmp_path: Path) -> None:
    root = app(tmp_path, "", prod=f'API_KEY="{CANARY}" x\n')
    assert codes(root, CODE) == {(CODE, "app", "prod", None)}
    assert_not_shown(root, CODE, CANARY)
