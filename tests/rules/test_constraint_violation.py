"""constraint-violation (DC502): a valid value that breaks a range, pattern or length."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Found, found
from tests.rules.build import CANARY, app, assert_not_shown, shared_secret

CODE = "DC502"
REGION = r'pattern = "^[a-z]{2}-[a-z]+-\\d$"'


def violations(tmp_path: Path, key: str, value: str) -> set[Found]:
    """What DC502 reports for key V declared as ``{key}`` and set to ``value`` in prod."""
    schema = f"keys.V = {{required = false, {key}}}"
    return found(app(tmp_path, schema, prod=f"A=1\nV={value}\n"), CODE)


REPORTED = Found(CODE, "app", "prod", "V", "app/.env.prod", 2)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        pytest.param('type = "int", min = 1', "0", id="below min"),
        pytest.param('type = "int", max = 64', "65", id="above max"),
        pytest.param('type = "float", min = 0.1, max = 1', "0.05", id="float below min"),
        pytest.param('type = "port", min = 1024', "80", id="privileged port"),
        pytest.param(REGION, "eu-west", id="pattern"),
        pytest.param(REGION, "EU-WEST-1", id="pattern is case-sensitive"),
        pytest.param('pattern = "^https://"', "http://a.example", id="anchored pattern"),
        pytest.param("min_length = 8", "short", id="min_length"),
    ],
)
def test_violation_is_reported_at_its_line(tmp_path: Path, key: str, value: str) -> None:
    assert violations(tmp_path, key, value) == {REPORTED}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        pytest.param('type = "int", min = 1, max = 64', "1", id="at min"),
        pytest.param('type = "int", min = 1, max = 64', "64", id="at max"),
        pytest.param('type = "int", min = 1', "many", id="not a number: invalid-value"),
        pytest.param('type = "port", min = 1024', "80a0", id="not a port: invalid-port"),
        pytest.param(REGION, "eu-west-1", id="matches"),
        pytest.param('pattern = "internal"', "api.internal.example", id="unanchored search"),
        pytest.param("min_length = 8", "long enough", id="long enough"),
        pytest.param('type = "secret", min_length = 64', "short", id="secret: weak-secret"),
    ],
)
def test_not_reported(tmp_path: Path, key: str, value: str) -> None:
    assert violations(tmp_path, key, value) == set()


def test_under_a_deprecated_name(tmp_path: Path) -> None:
    schema = 'keys.V = {type = "int", min = 1, deprecated_names = ["OLD_V"]}'
    assert found(app(tmp_path, schema, prod="OLD_V=0\n"), CODE) == {
        Found(CODE, "app", "prod", "OLD_V", "app/.env.prod", 1)
    }


def test_a_secret_that_breaks_its_pattern_is_never_shown(tmp_path: Path) -> None:
    root = app(tmp_path, 'keys.V = {type = "secret", pattern = "^sk_live_"}', prod=f"V={CANARY}\n")
    assert_not_shown(root, CODE, CANARY)


def test_a_short_shared_secret_is_left_to_weak_secret(tmp_path: Path) -> None:
    schema = "keys.V = {min_length = 32}"
    root = app(tmp_path, schema, shared_secret("V"), prod="V=Zq8vN3xLr2Pw7Ks4Hd9Tb6Yc\n")
    assert found(root, CODE) == set()
