"""No secret value in anything ``driftcheck init`` prints or writes.

Canary secrets are planted in ``.env`` files (by secret-looking name, as URL credentials,
as random-looking values of plain names, shared between services), in an example file,
in compose files and their env files, and in Kubernetes Secrets and ConfigMaps. Every
output of init (written, printed with ``--dry-run``, overwritten with ``--force``, on an
error path) and of the ``check`` that follows is searched for each.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from tests.helpers import run_cli, write_project
from tests.test_no_secret_leaks import Canaries

ENVS = ("dev", "staging", "prod")


def _dotenv_project(root: Path, canary: Canaries) -> None:
    files = {}
    for env in ENVS:
        shared = canary(f"token-{env}")
        files[f"services/api/.env.{env}"] = (
            "PORT=8000\n"
            f"API_TOKEN={shared}\n"
            f"DATABASE_URL=postgres://api:{canary(f'db-{env}')}@db.{env}.internal:5432/api\n"
            f"OPAQUE_BLOB={canary(f'blob-{env}')}\n"
            f"WEBHOOK=https://hooks.example.com/{canary(f'hook-{env}')}\n"
            "LOG_LEVEL=info\n"
        )
        worker_token = canary(f"worker-token-{env}") if env == "staging" else shared
        files[f"services/worker/.env.{env}"] = (
            f"API_TOKEN={worker_token}\nJWT_SIGNING={canary(f'jwt-{env}', bare=True)}\n"
            f"API_URL=http://localhost:8000\n"
        )
    files["services/api/.env.example"] = f"API_TOKEN={canary('example')}\nSENTRY_DSN=\n"
    write_project(root, files)


def _compose_project(root: Path, canary: Canaries) -> None:
    write_project(
        root,
        {
            "compose.yaml": (
                "services:\n"
                "  api:\n"
                "    env_file: api.env\n"
                "    environment:\n"
                "      PORT: 8000\n"
                "      SESSION_SECRET: ${SESSION_SECRET}\n"
                f"      INLINE_PASSWORD: {canary('inline')}\n"
                "  worker:\n"
                "    environment:\n"
                "      SESSION_SECRET: ${SESSION_SECRET}\n"
                "  db:\n"
                "    image: postgres:16\n"
                "    environment:\n"
                f"      POSTGRES_PASSWORD: {canary('postgres')}\n"
            ),
            "compose.prod.yaml": "services:\n  api:\n    ports: ['80:8000']\n",
            "compose.dev.yaml": "services:\n  api:\n    ports: ['8000:8000']\n",
            "api.env": f"STRIPE_KEY={canary('stripe')}\n",
            **{
                f"env/{env}.env": f"SESSION_SECRET={canary(f'session-{env}')}\n"
                for env in ("dev", "prod")
            },
        },
    )


def _kubernetes_project(root: Path, canary: Canaries) -> None:
    files = {}
    for env in ("staging", "prod"):
        encoded = base64.b64encode(canary(f"k8s-data-{env}").encode()).decode()
        files[f"k8s/{env}.yaml"] = f"""
apiVersion: v1
kind: Secret
metadata:
  name: api-secrets
data:
  JWT_SECRET: {encoded}
stringData:
  DB_URL: postgres://api:{canary(f"k8s-string-{env}")}@postgres:5432/api
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: api-config
data:
  PLAIN_LOOKING: {canary(f"k8s-config-{env}")}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          envFrom:
            - configMapRef:
                name: api-config
            - secretRef:
                name: api-secrets
          env:
            - name: PORT
              value: "8000"
"""
    write_project(root, files)


PROJECTS = {
    "dotenv": _dotenv_project,
    "compose": _compose_project,
    "kubernetes": _kubernetes_project,
}


@pytest.mark.parametrize("kind", sorted(PROJECTS))
def test_no_canary_in_any_output_or_written_file(kind: str, tmp_path: Path) -> None:
    canary = Canaries()
    PROJECTS[kind](tmp_path, canary)
    outputs = {}
    dry = run_cli("init", "--dry-run", cwd=tmp_path)
    assert dry.exit_code == 0, dry
    outputs["dry-run"] = dry.stdout + dry.stderr
    first = run_cli("init", cwd=tmp_path)
    assert first.exit_code == 0, first
    outputs["init"] = first.stdout + first.stderr
    refused = run_cli("init", cwd=tmp_path)
    assert refused.exit_code == 2
    outputs["refused"] = refused.stdout + refused.stderr
    forced = run_cli("init", "--force", cwd=tmp_path)
    assert forced.exit_code == 0
    outputs["force"] = forced.stdout + forced.stderr
    for written in [tmp_path / "driftcheck.toml", *(tmp_path / "schemas").glob("*.toml")]:
        outputs[written.name] = written.read_text(encoding="utf-8")
    for output_format in ("text", "json", "sarif"):
        run = run_cli("check", "--format", output_format, "--fail-on", "info", cwd=tmp_path)
        assert run.exit_code in (0, 1), run
        outputs[f"check {output_format}"] = run.stdout + run.stderr
    leaks = {name: canary.found_in(text) for name, text in outputs.items()}
    assert {name: found for name, found in leaks.items() if found} == {}


def test_the_canaries_were_taken_for_secrets(tmp_path: Path) -> None:
    canary = Canaries()
    _dotenv_project(tmp_path, canary)
    assert run_cli("init", cwd=tmp_path).exit_code == 0
    api = (tmp_path / "schemas/api.toml").read_text()
    worker = (tmp_path / "schemas/worker.toml").read_text()
    config = (tmp_path / "driftcheck.toml").read_text()
    assert "[keys.API_TOKEN]\n# set in dev, staging, prod; a secret (by its name)" in api
    assert (
        "[keys.OPAQUE_BLOB]\n# set in dev, staging, prod; a secret (its values look random)" in api
    )
    assert 'type = "url"\nsecret = true\ntargets = "postgres"' in api
    assert "[keys.JWT_SIGNING]\n# set in dev, staging, prod; a secret (by its name)" in worker
    assert "[shared.api-token]\n# equal in dev, prod; differs in staging" in config


def test_no_canary_on_an_error_path(tmp_path: Path) -> None:
    canary = Canaries()
    _dotenv_project(tmp_path, canary)
    (tmp_path / "services/api/.env.qa").write_bytes(
        f"API_TOKEN={canary('before-bad-byte')}\nX=\xff{canary('after')}\n".encode("latin-1")
    )
    run = run_cli("init", cwd=tmp_path)
    assert run.exit_code == 2
    assert canary.found_in(run.stdout + run.stderr) == []
