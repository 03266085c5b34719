"""``driftcheck init`` through the real CLI: what it writes, where, and when it refuses."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.helpers import run_cli, write_project
from tests.init.helpers import check_places, example_without_config, snapshot_tree

ENVS = ("dev", "staging", "prod")
SMALL = {
    **{
        f"services/api/.env.{env}": f"PORT=8000\nDEBUG={'true' if env == 'dev' else 'false'}\n"
        for env in ENVS
    },
    **{f"services/web/.env.{env}": "PORT=3000\nAPI_URL=http://localhost:8000\n" for env in ENVS},
}


def test_it_writes_a_config_and_a_schema_per_service_and_says_what_it_inferred(
    tmp_path: Path,
) -> None:
    write_project(tmp_path, SMALL)
    run = run_cli("init", cwd=tmp_path)
    assert (run.exit_code, run.stderr) == (0, "")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.toml")) == [
        "driftcheck.toml",
        "schemas/api.toml",
        "schemas/web.toml",
    ]
    assert "environments: dev, staging, prod" in run.stdout
    assert "web API_URL -> api" in run.stdout
    assert run.stdout.splitlines()[-1] == "next: driftcheck check"
    check, places = check_places(tmp_path)
    assert (check.exit_code, check.stderr, places) == (0, "", set())


def test_it_works_from_any_directory_and_writes_into_path(tmp_path: Path) -> None:
    repo = write_project(tmp_path / "repo", SMALL)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = run_cli("init", "../repo", cwd=elsewhere)
    assert run.exit_code == 0
    # Paths outside the working directory are shown absolute, as in every command.
    assert run.stdout.endswith(f"next: driftcheck check {repo.resolve()}\n")
    assert list(elsewhere.iterdir()) == []
    assert (repo / "driftcheck.toml").is_file()
    assert run_cli("check", "../repo", cwd=elsewhere).exit_code == 0


def test_the_same_repository_gives_the_same_bytes(tmp_path: Path) -> None:
    first = example_without_config("incident", tmp_path / "one")
    second = example_without_config("incident", tmp_path / "two")
    assert run_cli("init", str(first)).exit_code == 0
    assert run_cli("init", str(second)).exit_code == 0
    assert snapshot_tree(first) == snapshot_tree(second)
    before = snapshot_tree(first)
    assert run_cli("init", "--force", str(first)).exit_code == 0
    assert snapshot_tree(first) == before


def test_existing_files_are_an_error_naming_each_and_nothing_is_written(tmp_path: Path) -> None:
    write_project(
        tmp_path, {**SMALL, "driftcheck.toml": "# mine\n", "schemas/web.toml": "# mine\n"}
    )
    before = snapshot_tree(tmp_path)
    run = run_cli("init", cwd=tmp_path)
    assert run.exit_code == 2
    assert run.stdout == ""
    assert run.stderr.splitlines() == [
        "driftcheck: error: schemas/web.toml: already exists; pass --force to overwrite it",
        "driftcheck: error: driftcheck.toml: already exists; pass --force to overwrite it",
    ]
    assert snapshot_tree(tmp_path) == before


def test_force_overwrites_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    write_project(tmp_path, {**SMALL, "driftcheck.toml": "# mine\n"})
    run = run_cli("init", "--force", cwd=tmp_path)
    assert (run.exit_code, run.stderr) == (0, "")
    assert (tmp_path / "driftcheck.toml").read_text().startswith("# driftcheck project config")
    assert [p.name for p in tmp_path.rglob(".*.tmp")] == []


def test_a_driftcheck_table_in_pyproject_needs_force(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {**SMALL, "pyproject.toml": '[tool.driftcheck]\nenvironments = ["dev"]\n'},
    )
    run = run_cli("init", cwd=tmp_path)
    assert run.exit_code == 2
    assert run.stderr.startswith("driftcheck: error: pyproject.toml: has [tool.driftcheck]")
    assert not (tmp_path / "driftcheck.toml").exists()
    assert run_cli("init", "--force", cwd=tmp_path).exit_code == 0


def test_dry_run_prints_the_files_and_writes_nothing(tmp_path: Path) -> None:
    write_project(tmp_path, {**SMALL, "driftcheck.toml": "# mine\n"})
    before = snapshot_tree(tmp_path)
    run = run_cli("init", "--dry-run", cwd=tmp_path)
    assert run.exit_code == 0
    assert run.stdout.startswith("# ---- schemas/api.toml ----\n")
    assert "# ---- driftcheck.toml ----\n" in run.stdout
    assert "environments: dev, staging, prod" in run.stderr
    assert snapshot_tree(tmp_path) == before
    assert run_cli("init", "--stdout", cwd=tmp_path).stdout == run.stdout


def test_written_files_are_what_dry_run_prints(tmp_path: Path) -> None:
    write_project(tmp_path, SMALL)
    printed = run_cli("init", "--dry-run", cwd=tmp_path).stdout
    assert run_cli("init", cwd=tmp_path).exit_code == 0
    for name in ("schemas/api.toml", "schemas/web.toml", "driftcheck.toml"):
        assert f"# ---- {name} ----\n{(tmp_path / name).read_text()}\n" in printed


def test_env_and_service_options(tmp_path: Path) -> None:
    write_project(tmp_path, SMALL)
    run = run_cli("init", "--env", "prod", "--env", "dev", "--service", "api", cwd=tmp_path)
    assert run.exit_code == 0
    config = (tmp_path / "driftcheck.toml").read_text()
    assert 'environments = ["prod", "dev"]' in config
    assert "[services.web]" not in config
    assert not (tmp_path / "schemas" / "web.toml").exists()


def test_unknown_env_or_service_is_a_one_line_error(tmp_path: Path) -> None:
    write_project(tmp_path, SMALL)
    env = run_cli("init", "--env", "qa", cwd=tmp_path)
    assert (env.exit_code, env.stderr) == (
        2,
        "driftcheck: error: --env: no files for environment 'qa' (found: dev, staging, prod)\n",
    )
    service = run_cli("init", "--service", "nope", cwd=tmp_path)
    assert (service.exit_code, service.stderr) == (
        2,
        "driftcheck: error: --service: no files for service 'nope' (found: api, web)\n",
    )
    twice = run_cli("init", "--env", "dev", "--env", "dev", cwd=tmp_path)
    assert (twice.exit_code, twice.stderr) == (
        2,
        "driftcheck: error: --env: 'dev' is given twice\n",
    )
    assert not (tmp_path / "driftcheck.toml").exists()


def test_init_is_listed_and_documented(tmp_path: Path) -> None:
    run = run_cli("init", "--help")
    assert run.exit_code == 0
    for option in ("--env", "--service", "--force", "--dry-run"):
        assert option in run.stdout
    assert " init " in run_cli("--help").stdout


def test_a_copied_example_tree_is_left_as_it_was_apart_from_the_new_files(tmp_path: Path) -> None:
    root = example_without_config("kubernetes", tmp_path)
    before = snapshot_tree(root)
    assert run_cli("init", str(root)).exit_code == 0
    after = snapshot_tree(root)
    assert {k: v for k, v in after.items() if k in before} == before
    assert sorted(set(after) - set(before)) == [
        "driftcheck.toml",
        "schemas/auth.toml",
        "schemas/backend.toml",
        "schemas/billing.toml",
        "schemas/frontend.toml",
    ]
    shutil.rmtree(root)


def test_a_listen_port_set_in_one_environment_is_kept(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {"api/.env.dev": "A=1\n", "api/.env.staging": "A=1\nPORT=8000\n", "api/.env.prod": "A=1\n"},
    )
    run = run_cli("init", cwd=tmp_path)
    assert (run.exit_code, run.stderr) == (0, "")
    assert 'listen_port_key = "PORT"' in (tmp_path / "schemas/api.toml").read_text()
    assert run_cli("check", cwd=tmp_path).exit_code == 1  # PORT missing in dev and prod
