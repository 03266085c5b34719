"""The project config's manifest sources: formats, detection, selectors, platform presets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from driftcheck.config import SourceSpec, display_path, load_config
from driftcheck.errors import DriftcheckError
from tests.helpers import write_project


def _config(tmp_path: Path, sources: str, extra: str = "") -> Path:
    text = f'environments = ["prod"]\n\n[services.api]\nsources = [{sources}]\n{extra}'
    write_project(tmp_path, {"driftcheck.toml": text})
    return tmp_path / "driftcheck.toml"


def _sources(tmp_path: Path, sources: str) -> tuple[SourceSpec, ...]:
    return load_config(_config(tmp_path, sources)).service("api").sources["prod"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("compose.yaml", "compose"),
        ("deploy/compose.yml", "compose"),
        ("docker-compose.yml", "compose"),
        ("docker-compose.override.yaml", "compose"),
        ("compose.prod.yaml", "compose"),
        ("k8s/deployment.yaml", "kubernetes"),
        ("helm-output.yml", "kubernetes"),
        ("composer.yaml", "kubernetes"),
        ("snapshot.json", "json"),
        (".env.prod", "dotenv"),
    ],
)
def test_the_format_follows_the_file_name(tmp_path: Path, path: str, expected: str) -> None:
    (spec,) = _sources(tmp_path, f'"{path}"')
    assert spec.format == expected


def test_a_compose_source_with_several_files_and_a_service(tmp_path: Path) -> None:
    (spec,) = _sources(
        tmp_path,
        '{ path = ["compose.yaml", "compose.{env}.yaml"], service = "backend", '
        'project_env = "deploy/{env}.env" }',
    )
    assert spec == SourceSpec(
        "compose",
        "compose.yaml",
        more_paths=("compose.{env}.yaml",),
        select="backend",
        project_env="deploy/{env}.env",
    )
    assert spec.paths == ("compose.yaml", "compose.{env}.yaml")


def test_kubernetes_and_cloud_run_selectors(tmp_path: Path) -> None:
    kubernetes, cloud_run = _sources(
        tmp_path,
        '{ path = "k8s/{env}.yaml", workload = "Deployment/api", container = "app" }, '
        '{ path = "run/{env}.yaml", format = "cloudrun", service = "api-svc" }',
    )
    assert (kubernetes.format, kubernetes.select, kubernetes.container) == (
        "kubernetes",
        "Deployment/api",
        "app",
    )
    assert (cloud_run.format, cloud_run.select, cloud_run.container) == (
        "cloudrun",
        "api-svc",
        None,
    )


@pytest.mark.parametrize(
    ("source", "message"),
    [
        pytest.param(
            '{ path = "compose.yaml", workload = "api" }',
            "driftcheck.toml:4: 'services.api.sources.workload' applies to kubernetes sources only",
            id="workload-for-compose",
        ),
        pytest.param(
            '{ path = "k8s.yaml", service = "api" }',
            "'services.api.sources.service' applies to compose and cloudrun sources only",
            id="service-for-kubernetes",
        ),
        pytest.param(
            '{ path = ".env", container = "api" }',
            "'services.api.sources.container' applies to kubernetes and cloudrun sources only",
            id="container-for-dotenv",
        ),
        pytest.param(
            '{ path = [".env", ".env.local"] }',
            "a dotenv source reads one file; list several sources instead",
            id="several-dotenv-files",
        ),
        pytest.param('{ path = [], format = "compose" }', "is empty", id="no-files"),
        pytest.param(
            '{ path = "compose.yaml", servce = "api" }',
            "unknown key 'services.api.sources.servce'",
            id="typo",
        ),
        pytest.param(
            '{ path = "compose.yaml", service = 1 }', "'services.api.sources.service'", id="type"
        ),
    ],
)
def test_bad_manifest_sources(tmp_path: Path, source: str, message: str) -> None:
    with pytest.raises(DriftcheckError) as caught:
        load_config(_config(tmp_path, source))
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("sources", "presets"),
    [
        ('".env"', ("process",)),
        ('"compose.yaml"', ("process", "compose")),
        (
            '"k8s.yaml", { path = "run.yaml", format = "cloudrun" }',
            ("process", "cloud-run", "kubernetes"),
        ),
    ],
)
def test_presets_default_to_the_platforms_of_the_sources(
    tmp_path: Path, sources: str, presets: tuple[str, ...]
) -> None:
    assert load_config(_config(tmp_path, sources)).platform_presets == presets


def test_presets_named_in_the_config_are_taken_as_they_are(tmp_path: Path) -> None:
    path = _config(tmp_path, '"compose.yaml"', '\n[platform]\npresets = ["kubernetes"]\n')
    assert load_config(path).platform_presets == ("kubernetes",)


@pytest.mark.parametrize("working", ["tmp", "root"])
def test_display_paths_are_relative_inside_the_working_directory_else_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, working: str
) -> None:
    cwd = tmp_path if working == "tmp" else Path("/")
    monkeypatch.chdir(cwd)
    names = [cwd, cwd / "a" / "b.env", tmp_path.parent / "sibling", Path("/"), Path("rel/x")]
    names += [Path("."), Path("../up/x"), Path(str(cwd) + "x") / "not-inside"]
    for name in names:
        absolute = Path(os.path.abspath(name))
        try:
            expected = absolute.relative_to(Path.cwd()).as_posix()
        except ValueError:
            expected = absolute.as_posix()
        assert display_path(name) == expected, name
