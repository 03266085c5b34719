"""Every project in examples/ is checked against the output it must produce.

Regenerate the expected files after an intended change with
``python -m tests.test_examples --update`` and review the diff.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(path.parent for path in (ROOT / "examples").glob("*/driftcheck.toml"))
#: Fingerprints in the expected outputs are keyed with this, so they are stable.
EXAMPLE_HASH_KEY = "driftcheck-example"
FORMATS = {
    "text": "check.txt",
    "json": "check.json",
    "sarif": "check.sarif",
    "github": "check.github",
    "junit": "check.junit.xml",
}


def _run(example: Path, output_format: str):  # type: ignore[no-untyped-def]
    return run_cli(
        "check",
        "--format",
        output_format,
        cwd=example,
        env={"DRIFTCHECK_HASH_KEY": EXAMPLE_HASH_KEY},
    )


@pytest.mark.parametrize("output_format", sorted(FORMATS))
@pytest.mark.parametrize("example", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_example_produces_its_expected_output(example: Path, output_format: str) -> None:
    expected_dir = example / "expected"
    run = _run(example, output_format)
    assert run.stderr == ""
    assert run.stdout == (expected_dir / FORMATS[output_format]).read_text(encoding="utf-8")
    assert run.exit_code == int((expected_dir / "exit-code").read_text())


def _incident_findings() -> list[dict[str, object]]:
    run = _run(ROOT / "examples" / "incident", "json")
    assert run.exit_code == 1
    findings: list[dict[str, object]] = json.loads(run.stdout)["findings"]
    return findings


def _places(findings: list[dict[str, object]]) -> set[tuple[object, ...]]:
    return {(f["code"], f["service"], f["environment"], f["key"]) for f in findings}


def test_incident_example_reports_the_incidents() -> None:
    places = _places(_incident_findings())
    assert ("DC204", "auth", None, "JWT_SECRET") in places  # JWT_SECRET vs JWT_SECRET_KEY
    assert ("DC301", "auth", "staging", "JWT_SECRET") in places  # the secrets differ
    assert ("DC403", "backend", "staging", None) in places  # discovery says 8001
    assert ("DC402", "frontend", "dev", "VITE_AUTH_URL") in places  # localhost:8001 for 8081
    assert ("DC101", "backend", "staging", "REDIS_HOST") in places  # missing in staging
    assert ("DC203", "backend", "prod", "CORS_ALLOWED_ORIGINS") in places  # read by nothing


def test_incident_example_reports_none_of_the_look_alikes() -> None:
    findings = _incident_findings()
    places = _places(findings)
    # A JWT secret that differs between dev and prod is how it should be.
    assert not {p for p in places if p[0] == "DC302"}
    # frontend listens on 8080 in prod by declaration; public HTTPS URLs front 8000/8081.
    assert not {p for p in places if p[1] == "frontend" and p[2] == "prod"}
    assert not {p for p in places if p[0] == "DC402" and p[2] == "prod"}
    # DEBUG is scoped to dev; VITE_ prefixes are the same name for the OAuth client id.
    assert not {p for p in places if p[3] in ("DEBUG", "VITE_OAUTH_CLIENT_ID")}


def test_incident_example_shows_secrets_only_as_fingerprints() -> None:
    example = ROOT / "examples" / "incident"
    secrets = {
        line.split("=", 1)[1]
        for env_file in example.glob("services/*/.env.*")
        for line in env_file.read_text().splitlines()
        if line.startswith(("JWT_SECRET", "DATABASE_URL"))
    }
    for output_format in FORMATS:
        output = _run(example, output_format).stdout
        assert "hmac:" in output
        for secret in secrets:
            assert secret not in output


def _findings(name: str) -> list[dict[str, object]]:
    run = _run(ROOT / "examples" / name, "json")
    assert run.exit_code == 1
    findings: list[dict[str, object]] = json.loads(run.stdout)["findings"]
    return findings


def test_compose_example_reports_its_drift() -> None:
    places = _places(_findings("compose"))
    assert places == {
        ("DC401", "api", "prod", "PORT"),  # compose.prod.yaml publishes 80 to 8001
        ("DC301", "api", "prod", "SESSION_SECRET"),  # the worker kept a rotated-out secret
        ("DC102", "api", "prod", "SENTRY_DSN"),  # ${SENTRY_DSN} is empty in env/prod.env
        ("DC402", "web", "dev", "API_INTERNAL_URL"),  # http://api:8080 on the network
        ("DC402", "web", "prod", "API_INTERNAL_URL"),
        ("DC101", "worker", "dev", "REDIS_URL"),  # set as REDIS_URI
        ("DC101", "worker", "prod", "REDIS_URL"),
        ("DC203", "worker", "dev", "REDIS_URI"),
        ("DC203", "worker", "prod", "REDIS_URI"),
    }
    # Not reported: PUBLIC_API_URL=http://localhost:8080 (the published port, from the
    # host), secrets that differ between dev and prod, TZ and PYTHONUNBUFFERED (process
    # keys), DEBUG only in dev and SENTRY_DSN only in prod (scoped in the schema).


def test_kubernetes_example_reports_its_drift() -> None:
    places = _places(_findings("kubernetes"))
    assert places == {
        ("DC401", "backend", "staging", "PORT"),  # the Service's targetPort is 8080
        ("DC103", "backend", "prod", "REDIS_HOST"),  # the ConfigMap renamed the key
        ("DC602", "backend", "prod", "REDIS_HOSTNAME"),  # ...which envFrom delivers
        ("DC402", "frontend", "prod", "API_URL"),  # backend:8000 past a Service on 80
        ("DC301", "auth", "prod", "JWT_SECRET"),  # billing verifies with staging's secret
        ("DC101", "billing", "prod", "STRIPE_API_KEY"),  # neither value nor reference
    }
    # Not reported: http://backend (the Service's port 80 in front of 8000), backend's JWT
    # Secret differing between staging and prod, the PORT Cloud Run injects (billing does
    # not read it), POD_NAME from a fieldRef, the Ingress and ServiceAccount documents.


@pytest.mark.parametrize("name", ["compose", "kubernetes"])
def test_manifest_examples_show_secrets_only_as_fingerprints(name: str) -> None:
    import base64
    import re

    example = ROOT / "examples" / name
    texts = [path.read_text() for path in example.rglob("*") if path.suffix in (".yaml", ".env")]
    secrets = set()
    for text in texts:
        secrets.update(re.findall(r"(?:SECRET|PASSWORD)=(\S+)", text))
        secrets.update(re.findall(r"DATABASE_URL: (\S+)", text))
        for encoded in re.findall(r"JWT_SECRET: ([A-Za-z0-9+/=]{20,})", text):
            secrets.add(base64.b64decode(encoded).decode())
    assert len(secrets) >= 4
    for output_format in FORMATS:
        output = _run(example, output_format).stdout
        for secret in secrets:
            assert secret not in output
            # Not even the password part of a URL.
            assert secret.rsplit("@", 1)[0].rsplit(":", 1)[-1] not in output


def _update() -> None:
    for example in EXAMPLES:
        expected_dir = example / "expected"
        expected_dir.mkdir(exist_ok=True)
        for output_format, name in FORMATS.items():
            run = _run(example, output_format)
            (expected_dir / name).write_text(run.stdout, encoding="utf-8")
        (expected_dir / "exit-code").write_text(f"{run.exit_code}\n")
        print(f"updated {expected_dir.relative_to(ROOT)}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python -m tests.test_examples --update")
    _update()
