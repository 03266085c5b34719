"""control-character (DC503): a CR, an outer LF, a NUL or another control character."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Found, found
from tests.rules.build import CANARY, app, assert_not_shown

CODE = "DC503"
PEM = "\n".join(
    [
        "-----BEGIN PRIVATE KEY-----",
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
        "YW55IGNhcm5hbCBwbGVhcw==",
        "-----END PRIVATE KEY-----",
    ]
)


def control(tmp_path: Path, prod: str, schema: str = "") -> set[Found]:
    return found(app(tmp_path, schema, prod="A=1\n" + prod), CODE)


REPORTED = Found(CODE, "app", "prod", "V", "app/.env.prod", 2)


@pytest.mark.parametrize(
    "line",
    [
        pytest.param('V="hunter2\\r"', id="trailing CR"),
        pytest.param('V="hun\\rter2"', id="inner CR"),
        pytest.param('V="hunter2\\n"', id="trailing LF"),
        pytest.param('V="\\nhunter2"', id="leading LF"),
        pytest.param('V="hunter2\\r\\n"', id="trailing CRLF"),
        pytest.param("V=hun\x00ter2", id="NUL"),
        pytest.param("V=\x1b[31mred", id="escape"),
        pytest.param('V="bell\\a"', id="BEL"),
        pytest.param('V="back\\bspace"', id="backspace"),
        pytest.param("V=next\x85line", id="C1 NEL"),
        pytest.param("V=del\x7f", id="DEL"),
    ],
)
def test_control_character_is_reported_at_its_line(tmp_path: Path, line: str) -> None:
    assert control(tmp_path, line + "\n") == {REPORTED}


def test_a_multi_line_value_spanning_lines_is_reported_at_its_first(tmp_path: Path) -> None:
    assert control(tmp_path, 'V="\nhunter2"\n') == {REPORTED}


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(f'V="{PEM}"\n', id="multi-line PEM key"),
        pytest.param('V="a\\tb"\n', id="tab"),
        pytest.param("V=crlf-file\r\nW=x\r\n", id="CRLF line ends of the file"),
        pytest.param("V=plain\rW=x\r", id="CR line ends of the file"),
        pytest.param("V=naïve café ☕\n", id="non-ASCII text"),
        pytest.param("V=\n", id="empty"),
        pytest.param("V\n", id="bare key"),
    ],
)
def test_not_reported(tmp_path: Path, text: str) -> None:
    assert control(tmp_path, text) == set()


def test_the_secret_is_never_shown(tmp_path: Path) -> None:
    root = app(tmp_path, 'keys.V = {type = "secret"}', prod=f'V="{CANARY}\\r"\n')
    assert_not_shown(root, CODE, CANARY)
