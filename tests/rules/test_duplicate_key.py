"""duplicate-key (DC701): a key defined twice in one file."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftcheck.values import Origin
from tests.helpers import Found, check_findings, found
from tests.rules.build import ENV_FILE, app, project, reading

CODE = "DC701"
#: Every layer of app reads shared.env first, then its environment's file.
SHARED = reading('"shared.env"', ENV_FILE)


def duplicates(tmp_path: Path, prod: str) -> set[Found]:
    return found(app(tmp_path, "", prod=prod), CODE)


def at(line: int, key: str = "A") -> Found:
    return Found(CODE, "app", "prod", key, "app/.env.prod", line)


def test_the_later_definition_is_reported_and_points_at_the_earlier(tmp_path: Path) -> None:
    root = app(tmp_path, "", prod="A=1\nB=1\nA=2\n")
    assert found(root, CODE) == {at(3)}
    (finding,) = check_findings(root, (CODE,))
    assert [related.origin for related in finding.related] == [Origin("app/.env.prod", 1)]


@pytest.mark.parametrize(
    "prod",
    [
        pytest.param("A=1\nA=1\n", id="same value"),
        pytest.param("export A=1\nA=2\n", id="with export"),
        pytest.param("A\nA=2\n", id="bare first"),
        pytest.param("A='one\ntwo'\nA=2\n", id="after a multi-line value"),
    ],
)
def test_repeated_definitions(tmp_path: Path, prod: str) -> None:
    assert {f.key for f in duplicates(tmp_path, prod)} == {"A"}


def test_every_repeated_definition_is_reported(tmp_path: Path) -> None:
    assert duplicates(tmp_path, "A=1\nA=2\nA=3\nB=1\nB=2\n") == {at(2), at(3), at(5, "B")}


def test_a_file_read_by_every_environment_is_reported_once(tmp_path: Path) -> None:
    root = project(tmp_path, SHARED, {"app": ""}, {"shared.env": "A=1\nA=2\n"})
    assert found(root, CODE) == {Found(CODE, "app", "dev", "A", "shared.env", 2)}


def test_duplicate_keys_of_a_json_source(tmp_path: Path) -> None:
    config = SHARED.replace("shared.env", "shared.json")
    root = project(tmp_path, config, {"app": ""}, {"shared.json": '{"A": "1",\n"A": "2"}'})
    assert found(root, CODE) == {Found(CODE, "app", "dev", "A", "shared.json", 2)}


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(
            {"shared.env": "A=1\n", "app/.env.prod": "A=2\n"}, id="overridden by a later file"
        ),
        pytest.param(
            {"app/.env.staging": "A=1\n", "app/.env.prod": "A=1\n"}, id="two environments"
        ),
        pytest.param({"app/.env.prod": "A=1\n# A=2\nA_B=3\n"}, id="comment and longer key"),
    ],
)
def test_not_reported(tmp_path: Path, files: dict[str, str]) -> None:
    root = project(tmp_path, SHARED, {"app": ""}, {"shared.env": "", **files})
    assert found(root, CODE) == set()
