"""Two commands from nothing to findings: ``driftcheck init`` then ``driftcheck check`` on
each example project stripped of its config and schemas finds the drift it contains.

The sets are exact: they also say what init makes sure is *not* reported (the secrets
that differ between dev and prod, a port declared per environment, public HTTPS URLs,
a dev-only flag). What no repository can tell (which name the code reads: the compose
worker's ``REDIS_URI`` where it reads ``REDIS_URL``) is not expected.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run_cli
from tests.init.helpers import EXAMPLES, Place, check_places, example_without_config

EXPECTED: dict[str, set[Place]] = {
    "incident": {
        # auth and backend hold one JWT secret under two names, and differ in staging.
        ("DC204", "auth", None, "JWT_SECRET"),
        ("DC301", "auth", "staging", "JWT_SECRET"),
        # Discovery says 8001; backend listens on 8000.
        ("DC403", "backend", "staging", None),
        # Set in dev and prod, missing in staging.
        ("DC101", "backend", "staging", "REDIS_HOST"),
        # A near miss of CORS_ORIGINS, taken as its old name.
        ("DC201", "backend", "prod", "CORS_ALLOWED_ORIGINS"),
        # The frontend calls auth on 8001; auth listens on 8081.
        ("DC402", "frontend", "dev", "VITE_AUTH_URL"),
    },
    "compose": {
        ("DC102", "api", "prod", "SENTRY_DSN"),
        # The published port forwards to 8001; api listens on 8000.
        ("DC401", "api", "prod", "PORT"),
        ("DC301", "api", "prod", "SESSION_SECRET"),
        # http://api:8080 on the compose network; api listens on 8000.
        ("DC402", "web", "dev", "API_INTERNAL_URL"),
        ("DC402", "web", "prod", "API_INTERNAL_URL"),
    },
    "kubernetes": {
        # billing names another Secret Manager secret than auth in prod.
        ("DC301", "auth", "prod", "JWT_SECRET"),
        # The Service forwards to 8080; backend listens on 8000.
        ("DC401", "backend", "staging", "PORT"),
        ("DC103", "backend", "prod", "REDIS_HOST"),
        ("DC101", "billing", "prod", "STRIPE_API_KEY"),
        # http://backend:8000, where the Service listens on 80.
        ("DC402", "frontend", "prod", "API_URL"),
    },
}


@pytest.mark.parametrize("example", sorted(EXPECTED))
def test_init_then_check_finds_the_drift_of_the_example(example: str, tmp_path: Path) -> None:
    root = example_without_config(example, tmp_path)
    init = run_cli("init", str(root))
    assert (init.exit_code, init.stderr) == (0, "")
    assert (root / "driftcheck.toml").is_file()
    run, places = check_places(root)
    assert (run.exit_code, run.stderr) == (1, "")
    assert places == EXPECTED[example]


@pytest.mark.parametrize("example", sorted(EXPECTED))
def test_the_inferred_project_names_the_example_s_services_and_environments(
    example: str, tmp_path: Path
) -> None:
    root = example_without_config(example, tmp_path)
    assert run_cli("init", str(root)).exit_code == 0
    written = run_cli("check", "--format", "json", cwd=root, env={"DRIFTCHECK_HASH_KEY": "k"})
    original = run_cli("check", "--format", "json", cwd=EXAMPLES / example)
    mine, theirs = json.loads(written.stdout), json.loads(original.stdout)
    assert sorted(mine["services"]) == sorted(theirs["services"])
    assert mine["environments"] == theirs["environments"]
