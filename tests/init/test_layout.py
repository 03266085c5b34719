"""What init reads a repository's layout as: services, environments, sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftcheck.init.layout import plan
from driftcheck.init.scan import environment_rank, scan
from tests.helpers import write_project


def _layout(
    root: Path, files: dict[str, str] | list[str], *envs: str
) -> dict[str, dict[str, list[str]]]:
    """service -> environment -> the paths it reads there."""
    if isinstance(files, list):
        files = dict.fromkeys(files, "A=1\n")
    write_project(root, files)
    planned = plan(scan(root), envs)
    return {
        name: {
            env: [p for s in sources for p in s.paths] for env, sources in service.sources.items()
        }
        for name, service in planned.services.items()
    }


def test_service_directories_and_environment_suffixes(tmp_path: Path) -> None:
    layout = _layout(
        tmp_path,
        [
            "services/auth/.env.dev",
            "services/auth/.env.prod",
            "apps/web/config/.env.dev",
            "apps/web/config/.env.prod",
        ],
    )
    assert layout == {
        "auth": {"dev": ["services/auth/.env.dev"], "prod": ["services/auth/.env.prod"]},
        "web": {"dev": ["apps/web/config/.env.dev"], "prod": ["apps/web/config/.env.prod"]},
    }


@pytest.mark.parametrize(
    ("path", "service", "environment"),
    [
        (".env.staging", None, "staging"),
        ("config/dev.env", None, "dev"),
        ("env/prod.env", None, "prod"),
        ("deploy/prod/.env", None, "prod"),
        ("backend.env", "backend", None),
        ("config/backend.prod.env", "backend", "prod"),
        ("config/.env.backend.prod", "backend", "prod"),
        ("services/api/.env", "api", None),
        ("environments/staging/worker.env", "worker", "staging"),
    ],
)
def test_what_a_path_says(
    tmp_path: Path, path: str, service: str | None, environment: str | None
) -> None:
    write_project(tmp_path, {path: "A=1\n"})
    (found,) = scan(tmp_path).env_files
    assert (found.service, found.environment) == (service, environment)


def test_a_repository_of_one_service_is_named_after_its_directory(tmp_path: Path) -> None:
    root = tmp_path / "My Shop"
    assert _layout(root, [".env.dev", ".env.prod"]) == {
        "my-shop": {"dev": [".env.dev"], "prod": [".env.prod"]}
    }


def test_a_plain_env_file_is_a_base_layer_of_every_environment(tmp_path: Path) -> None:
    layout = _layout(tmp_path, ["api/.env", "api/.env.dev", "api/.env.prod"])
    assert layout == {
        "api": {"dev": ["api/.env", "api/.env.dev"], "prod": ["api/.env", "api/.env.prod"]}
    }


def test_without_environment_names_there_is_one_or_the_ones_asked_for(tmp_path: Path) -> None:
    write_project(tmp_path, {".env": "A=1\n"})
    assert plan(scan(tmp_path)).environments == ("dev",)
    assert plan(scan(tmp_path), ("dev", "prod")).environments == ("dev", "prod")


def test_spellings_of_one_environment_are_merged(tmp_path: Path) -> None:
    layout = _layout(
        tmp_path, ["a/.env.prod", "b/.env.prod", "c/.env.production", "c/.env.development"]
    )
    assert sorted({env for service in layout.values() for env in service}) == [
        "development",
        "prod",
    ]
    assert layout["c"]["prod"] == ["c/.env.production"]


def test_environments_in_promotion_order() -> None:
    names = ["prod", "zeta", "staging", "dev", "qa", "local", "production", "test"]
    assert sorted(names, key=environment_rank) == [
        "local",
        "dev",
        "test",
        "qa",
        "staging",
        "zeta",
        "prod",
        "production",
    ]


def test_env_narrows_and_orders_and_service_narrows(tmp_path: Path) -> None:
    files = [f"{s}/.env.{e}" for s in ("a", "b") for e in ("dev", "staging", "prod")]
    write_project(tmp_path, dict.fromkeys(files, "A=1\n"))
    planned = plan(scan(tmp_path), ("prod", "dev"), ("b",))
    assert planned.environments == ("prod", "dev")
    assert list(planned.services) == ["b"]
    assert list(planned.services["b"].sources) == ["prod", "dev"]


def test_examples_are_no_environment(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "api/.env.dev": "A=1\n",
            "api/.env.example": "A=\nB=\n",
            "api/.env.sample": "C=\n",
            "api/.env.prod.template": "D=\n",
            "api/.env.dev.local": "E=\n",
        },
    )
    planned = plan(scan(tmp_path))
    assert planned.environments == ("dev",)
    assert sorted(planned.services["api"].example_keys) == ["A", "B", "C", "D"]


def test_tools_and_dependencies_are_not_scanned(tmp_path: Path) -> None:
    files = {
        "api/.env.dev": "A=1\n",
        "node_modules/left-pad/.env.prod": "A=1\n",
        ".git/.env.prod": "A=1\n",
        "build/.env.prod": "A=1\n",
        "api/.tox/.env.prod": "A=1\n",
        "tools/pyenv/pyvenv.cfg": "home = /usr\n",
        "tools/pyenv/lib/.env.prod": "A=1\n",
        "api/.envrc": "export A=1\n",
        "api/.env.dev.bak": "A=1\n",
        "api/.env.json": "{}\n",
    }
    assert _layout(tmp_path, files) == {"api": {"dev": ["api/.env.dev"]}}


def test_a_directory_symlink_loop_is_not_followed(tmp_path: Path) -> None:
    write_project(tmp_path, {"api/.env.dev": "A=1\n"})
    (tmp_path / "api" / "loop").symlink_to(tmp_path / "api", target_is_directory=True)
    assert _layout(tmp_path, {}) == {"api": {"dev": ["api/.env.dev"]}}


COMPOSE = """
services:
  api:
    environment:
      TOKEN: ${API_TOKEN}
    env_file: api.env
  db:
    image: postgres:16
  cache:
    image: docker.io/library/redis:7-alpine
"""


def test_compose_overlays_env_files_and_infrastructure(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "compose.yaml": COMPOSE,
            "compose.prod.yaml": "services:\n  api:\n    environment:\n      MODE: prod\n",
            "compose.override.yaml": "services:\n  api:\n    environment:\n      MODE: dev\n",
            "compose.monitoring.yaml": "services: {}\n",
            "api.env": "A=1\n",
            "env/dev.env": "API_TOKEN=dev-token-value\n",
            "env/prod.env": "API_TOKEN=prod-token-value\n",
            ".env": "TAG=1\n",
        },
    )
    planned = plan(scan(tmp_path))
    assert planned.environments == ("dev", "prod")
    assert list(planned.services) == ["api"]
    assert planned.infrastructure == {"db": "postgres", "cache": "redis"}
    sources = planned.services["api"].sources
    assert [(s.format, s.paths, s.project_env) for s in sources["dev"]] == [
        ("compose", ("compose.yaml", "compose.override.yaml"), "env/dev.env")
    ]
    assert [(s.format, s.paths, s.project_env) for s in sources["prod"]] == [
        ("compose", ("compose.yaml", "compose.prod.yaml"), "env/prod.env")
    ]
    assert any("compose.monitoring.yaml" in note for note in planned.notes)


DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: {namespace}
spec:
  template:
    spec:
      containers:
        - name: api
          env:
            - name: A
              value: "1"
"""


def test_manifests_take_their_environment_from_the_path_or_the_namespace(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "k8s/staging/api.yaml": DEPLOYMENT.format(namespace="shop"),
            "deploy/api-prod.yaml": DEPLOYMENT.format(namespace="shop"),
            "other/api.yml": DEPLOYMENT.format(namespace="shop-dev"),
            "chart/Chart.yaml": "name: x\n",
            "chart/templates/api.yaml": DEPLOYMENT.format(namespace="{{ .Values.ns }}"),
            "overlay/kustomization.yaml": "resources: []\n",
            "overlay/patch.yaml": DEPLOYMENT.format(namespace="shop-qa"),
            ".github/workflows/ci.yml": "on: push\njobs: {}\n",
        },
    )
    planned = plan(scan(tmp_path))
    assert planned.environments == ("dev", "staging", "prod")
    sources = planned.services["api"].sources
    assert {env: [s.paths for s in found] for env, found in sources.items()} == {
        "dev": [("other/api.yml",)],
        "staging": [("k8s/staging/api.yaml",)],
        "prod": [("deploy/api-prod.yaml",)],
    }
    assert any(note.startswith("chart: a Helm chart") for note in planned.notes)
    assert any(note.startswith("overlay: a kustomization") for note in planned.notes)


def test_discovery_files_for_every_environment(tmp_path: Path) -> None:
    record = '{"services": {"api": {"port": 8000}}}'
    write_project(
        tmp_path,
        {
            "api/.env.dev": "PORT=8000\n",
            "api/.env.prod": "PORT=8000\n",
            "ops/discovery/dev.json": record,
            "ops/discovery/prod.json": record,
        },
    )
    assert plan(scan(tmp_path)).discovery == "ops/discovery/{env}.json"
    (tmp_path / "ops/discovery/prod.json").unlink()
    planned = plan(scan(tmp_path))
    assert planned.discovery is None
    assert any("no discovery file for prod" in note for note in planned.notes)


def test_a_service_an_overlay_adds_is_only_in_that_environment(tmp_path: Path) -> None:
    from tests.init.helpers import inferred

    write_project(
        tmp_path,
        {
            "docker-compose.yml": "services:\n  api:\n    environment:\n      A: '1'\n",
            "docker-compose.prod.yml": ("services:\n  metrics:\n    environment:\n      B: '2'\n"),
            "docker-compose.dev.yml": "services:\n  api:\n    environment:\n      C: '3'\n",
        },
    )
    result = inferred(tmp_path)
    assert result.plan.environments == ("dev", "prod")
    assert result.inference.services["metrics"].environments == ("prod",)
    assert result.inference.services["api"].environments == ("dev", "prod")


def test_a_path_with_braces_is_left_out_with_a_note(tmp_path: Path) -> None:
    write_project(tmp_path, {"api/.env.dev": "A=1\n", "api/{{x}}/.env.prod": "A=1\n"})
    planned = plan(scan(tmp_path))
    assert planned.environments == ("dev",)
    assert any("braces" in note for note in planned.notes)
