"""shared-name-mismatch (DC204): services read one shared setting under different names."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Found, codes, found
from tests.rules.build import HEAD, project

CODE = "DC204"


def names(tmp_path: Path, auth_key: str, web_key: str) -> Path:
    """auth and web share one setting, read as ``auth_key`` and ``web_key``."""
    config = HEAD + "[services.auth]\n[services.web]\n\n[shared.client-id]\n"
    config += f'members = {{ auth = "{auth_key}", web = "{web_key}" }}\n'
    schemas = {
        "auth": f"keys.{auth_key} = {{required = false}}",
        "web": f"keys.{web_key} = {{required = false}}",
    }
    return project(tmp_path, config, schemas)


def test_two_names_are_reported_once_at_the_shared_setting(tmp_path: Path) -> None:
    # The [shared.client-id] header is on line 8 of the config.
    assert found(names(tmp_path, "JWT_SECRET", "JWT_SECRET_KEY"), CODE) == {
        Found(CODE, "auth", None, "JWT_SECRET", "driftcheck.toml", 8)
    }


@pytest.mark.parametrize(
    ("auth_key", "web_key"),
    [
        pytest.param("OAUTH_CLIENT_ID", "OAUTH_CLIENT_ID", id="same name"),
        pytest.param("OAUTH_CLIENT_ID", "VITE_OAUTH_CLIENT_ID", id="VITE_"),
        pytest.param("OAUTH_CLIENT_ID", "NEXT_PUBLIC_OAUTH_CLIENT_ID", id="NEXT_PUBLIC_"),
        pytest.param("OAUTH_CLIENT_ID", "REACT_APP_OAUTH_CLIENT_ID", id="REACT_APP_"),
    ],
)
def test_a_front_end_build_tool_prefix_is_the_same_name(
    tmp_path: Path, auth_key: str, web_key: str
) -> None:
    assert codes(names(tmp_path, auth_key, web_key), CODE) == set()


def test_another_prefix_makes_another_name(tmp_path: Path) -> None:
    assert codes(names(tmp_path, "CLIENT_ID", "OAUTH_CLIENT_ID"), CODE) == {
        (CODE, "auth", None, "CLIENT_ID")
    }
