"""Small projects for rule tests, so that a case reads as one line of input.

A schema is a few TOML lines (an inline table keeps a key to one line:
``keys.PORT = {type = "port"}``) and a ``.env`` file is its text. Every (service,
environment) gets an empty ``.env`` file unless a test gives one, since the sources of
``BASIC_CONFIG`` (and of ``HEAD``) are not optional.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from driftcheck.values import Fingerprinter
from tests.helpers import BASIC_CONFIG, TEST_HASH_KEY, check_findings, write_project

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

#: What ``codes`` gives for a finding: (code, service, environment, key).
Place = tuple[str, str | None, str | None, str | None]

ENVIRONMENTS = ("dev", "staging", "prod")
#: BASIC_CONFIG's environments, as TOML.
THREE_ENVIRONMENTS = 'environments = ["dev", "staging", "prod"]'
#: BASIC_CONFIG's source: one ``.env`` file per (service, environment), as a TOML item.
ENV_FILE = '"{service}/.env.{env}"'


def head(*sources: str, environments: str = THREE_ENVIRONMENTS) -> str:
    """A config's head: ``environments`` (TOML), whose every service reads ``sources``.

    Each source is a TOML array item, such as ``ENV_FILE`` or ``'{format = "process"}'``.
    """
    listed = ", ".join(sources or (ENV_FILE,))
    return f"{environments}\n\n[defaults]\nsources = [{listed}]\n"


#: The head of a config with several services: BASIC_CONFIG's environments and sources.
HEAD = head()


def reading(*sources: str, environments: str = THREE_ENVIRONMENTS) -> str:
    """A config of one service ``app`` (no declared port) that reads ``sources``."""
    return head(*sources, environments=environments) + "[services.app]\n"


def shared_secret(key: str) -> str:
    """BASIC_CONFIG where app's ``key`` is a secret because a shared setting says so."""
    return BASIC_CONFIG + f'[shared.s]\nsecret = true\nmembers = {{ app = "{key}" }}\n'


#: A canary secret: tests plant it and then search every output for it.
CANARY = "CANARY-s3cr3t-7f1c"


def project(
    tmp_path: Path, config: str, schemas: dict[str, str], files: dict[str, str] | None = None
) -> Path:
    """``config``, ``schemas/<service>.toml``, and an ``.env`` file per (service, environment)."""
    environments = list(tomllib.loads(textwrap.dedent(config))["environments"])
    written = {"driftcheck.toml": config}
    for service, schema in schemas.items():
        written[f"schemas/{service}.toml"] = schema
        written.update({f"{service}/.env.{env}": "" for env in environments})
    written.update(files or {})
    return write_project(tmp_path, written)


def app(tmp_path: Path, schema: str, config: str = BASIC_CONFIG, **env_files: str) -> Path:
    """One service ``app`` (port 8000 in BASIC_CONFIG); each keyword is an environment's file."""
    files = {f"app/.env.{env}": text for env, text in env_files.items()}
    return project(tmp_path, config, {"app": schema}, files)


def assert_not_shown(root: Path, code: str, *secrets: str) -> None:
    """``code`` reports something, and no secret is in any text of what it reports."""
    findings = check_findings(root, (code,))
    assert findings, f"{code} reports nothing here, so this test would prove nothing"
    texts = [repr(findings)]
    for finding in findings:
        texts += [finding.message, finding.hint or "", repr(finding.origin)]
        texts += [f"{related.shown} {related.note} {related!r}" for related in finding.related]
    leaks = [text for text in texts if any(secret in text for secret in secrets)]
    assert not leaks, f"{code} shows a secret in: {leaks}"


def fingerprint(value: str) -> str:
    """The fingerprint the tests' runs show for ``value``."""
    return Fingerprinter(TEST_HASH_KEY).fingerprint(value)


#: Service-discovery records, one JSON file per environment.
DISCOVERY = '[discovery]\nsources = ["discovery/{env}.json"]\n'


def discovery_files(**records: str) -> dict[str, str]:
    """The discovery file of each environment: its keyword's JSON, else no records."""
    return {f"discovery/{env}.json": records.get(env, "{}") for env in ENVIRONMENTS}


#: One environment, for rules on deployment manifests.
PROD_ONLY = 'environments = ["prod"]'


def deployed(
    tmp_path: Path,
    manifest: str,
    schemas: dict[str, str],
    source_format: str = "compose",
    services: str = "",
    files: dict[str, str] | None = None,
) -> Path:
    """Services of ``schemas`` in one environment ``prod``, each fed by its own part
    (its name) of one manifest file: ``compose.yaml``, or ``k8s.yaml`` for the Kubernetes
    and Cloud Run formats. ``services`` adds TOML to each ``[services.NAME]`` table, as
    ``{"NAME": "port = 8000"}`` lines would; here it is appended after the tables."""
    name = "compose.yaml" if source_format == "compose" else "k8s.yaml"
    source = f'{{ path = "{name}", format = "{source_format}" }}'
    config = head(source, environments=PROD_ONLY)
    config += "".join(f"[services.{service}]\n" for service in schemas) + services
    return project(tmp_path, config, schemas, {name: manifest, **(files or {})})
