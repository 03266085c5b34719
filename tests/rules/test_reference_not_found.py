"""reference-not-found (DC103): a ConfigMap or Secret key reference that leads nowhere."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import Found, codes, found
from tests.rules.build import deployed

CODE = "DC103"
OBJECTS = """
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {REDIS_HOST: redis}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {password: pw}
---
"""


def pod(*env: str) -> str:
    items = "".join(f"        - {item}\n" for item in env)
    return (
        OBJECTS
        + "apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n  containers:\n"
        + "    - name: app\n      env:\n"
        + items
    )


def references(tmp_path: Path, *env: str, schema: str = "") -> set[Found]:
    return found(deployed(tmp_path, pod(*env), {"app": schema}, "kubernetes"), CODE)


def ref(kind: str, name: str, key: str, optional: str = "") -> str:
    field = "configMapKeyRef" if kind == "ConfigMap" else "secretKeyRef"
    return f"{{name: VAR, valueFrom: {{{field}: {{name: {name}, key: {key}{optional}}}}}}}"


def at(line: int) -> Found:
    return Found(CODE, "app", "prod", "VAR", "k8s.yaml", line)


def test_a_missing_configmap_key(tmp_path: Path) -> None:
    assert references(tmp_path, ref("ConfigMap", "cfg", "redis-host")) == {at(18)}


def test_a_missing_secret_key(tmp_path: Path) -> None:
    assert references(tmp_path, ref("Secret", "creds", "pasword")) == {at(18)}


def test_an_existing_key_is_fine(tmp_path: Path) -> None:
    assert references(tmp_path, ref("ConfigMap", "cfg", "REDIS_HOST")) == set()


def test_an_optional_reference_is_fine(tmp_path: Path) -> None:
    assert references(tmp_path, ref("ConfigMap", "cfg", "nope", ", optional: true")) == set()


def test_an_object_made_elsewhere_is_not_checked(tmp_path: Path) -> None:
    assert references(tmp_path, ref("Secret", "sealed", "anything")) == set()


def test_the_variable_still_counts_as_set(tmp_path: Path) -> None:
    root = deployed(
        tmp_path, pod(ref("ConfigMap", "cfg", "x")), {"app": "keys.VAR = {}"}, "kubernetes"
    )
    assert codes(root) == {(CODE, "app", "prod", "VAR")}
