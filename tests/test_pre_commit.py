"""The pre-commit hook, run by the real ``pre-commit`` against a throwaway repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
INCIDENT = ROOT / "examples" / "incident"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")


GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}


def _git(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
        env={**(env or os.environ), **GIT_IDENTITY},
    )


def _hook_repository(tmp_path: Path) -> tuple[Path, str]:
    """This working tree, committed into a repository pre-commit can clone at a rev."""
    hooks = tmp_path / "hooks-repo"
    shutil.copytree(
        ROOT,
        hooks,
        ignore=shutil.ignore_patterns(
            ".git",
            "*.egg-info",
            "__pycache__",
            ".*_cache",
            "build",
            ".hypothesis",
            "examples",
            "tests",
        ),
    )
    _git(hooks, "init", "-q")
    _git(hooks, "add", "-A")
    assert _git(hooks, "commit", "-q", "-m", "hooks").returncode == 0
    rev = _git(hooks, "rev-parse", "HEAD").stdout.strip()
    return hooks, rev


def test_hook_definition_is_what_a_cross_file_checker_needs() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "driftcheck"
    assert hook["pass_filenames"] is False
    assert hook["require_serial"] is True
    assert "types" not in hook  # pre-commit gives .env files no type tag


@pytest.mark.slow
def test_real_pre_commit_blocks_a_drifted_commit_and_passes_a_clean_one(tmp_path: Path) -> None:
    hooks, rev = _hook_repository(tmp_path)
    project = tmp_path / "project"
    shutil.copytree(INCIDENT, project, ignore=shutil.ignore_patterns("expected"))
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {hooks.as_posix()}\n  rev: {rev}\n  hooks:\n  - id: driftcheck\n"
    )
    _git(project, "init", "-q")
    environment = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "NO_COLOR": "1",
    }
    pre_commit = [sys.executable, "-m", "pre_commit"]
    installed = subprocess.run(
        [*pre_commit, "install"],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr

    _git(project, "add", "-A")
    blocked = _git(project, "commit", "-q", "-m", "drifted", env=environment)
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "DC403" in output
    assert "Failed" in output
    assert _git(project, "rev-parse", "HEAD").returncode != 0  # nothing was committed

    # A project without drift commits through the same hook.
    for path in list(project.iterdir()):
        if path.name not in (".git", ".pre-commit-config.yaml"):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    shutil.copytree(
        ROOT / "examples" / "minimal",
        project,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("expected"),
    )
    _git(project, "add", "-A")
    committed = _git(project, "commit", "-q", "-m", "clean", env=environment)
    assert committed.returncode == 0, committed.stdout + committed.stderr
    assert "Passed" in committed.stdout + committed.stderr
