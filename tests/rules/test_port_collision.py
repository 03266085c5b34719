"""port-collision (DC404): two services bind one port on a shared host."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Found, codes, found
from tests.rules.build import THREE_ENVIRONMENTS, head, project

CODE = "DC404"
LISTEN = 'listen_port_key = "PORT"\nkeys.PORT = {type = "port", required = false}'


def config(api: int = 8000, worker: int = 8000, environments: str = THREE_ENVIRONMENTS) -> str:
    """api and worker on the given declared ports, in ``environments`` (TOML)."""
    services = f"[services.api]\nport = {api}\n[services.worker]\nport = {worker}\n"
    return head(environments=environments) + services


def collisions(tmp_path: Path, text: str, files: dict[str, str] | None = None) -> set[Found]:
    return found(project(tmp_path, text, {"api": LISTEN, "worker": LISTEN}, files), CODE)


def test_two_services_declared_on_one_port_in_development(tmp_path: Path) -> None:
    # The second claimant is reported, at its [services.worker] header (line 7).
    assert collisions(tmp_path, config()) == {
        Found(CODE, "worker", "dev", "PORT", "driftcheck.toml", 7)
    }


def test_a_listen_port_set_in_a_file(tmp_path: Path) -> None:
    files = {"worker/.env.dev": "A=1\nPORT=8000\n"}
    assert collisions(tmp_path, config(worker=8001), files) == {
        Found(CODE, "worker", "dev", "PORT", "worker/.env.dev", 2)
    }


def test_every_extra_claimant_is_reported(tmp_path: Path) -> None:
    text = config() + "[services.cron]\nport = 8000\n"
    schemas = {"api": "", "worker": "", "cron": ""}
    assert codes(project(tmp_path, text, schemas), CODE) == {
        (CODE, "worker", "dev", None),
        (CODE, "cron", "dev", None),
    }


def test_an_environment_declared_single_host(tmp_path: Path) -> None:
    environments = "[environments.dev]\n[environments.staging]\nsingle_host = true\n"
    assert {f.environment for f in collisions(tmp_path, config(environments=environments))} == {
        "dev",
        "staging",
    }


@pytest.mark.parametrize(
    ("text", "files"),
    [
        pytest.param(config(worker=8001), {}, id="different ports"),
        pytest.param(config(worker=8001), {"worker/.env.staging": "PORT=8000\n"}, id="staging"),
        pytest.param(
            config(environments="[environments.dev]\nsingle_host = false\n"),
            {},
            id="development environment on several hosts",
        ),
        pytest.param(config(), {"worker/.env.dev": "PORT=8001\n"}, id="moved by its listen key"),
    ],
)
def test_not_reported(tmp_path: Path, text: str, files: dict[str, str]) -> None:
    assert collisions(tmp_path, text, files) == set()
