"""shared-value-mismatch (DC301): services of one environment disagree on a shared value."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftcheck.values import Origin
from tests.helpers import Found, check_findings, codes, found
from tests.rules.build import CANARY, HEAD, assert_not_shown, fingerprint, project

CODE = "DC301"
A = "first-long-random-secret-value"
B = "other-long-random-secret-value"
JWT = '[shared.jwt]\nmembers = { auth = "JWT_SECRET", backend = "JWT_SECRET_KEY" }\n'
SECRET = 'type = "secret", required = false, deprecated_names = ["OLD_JWT"]'


def jwt(
    tmp_path: Path, envs: dict[str, tuple[str, str]], shared: str = JWT, key_type: str = SECRET
) -> Path:
    """auth reads JWT_SECRET, backend JWT_SECRET_KEY; ``envs``: (auth line, backend line)."""
    config = HEAD + "[services.auth]\n[services.backend]\n" + shared
    schemas = {
        "auth": f"keys.JWT_SECRET = {{{key_type}}}",
        "backend": f"keys.JWT_SECRET_KEY = {{{key_type}}}",
    }
    files = {}
    for env, (auth, backend) in envs.items():
        files[f"auth/.env.{env}"] = auth + "\n"
        files[f"backend/.env.{env}"] = backend + "\n"
    return project(tmp_path, config, schemas, files)


def test_different_secrets_in_one_environment(tmp_path: Path) -> None:
    root = jwt(tmp_path, {"prod": (f"JWT_SECRET={A}", f"JWT_SECRET_KEY={B}")})
    assert found(root, CODE) == {Found(CODE, "auth", "prod", "JWT_SECRET", "auth/.env.prod", 1)}


def test_the_other_side_is_related_and_shown_as_a_fingerprint(tmp_path: Path) -> None:
    root = jwt(tmp_path, {"prod": (f"JWT_SECRET={A}", f"X=1\nJWT_SECRET_KEY={B}")})
    (finding,) = check_findings(root, (CODE,))
    assert [(r.origin, r.service, r.key, r.shown) for r in finding.related] == [
        (Origin("backend/.env.prod", 2), "backend", "JWT_SECRET_KEY", fingerprint(B))
    ]


def test_a_value_set_under_a_deprecated_name_is_compared(tmp_path: Path) -> None:
    root = jwt(tmp_path, {"staging": (f"JWT_SECRET={A}", f"OLD_JWT={B}")})
    assert codes(root, CODE) == {(CODE, "auth", "staging", "JWT_SECRET")}


def test_a_plain_shared_value_is_compared_too(tmp_path: Path) -> None:
    root = jwt(tmp_path, {"dev": ("JWT_SECRET=a", "JWT_SECRET_KEY=b")}, key_type="required = false")
    assert codes(root, CODE) == {(CODE, "auth", "dev", "JWT_SECRET")}


@pytest.mark.parametrize(
    "envs",
    [
        pytest.param(
            {
                "dev": (f"JWT_SECRET={A}", f"JWT_SECRET_KEY={A}"),
                "prod": (f"JWT_SECRET={B}", f"JWT_SECRET_KEY={B}"),
            },
            id="equal within each environment, different between dev and prod",
        ),
        pytest.param({"prod": (f"JWT_SECRET={A}", "")}, id="one side not set"),
        pytest.param({"prod": (f"JWT_SECRET={A}", "JWT_SECRET_KEY")}, id="one side bare"),
        pytest.param({"prod": (f"JWT_SECRET={A}", f"OLD_JWT={A}")}, id="same, old name"),
    ],
)
def test_not_reported(tmp_path: Path, envs: dict[str, tuple[str, str]]) -> None:
    assert codes(jwt(tmp_path, envs), CODE) == set()


def test_not_reported_when_the_setting_may_differ(tmp_path: Path) -> None:
    shared = JWT + "equal_within_environment = false\n"
    root = jwt(tmp_path, {"prod": (f"JWT_SECRET={A}", f"JWT_SECRET_KEY={B}")}, shared)
    assert codes(root, CODE) == set()


def test_secret_values_are_never_shown(tmp_path: Path) -> None:
    root = jwt(tmp_path, {"prod": (f"JWT_SECRET={CANARY}", f"JWT_SECRET_KEY={B}")})
    assert_not_shown(root, CODE, CANARY)


def test_a_shared_secret_under_a_deprecated_name_is_never_shown(tmp_path: Path) -> None:
    shared = JWT + "secret = true\n"
    key_type = 'required = false, deprecated_names = ["OLD_JWT"]'
    root = jwt(tmp_path, {"prod": (f"JWT_SECRET={B}", f"OLD_JWT={CANARY}")}, shared, key_type)
    assert_not_shown(root, CODE, CANARY)


# -- values delivered by reference (Cloud Run Secret Manager) ------------------------------

CLOUD_RUN = """
apiVersion: serving.knative.dev/v1
kind: Service
metadata: {{name: {name}}}
spec:
  template:
    spec:
      containers:
        - env:
            - name: {key}
              {delivery}
---
"""


def cloud_run(tmp_path: Path, auth: str, backend: str) -> Path:
    from tests.rules.build import deployed

    manifest = CLOUD_RUN.format(name="auth", key="JWT_SECRET", delivery=auth)
    manifest += CLOUD_RUN.format(name="backend", key="JWT_SECRET_KEY", delivery=backend)
    schemas = {
        "auth": f"keys.JWT_SECRET = {{{SECRET}}}",
        "backend": f"keys.JWT_SECRET_KEY = {{{SECRET}}}",
    }
    return deployed(tmp_path, manifest, schemas, "cloudrun", services=JWT)


def secret_ref(name: str, version: str = "latest") -> str:
    return f"valueFrom: {{secretKeyRef: {{name: {name}, key: '{version}'}}}}"


def test_two_services_taking_a_shared_secret_from_different_secrets(tmp_path: Path) -> None:
    root = cloud_run(tmp_path, secret_ref("jwt"), secret_ref("jwt-key"))
    assert found(root, CODE) == {Found(CODE, "auth", "prod", "JWT_SECRET", "k8s.yaml", 9)}
    (finding,) = check_findings(root, (CODE,))
    assert "Secret Manager secret jwt-key (version latest)" in finding.message
    assert finding.related[0].shown == "<Secret Manager secret jwt-key (version latest)>"


def test_another_version_of_one_secret_differs_too(tmp_path: Path) -> None:
    root = cloud_run(tmp_path, secret_ref("jwt", "3"), secret_ref("jwt", "4"))
    assert codes(root, CODE) == {(CODE, "auth", "prod", "JWT_SECRET")}


def test_the_same_secret_is_fine(tmp_path: Path) -> None:
    assert codes(cloud_run(tmp_path, secret_ref("jwt"), secret_ref("jwt")), CODE) == set()


def test_a_value_and_a_reference_are_not_compared(tmp_path: Path) -> None:
    root = cloud_run(tmp_path, secret_ref("jwt"), f"value: {A}")
    assert codes(root, CODE) == set()
