"""Start-up validation: real service processes that refuse to start with a drifted
environment, and say why without a value."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import driftcheck
from tests.helpers import run_cli, write_project

CANARY = "CANARY-startup-51d0"
SCHEMA = """
listen_port_key = "PORT"
[keys.PORT]
type = "port"
[keys.REDIS_HOST]
type = "host"
[keys.JWT_SECRET_KEY]
type = "secret"
min_length = 32
shared = "jwt-secret"
[keys.DEBUG]
type = "bool"
default = false
environments = ["dev"]
"""
GOOD = {
    "PORT": "8000",
    "REDIS_HOST": "redis.internal",
    "JWT_SECRET_KEY": "s" * 8 + "-a-long-enough-random-jwt-secret",
}
PEER_SECRET = "peer-9c1f2e7a-shared-jwt-secret-4b8d"
SERVICE = """
import driftcheck
driftcheck.validate_environment("backend", "prod", schema="schema.toml"{extra})
print("started")
"""


def _start(
    directory: Path, environment: dict[str, str], extra: str = ""
) -> subprocess.CompletedProcess[str]:
    """Start a 'service' whose first act is validating its environment."""
    (directory / "service.py").write_text(SERVICE.format(extra=extra))
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "SYSTEMROOT")}
    return subprocess.run(
        [sys.executable, "service.py"],
        cwd=directory,
        env={**base, **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_drifted_service_refuses_to_start_listing_every_problem(tmp_path: Path) -> None:
    write_project(tmp_path, {"schema.toml": SCHEMA})
    drifted = {"PORT": "80a0", "JWT_SECRET_KEY": CANARY, "DEBUG": "true", "JWT_SECRET": CANARY}
    # DC603 is a warning: with the default fail_on="error" it would be returned, not raised.
    started = _start(tmp_path, drifted, extra=', fail_on="warning"')
    assert started.returncode == 1
    assert "started" not in started.stdout
    error = started.stderr
    assert "ConfigurationError: backend in prod: 4 configuration problems" in error
    for code in ("DC101", "DC405", "DC303", "DC603"):  # missing, port, weak secret, dev-only
        assert code in error
    assert CANARY not in error


def test_a_clean_service_starts(tmp_path: Path) -> None:
    write_project(tmp_path, {"schema.toml": SCHEMA})
    started = _start(tmp_path, GOOD)
    assert (started.returncode, started.stdout, started.stderr) == (0, "started\n", "")


def test_the_env_file_the_service_loads_counts_and_the_process_wins(tmp_path: Path) -> None:
    write_project(tmp_path, {"schema.toml": SCHEMA, ".env": "REDIS_HOST=from-file\nPORT=bad\n"})
    without_redis = {k: v for k, v in GOOD.items() if k != "REDIS_HOST"}
    started = _start(tmp_path, without_redis, extra=', env_file=".env"')
    assert (started.returncode, started.stderr) == (0, "")


def test_problems_are_collected_in_one_exception_in_process(tmp_path: Path) -> None:
    write_project(tmp_path, {"schema.toml": SCHEMA})
    with pytest.raises(driftcheck.ConfigurationError) as caught:
        driftcheck.validate_environment(
            "backend", "prod", schema=tmp_path / "schema.toml", environ={"PORT": "0"}
        )
    codes = sorted(problem.code for problem in caught.value.problems)
    assert codes == ["DC101", "DC101", "DC405"]
    assert isinstance(caught.value, driftcheck.DriftcheckError)
    # Warnings do not fail by default; fail_on lowers the bar.
    with pytest.raises(driftcheck.ConfigurationError):
        driftcheck.validate_environment(
            "backend",
            "prod",
            schema=tmp_path / "schema.toml",
            environ={**GOOD, "LEGACY": "1", "REDIS_HOST": " redis"},
            fail_on="warning",
        )


def test_a_missing_schema_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(driftcheck.DriftcheckError) as caught:
        driftcheck.validate_environment(
            "backend", "prod", schema=tmp_path / "nope.toml", environ={}
        )
    assert str(caught.value).endswith("nope.toml: cannot read: no such file")


def test_shared_secret_compared_with_a_peer_snapshot(tmp_path: Path) -> None:
    key = {"DRIFTCHECK_HASH_KEY": "ci-key"}
    write_project(
        tmp_path,
        {
            "driftcheck.toml": """
            environments = ["dev", "prod"]
            [defaults]
            sources = ["{service}.env"]
            [services.auth]
            [services.backend]
            [shared.jwt-secret]
            members = { auth = "JWT_SECRET", backend = "JWT_SECRET_KEY" }
        """,
            "schemas/auth.toml": '[keys.JWT_SECRET]\ntype = "secret"\n',
            "schemas/backend.toml": SCHEMA,
            "auth.env": f"JWT_SECRET={PEER_SECRET}\n",
            "backend.env": "",
            "schema.toml": SCHEMA,
        },
    )
    made = run_cli(
        "snapshot",
        "--service",
        "auth",
        "--env",
        "prod",
        "-o",
        "auth.prod.json",
        cwd=tmp_path,
        env=key,
    )
    assert made.exit_code == 0, made.stderr
    extra = ', snapshots=["auth.prod.json"]'
    differing = _start(tmp_path, {**GOOD, **key}, extra=extra)
    assert differing.returncode == 1
    assert "DC301" in differing.stderr
    assert "differs from auth's in prod" in differing.stderr
    assert GOOD["JWT_SECRET_KEY"] not in differing.stderr
    agreeing = _start(tmp_path, {**GOOD, **key, "JWT_SECRET_KEY": PEER_SECRET}, extra=extra)
    assert (agreeing.returncode, agreeing.stderr) == (0, "")
    other_key = _start(tmp_path, {**GOOD, "DRIFTCHECK_HASH_KEY": "other"}, extra=extra)
    assert "another DRIFTCHECK_HASH_KEY" in other_key.stderr


SETTINGS = """
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_", env_file=".env")
    jwt_secret_key: SecretStr
    redis_host: str
    port: int = 8000
"""
PYDANTIC_SERVICE = """
import driftcheck
from settings import Settings
driftcheck.validate_settings(Settings, environment="prod")
print("started", Settings().redis_host)
"""


def test_pydantic_settings_in_one_line(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "settings.py": SETTINGS,
            "service.py": PYDANTIC_SERVICE,
            ".env": "APP_REDIS_HOST=redis.internal\n",
        },
    )
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME")}

    def start(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "service.py"],
            cwd=tmp_path,
            env={**base, **environment},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    short_canary = "CANARY-51d0"
    drifted = start({"APP_JWT_SECRET_KEY": short_canary, "APP_PORT": "eighty"})
    assert drifted.returncode == 1
    assert "DC303" in drifted.stderr  # the SecretStr is too short for a secret
    assert "DC405" in drifted.stderr  # APP_PORT is not a port
    assert short_canary not in drifted.stderr
    clean = start({"APP_JWT_SECRET_KEY": GOOD["JWT_SECRET_KEY"]})
    assert (clean.returncode, clean.stdout) == (0, "started redis.internal\n")


def test_import_driftcheck_stays_light() -> None:
    probe = (
        "import sys, driftcheck; heavy = {'pydantic', 'pydantic_settings', 'rich', 'click', 'yaml',"
        " 'dotenv'}; print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "[]"
