"""alias-conflict (DC202): a key and its deprecated name both set, to different values."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftcheck.values import Origin
from tests.helpers import Found, check_findings, found
from tests.rules.build import CANARY, app, assert_not_shown, fingerprint, shared_secret

CODE = "DC202"
SCHEMA = 'keys.TOKEN = {required = false, deprecated_names = ["OLD_TOKEN"]}'
SECRET = 'keys.TOKEN = {type = "secret", required = false, deprecated_names = ["OLD_TOKEN"]}'


def conflicts(tmp_path: Path, prod: str) -> set[Found]:
    return found(app(tmp_path, SCHEMA, prod=prod), CODE)


def test_both_names_set_to_different_values_is_reported_at_the_old_name(tmp_path: Path) -> None:
    assert conflicts(tmp_path, "OLD_TOKEN=b\nTOKEN=a\n") == {
        Found(CODE, "app", "prod", "OLD_TOKEN", "app/.env.prod", 1)
    }


def test_the_current_name_is_the_related_place(tmp_path: Path) -> None:
    root = app(tmp_path, SCHEMA, prod="TOKEN=a\nOLD_TOKEN=b\n")
    (finding,) = check_findings(root, (CODE,))
    assert [(r.origin, r.key) for r in finding.related] == [(Origin("app/.env.prod", 1), "TOKEN")]


@pytest.mark.parametrize(
    "prod",
    [
        pytest.param("TOKEN=a\nOLD_TOKEN=a\n", id="same value: deprecated-name-used"),
        pytest.param("OLD_TOKEN=b\n", id="old name alone"),
        pytest.param("TOKEN=a\n", id="current name alone"),
        pytest.param("TOKEN=a\nOLD_TOKEN\n", id="bare old name"),
        pytest.param("TOKEN\nOLD_TOKEN=b\n", id="bare current name"),
    ],
)
def test_not_reported(tmp_path: Path, prod: str) -> None:
    assert conflicts(tmp_path, prod) == set()


def test_secret_values_are_never_shown(tmp_path: Path) -> None:
    root = app(tmp_path, SECRET, prod=f"TOKEN=another-long-secret-value\nOLD_TOKEN={CANARY}\n")
    assert_not_shown(root, CODE, CANARY)


def test_the_other_secret_is_shown_as_its_fingerprint(tmp_path: Path) -> None:
    root = app(tmp_path, SECRET, prod=f"TOKEN=another-long-secret-value\nOLD_TOKEN={CANARY}\n")
    (finding,) = check_findings(root, (CODE,))
    assert [r.shown for r in finding.related] == [fingerprint("another-long-secret-value")]


def test_a_shared_secret_under_its_deprecated_name_is_never_shown(tmp_path: Path) -> None:
    config = shared_secret("TOKEN")
    root = app(tmp_path, SCHEMA, config, prod=f"TOKEN=another-value\nOLD_TOKEN={CANARY}\n")
    assert_not_shown(root, CODE, CANARY)
