"""Kubernetes and Cloud Run manifests: each container's environment, references, Services.

Real manifests come from the real kubectl where it is installed: ``kubectl create
configmap|secret --from-env-file ... --dry-run=client -o yaml`` and ``kubectl kustomize``
(offline, no cluster), so the tests read what the tool writes, not what we think it writes.
"""

from __future__ import annotations

import base64
import json
import textwrap
from pathlib import Path

import pytest
import yaml

from driftcheck.errors import DriftcheckError
from driftcheck.sources.kubernetes import Manifests, load_manifests, workload_source
from driftcheck.values import Reference
from tests.helpers import run_tool


def _manifests(tmp_path: Path, *texts: str) -> Manifests:
    paths = []
    for number, text in enumerate(texts):
        path = tmp_path / f"m{number}.yaml"
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        paths.append(path)
    return load_manifests(paths, [path.name for path in paths])


def _values(manifests: Manifests, workload: str, container: str | None = None) -> dict[str, object]:
    parsed = workload_source(manifests, workload, container)
    return {e.key: e.value if e.value is not None else e.reference for e in parsed.entries}


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend
  namespace: prod
spec:
  template:
    metadata:
      labels: {app: backend, tier: api}
    spec:
      containers:
        - name: backend
          image: backend:1
          ports:
            - {name: http, containerPort: 8000}
          envFrom:
            - configMapRef: {name: backend-config}
            - secretRef: {name: backend-secrets}
              prefix: SECRET_
          env:
            - name: PORT
              value: "8000"
            - name: EMPTY
            - name: LOG_LEVEL
              value: debug
            - name: JWT_SECRET_KEY
              valueFrom:
                secretKeyRef: {name: jwt, key: signing-key}
            - name: REDIS_HOST
              valueFrom:
                configMapKeyRef: {name: backend-config, key: REDIS_HOST}
            - name: POD_NAME
              valueFrom:
                fieldRef: {fieldPath: metadata.name}
            - name: EXTERNAL
              valueFrom:
                secretKeyRef: {name: made-elsewhere, key: token}
            - name: URL
              value: "redis://$(REDIS_HOST):6379/$(NOT_DEFINED)?cost=$$(x)"
            - name: FROM_SECRET
              value: "$(JWT_SECRET_KEY)-suffix"
        - name: sidecar
          image: proxy
---
apiVersion: v1
kind: ConfigMap
metadata: {name: backend-config, namespace: prod}
data:
  LOG_LEVEL: info
  REDIS_HOST: redis.prod
  not a variable name: x
---
apiVersion: v1
kind: Secret
metadata: {name: backend-secrets, namespace: prod}
data:
  API_TOKEN: {token}
stringData:
  PLAIN: plain-secret
---
apiVersion: v1
kind: Secret
metadata: {name: jwt, namespace: prod}
data:
  signing-key: {jwt}
""".replace("{token}", _b64("token-value")).replace("{jwt}", _b64("jwt-value"))


def test_a_containers_environment(tmp_path: Path) -> None:
    manifests = _manifests(tmp_path, DEPLOYMENT)
    assert _values(manifests, "backend", "backend") == {
        "LOG_LEVEL": "debug",
        "REDIS_HOST": "redis.prod",
        "SECRET_API_TOKEN": "token-value",
        "SECRET_PLAIN": "plain-secret",
        "PORT": "8000",
        "EMPTY": "",
        "JWT_SECRET_KEY": "jwt-value",
        "POD_NAME": Reference("field", "metadata.name"),
        "EXTERNAL": Reference("Secret", "made-elsewhere", "token"),
        "URL": "redis://redis.prod:6379/$(NOT_DEFINED)?cost=$(x)",
        "FROM_SECRET": "jwt-value-suffix",
    }


def test_values_keep_where_they_come_from(tmp_path: Path) -> None:
    parsed = workload_source(_manifests(tmp_path, DEPLOYMENT), "Deployment/backend", "backend")
    entries = {entry.key: entry for entry in parsed.entries}
    assert str(entries["PORT"].origin) == "m0.yaml:21"
    # A value from a ConfigMap or Secret is where it is written there.
    assert str(entries["REDIS_HOST"].origin) == "m0.yaml:50"
    assert str(entries["JWT_SECRET_KEY"].origin) == "m0.yaml:65"
    assert entries["JWT_SECRET_KEY"].reference == Reference("Secret", "jwt", "signing-key")


def test_secret_values_are_marked_and_masked(tmp_path: Path) -> None:
    parsed = workload_source(_manifests(tmp_path, DEPLOYMENT), "backend", "backend")
    marked = {entry.key for entry in parsed.entries if entry.from_secret_store}
    assert marked == {
        "SECRET_API_TOKEN",
        "SECRET_PLAIN",
        "JWT_SECRET_KEY",
        "EXTERNAL",
        "FROM_SECRET",
    }
    for entry in parsed.entries:
        assert "value" not in repr(entry).replace("value=", "")


def test_several_containers_need_a_choice(tmp_path: Path) -> None:
    manifests = _manifests(tmp_path, DEPLOYMENT)
    assert _values(manifests, "backend", "sidecar") == {}
    # One container is named like the workload: it is the default.
    assert "PORT" in _values(manifests, "backend")
    with pytest.raises(DriftcheckError, match=r"no container 'web' .*backend, sidecar"):
        workload_source(manifests, "backend", "web")
    with pytest.raises(DriftcheckError, match=r"no workload 'frontend' .*Deployment/backend"):
        workload_source(manifests, "frontend")


@pytest.mark.parametrize(
    ("kind", "api"),
    [
        ("Deployment", "apps/v1"),
        ("StatefulSet", "apps/v1"),
        ("DaemonSet", "apps/v1"),
        ("ReplicaSet", "apps/v1"),
        ("ReplicationController", "v1"),
        ("Job", "batch/v1"),
        ("CronJob", "batch/v1"),
        ("Pod", "v1"),
    ],
)
def test_every_workload_kind(tmp_path: Path, kind: str, api: str) -> None:
    pod = {"containers": [{"name": "app", "env": [{"name": "A", "value": "1"}]}]}
    spec: dict[str, object] = {"template": {"spec": pod}}
    if kind == "Pod":
        spec = pod
    elif kind == "CronJob":
        spec = {"jobTemplate": {"spec": spec}}
    document = {"apiVersion": api, "kind": kind, "metadata": {"name": "app"}, "spec": spec}
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(document))
    manifests = load_manifests([tmp_path / "m.yaml"], ["m.yaml"])
    assert _values(manifests, f"{kind}/app") == {"A": "1"}


def test_a_reference_to_a_missing_key_is_an_issue(tmp_path: Path) -> None:
    manifests = _manifests(
        tmp_path,
        """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: cfg}
        data: {A: "1"}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: app}
        spec:
          containers:
            - name: app
              env:
                - name: WRONG
                  valueFrom: {configMapKeyRef: {name: cfg, key: a}}
                - name: OPTIONAL
                  valueFrom: {configMapKeyRef: {name: cfg, key: b, optional: true}}
        """,
    )
    parsed = workload_source(manifests, "app")
    (issue,) = parsed.issues
    assert (issue.kind, issue.key, str(issue.origin)) == (
        "dangling-reference",
        "WRONG",
        "m0.yaml:13",
    )
    entries = {entry.key: entry for entry in parsed.entries}
    assert entries["WRONG"].present  # the pod will not start; required-key-missing stays quiet
    assert not entries["OPTIONAL"].present


def test_invalid_base64_is_an_error_at_its_line(tmp_path: Path) -> None:
    with pytest.raises(DriftcheckError) as caught:
        _manifests(
            tmp_path,
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"
            "data:\n  OK: aGk=\n  BAD: '%%%not base64'\n",
        )
    assert str(caught.value) == "m0.yaml:6: data key BAD of Secret s is not valid base64"


def test_services_become_addresses_of_the_workloads_they_select(tmp_path: Path) -> None:
    manifests = _manifests(
        tmp_path,
        DEPLOYMENT,
        """
        apiVersion: v1
        kind: Service
        metadata: {name: backend, namespace: prod}
        spec:
          selector: {app: backend}
          ports:
            - {port: 80, targetPort: http}
            - {port: 9090, targetPort: 9091}
            - {port: 8443}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: other, namespace: prod}
        spec:
          selector: {app: other}
          ports: [{port: 81}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: backend, namespace: staging}
        spec:
          selector: {app: backend}
          ports: [{port: 82}]
        """,
    )
    addresses = workload_source(manifests, "backend").addresses
    assert [(a.port, a.target, str(a.origin)) for a in addresses] == [
        (80, 8000, "m1.yaml:7"),
        (9090, 9091, "m1.yaml:8"),
        (8443, 8443, "m1.yaml:9"),
    ]
    assert addresses[0].hosts == (
        "backend",
        "backend.prod",
        "backend.prod.svc",
        "backend.prod.svc.cluster.local",
    )


def test_kubectl_get_list_output_in_yaml_and_json(tmp_path: Path) -> None:
    listing = {
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "cfg", "namespace": "default"},
                "data": {"A": "from-config"},
            },
            {
                "apiVersion": "v1",
                "kind": "List",
                "items": [
                    {
                        "apiVersion": "apps/v1",
                        "kind": "Deployment",
                        "metadata": {"name": "app", "namespace": "default"},
                        "spec": {
                            "template": {
                                "spec": {
                                    "containers": [
                                        {
                                            "name": "app",
                                            "envFrom": [{"configMapRef": {"name": "cfg"}}],
                                        }
                                    ]
                                }
                            }
                        },
                    }
                ],
            },
        ],
        "metadata": {"resourceVersion": ""},
    }
    (tmp_path / "list.json").write_text(json.dumps(listing, indent=4))
    (tmp_path / "list.yaml").write_text(yaml.safe_dump(listing))
    for name in ("list.json", "list.yaml"):
        manifests = load_manifests([tmp_path / name], [name])
        assert _values(manifests, "app") == {"A": "from-config"}


HELM_OUTPUT = """
---
# Source: backend/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: backend
---
# Source: backend/templates/ingress.yaml
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: backend
---
# Source: backend/templates/monitor.yaml
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: backend
---
# Source: backend/templates/empty.yaml
---
# Source: backend/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: release-backend
  labels:
    helm.sh/chart: backend-0.1.0
spec:
  template:
    spec:
      containers:
        - name: backend
          env:
            - name: "LOG_LEVEL"
              value: "info"
"""


def test_helm_template_output(tmp_path: Path) -> None:
    manifests = _manifests(tmp_path, HELM_OUTPUT)
    assert [w.qualified_name for w in manifests.workloads] == ["Deployment/release-backend"]
    parsed = workload_source(manifests, "release-backend")
    assert [(e.key, e.value, e.origin.line) for e in parsed.entries] == [("LOG_LEVEL", "info", 35)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("kind: Deployment\n", "m0.yaml:1: document has no 'apiVersion'", id="no-api"),
        pytest.param("- a\n", "m0.yaml:1: document is a list", id="list"),
        pytest.param(
            "apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: a}\n",
            "m0.yaml:2: unknown kind 'Deploymnet' for apiVersion apps/v1",
            id="typo",
        ),
        pytest.param(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n"
            "    - env: {A: 1}\n",
            "m0.yaml:6: 'env' of container",
            id="env-mapping",
        ),
        pytest.param(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n"
            "    - env:\n        - value: x\n",
            "m0.yaml:7: an 'env' item of container  has no 'name'",
            id="env-no-name",
        ),
        pytest.param(
            "apiVersion: v1\nkind: Service\nspec:\n  ports: [{port: 0}]\n",
            "m0.yaml:4: a port",
            id="port",
        ),
    ],
)
def test_malformed_manifests(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(DriftcheckError) as caught:
        _manifests(tmp_path, text)
    assert str(caught.value).startswith(message)


def test_a_huge_manifest_is_read(tmp_path: Path) -> None:
    documents = []
    for number in range(1000):
        env = "".join(f"            - {{name: K{k}, value: v{k}}}\n" for k in range(25))
        documents.append(
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: w{number}}}\nspec:\n"
            f"  template:\n    spec:\n      containers:\n        - name: app\n          env:\n{env}"
        )
    (tmp_path / "big.yaml").write_text("---\n".join(documents))
    manifests = load_manifests([tmp_path / "big.yaml"], ["big.yaml"])
    assert len(manifests.workloads) == 1000
    assert _values(manifests, "w999")["K24"] == "v24"


# -- Cloud Run ------------------------------------------------------------------------------

CLOUD_RUN = """
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  annotations:
    run.googleapis.com/ingress: all
  labels:
    cloud.googleapis.com/location: europe-west1
  name: auth
  namespace: '123456789'
spec:
  template:
    metadata:
      annotations:
        autoscaling.knative.dev/maxScale: '10'
    spec:
      containerConcurrency: 80
      containers:
      - env:
        - name: LOG_LEVEL
          value: info
        - name: JWT_SECRET
          valueFrom:
            secretKeyRef:
              key: latest
              name: jwt-secret
        image: europe-docker.pkg.dev/p/r/auth:1
        ports:
        - containerPort: 8081
          name: http1
      serviceAccountName: auth@p.iam.gserviceaccount.com
  traffic:
  - latestRevision: true
    percent: 100
"""


def test_a_cloud_run_service(tmp_path: Path) -> None:
    manifests = _manifests(tmp_path, CLOUD_RUN)
    parsed = workload_source(manifests, "auth", cloud_run=True)
    entries = {entry.key: entry for entry in parsed.entries}
    assert {key: (e.value, e.reference) for key, e in entries.items()} == {
        "PORT": ("8081", None),
        "LOG_LEVEL": ("info", None),
        "JWT_SECRET": (None, Reference("Secret Manager", "jwt-secret", "latest")),
    }
    assert str(entries["PORT"].origin) == "m0.yaml:28"
    assert str(Reference("Secret Manager", "jwt-secret", "latest")) == (
        "Secret Manager secret jwt-secret (version latest)"
    )


def test_cloud_run_port_defaults_to_8080(tmp_path: Path) -> None:
    text = CLOUD_RUN.replace(
        "        ports:\n        - containerPort: 8081\n          name: http1\n", ""
    )
    parsed = workload_source(_manifests(tmp_path, text), "auth", cloud_run=True)
    assert (parsed.entries[0].key, parsed.entries[0].value) == ("PORT", "8080")


def test_cloud_run_selection_ignores_plain_workloads(tmp_path: Path) -> None:
    manifests = _manifests(tmp_path, DEPLOYMENT)
    with pytest.raises(DriftcheckError, match="no Cloud Run service 'backend'"):
        workload_source(manifests, "backend", cloud_run=True)


# -- manifests written by the real kubectl --------------------------------------------------


def _kubectl(*args: str, cwd: Path) -> str:
    completed = run_tool("kubectl", *args, cwd=cwd)
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


ENV_FILE = 'LOG_LEVEL=info\nREDIS_HOST=redis.internal\nQUOTED="kept as written"\nSPACES=a b c\n'
SECRET_FILE = "JWT_SECRET=a-long-enough-secret-value-1234\nDB_PASSWORD=p@ss w0rd=\n"
DEPLOYMENT_FOR_KUBECTL = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend
spec:
  selector:
    matchLabels: {app: backend}
  template:
    metadata:
      labels: {app: backend}
    spec:
      containers:
        - name: backend
          image: backend:1
          envFrom:
            - configMapRef: {name: backend-config}
            - secretRef: {name: backend-secrets}
              prefix: S_
          env:
            - name: JWT_SECRET_KEY
              valueFrom:
                secretKeyRef: {name: backend-secrets, key: JWT_SECRET}
            - name: MISSING
              valueFrom:
                configMapKeyRef: {name: backend-config, key: NOT_THERE}
"""


def _kubectl_values(created: str, kind: str) -> dict[str, str]:
    """What kubectl itself put in a ConfigMap or Secret, decoded independently."""
    data = yaml.safe_load(created)["data"]
    if kind == "Secret":
        return {k: base64.b64decode(v).decode() for k, v in data.items()}
    return dict(data)


def test_configmaps_and_secrets_written_by_kubectl(tmp_path: Path) -> None:
    (tmp_path / "app.env").write_text(ENV_FILE)
    (tmp_path / "secret.env").write_text(SECRET_FILE)
    config = _kubectl(
        "create",
        "configmap",
        "backend-config",
        "--from-env-file=app.env",
        "--dry-run=client",
        "-o",
        "yaml",
        cwd=tmp_path,
    )
    secret = _kubectl(
        "create",
        "secret",
        "generic",
        "backend-secrets",
        "--from-env-file=secret.env",
        "--dry-run=client",
        "-o",
        "yaml",
        cwd=tmp_path,
    )
    (tmp_path / "config.yaml").write_text(config)
    (tmp_path / "secret.yaml").write_text(secret)
    (tmp_path / "deployment.yaml").write_text(textwrap.dedent(DEPLOYMENT_FOR_KUBECTL))
    names = ["config.yaml", "secret.yaml", "deployment.yaml"]
    manifests = load_manifests([tmp_path / n for n in names], names)
    parsed = workload_source(manifests, "backend")
    values = {entry.key: entry.value for entry in parsed.entries}
    expected_config = _kubectl_values(config, "ConfigMap")
    expected_secret = _kubectl_values(secret, "Secret")
    assert expected_config["QUOTED"] == '"kept as written"'  # kubectl takes values verbatim
    for key, value in expected_config.items():
        assert values[key] == value
    for key, value in expected_secret.items():
        assert values["S_" + key] == value
    assert values["JWT_SECRET_KEY"] == expected_secret["JWT_SECRET"]
    assert [(i.kind, i.key) for i in parsed.issues] == [("dangling-reference", "MISSING")]


def test_kubectl_kustomize_output(tmp_path: Path) -> None:
    (tmp_path / "app.env").write_text(ENV_FILE)
    (tmp_path / "secret.env").write_text(SECRET_FILE)
    (tmp_path / "deployment.yaml").write_text(textwrap.dedent(DEPLOYMENT_FOR_KUBECTL))
    (tmp_path / "kustomization.yaml").write_text(
        "resources: [deployment.yaml]\nnamespace: prod\n"
        "configMapGenerator:\n  - name: backend-config\n    envs: [app.env]\n"
        "secretGenerator:\n  - name: backend-secrets\n    envs: [secret.env]\n"
    )
    rendered = _kubectl("kustomize", ".", cwd=tmp_path)
    # kustomize renames generated objects (backend-config-<hash>) and the references to them.
    assert "backend-config-" in rendered
    (tmp_path / "rendered.yaml").write_text(rendered)
    manifests = load_manifests([tmp_path / "rendered.yaml"], ["rendered.yaml"])
    (workload,) = manifests.workloads
    assert workload.namespace == "prod"
    parsed = workload_source(manifests, "backend")
    values = {entry.key: entry.value for entry in parsed.entries}
    assert values["REDIS_HOST"] == "redis.internal"
    assert values["S_DB_PASSWORD"] == "p@ss w0rd="
    assert values["JWT_SECRET_KEY"] == "a-long-enough-secret-value-1234"
    assert [(i.kind, i.key) for i in parsed.issues] == [("dangling-reference", "MISSING")]
