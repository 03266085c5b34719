"""unknown-key (DC602): a key no schema names, no near miss, no platform key."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftcheck.project import load_project
from tests.helpers import BASIC_CONFIG, DOTENV_KEEPS_BOM, Found, codes, found
from tests.rules.build import ENV_FILE, Place, app, reading

CODE = "DC602"
SCHEMA = 'keys.CORS_ORIGINS = {required = false, deprecated_names = ["ALLOWED_ORIGINS"]}'


def unknown(tmp_path: Path, prod: str, config: str = BASIC_CONFIG) -> set[Place]:
    return codes(app(tmp_path, SCHEMA, config, prod=prod), CODE)


def test_a_key_nothing_reads_is_reported_at_its_line(tmp_path: Path) -> None:
    root = app(tmp_path, SCHEMA, prod="CORS_ORIGINS=x\nLEGACY_FLAG=1\n")
    assert found(root, CODE) == {Found(CODE, "app", "prod", "LEGACY_FLAG", "app/.env.prod", 2)}


def test_a_bare_word_nothing_reads_is_reported_without_repeating_it(tmp_path: Path) -> None:
    # The word could be a pasted token: the finding points at the line, not the text.
    assert unknown(tmp_path, "LEGACY_FLAG\n") == {(CODE, "app", "prod", None)}


def test_platform_presets_are_opt_in(tmp_path: Path) -> None:
    assert unknown(tmp_path, "K_SERVICE=app\n") == {(CODE, "app", "prod", "K_SERVICE")}


@pytest.mark.parametrize(
    "prod",
    [
        pytest.param("CORS_ORIGINS=x\nALLOWED_ORIGINS=x\n", id="declared and deprecated names"),
        pytest.param("CORS_ALLOWED_ORIGINS=x\n", id="near miss: near-miss-key reports it"),
        pytest.param(
            "PATH=/bin\nHOME=/root\nLC_ALL=C.UTF-8\nSSH_AUTH_SOCK=/tmp/s\n",
            id="process platform keys",
        ),
        pytest.param(
            "\ufeffLEGACY=1\n",
            id="BOM-prefixed first key: byte-order-mark",
            marks=pytest.mark.skipif(
                not DOTENV_KEEPS_BOM, reason="this python-dotenv skips the mark: LEGACY is plain"
            ),
        ),
    ],
)
def test_not_reported(tmp_path: Path, prod: str) -> None:
    assert unknown(tmp_path, prod) == set()


@pytest.mark.parametrize(
    ("platform", "prod"),
    [
        pytest.param(
            'presets = ["process", "cloud-run"]', "K_SERVICE=app\nPORT=8080\n", id="cloud-run"
        ),
        pytest.param(
            'presets = ["kubernetes"]',
            "BACKEND_SERVICE_HOST=10.0.0.1\n",
            id="kubernetes service links",
        ),
        pytest.param(
            'keys = ["SIDECAR_*", "OTEL_SERVICE_NAME"]',
            "SIDECAR_MODE=1\nOTEL_SERVICE_NAME=app\n",
            id="project patterns",
        ),
    ],
)
def test_platform_keys_of_the_project(tmp_path: Path, platform: str, prod: str) -> None:
    assert unknown(tmp_path, prod, BASIC_CONFIG + f"[platform]\n{platform}\n") == set()


def test_the_live_process_environment_is_not_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOME_TOOL_SETTING", "1")
    config = reading(ENV_FILE, '{format = "process"}')
    root = app(tmp_path, SCHEMA, config, prod="LEGACY_FLAG=1\n")
    assert load_project(root).layer("app", "prod").is_set("SOME_TOOL_SETTING")
    assert codes(root, CODE) == {(CODE, "app", "prod", "LEGACY_FLAG")}
