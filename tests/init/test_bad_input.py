"""Bad input to ``driftcheck init``, through the real CLI: exit 2, one line per problem
naming the file, no traceback, nothing written; or, for input check can judge, a config
written and the problem left to ``check`` to report."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import Run, run_cli, write_project
from tests.init.helpers import snapshot_tree

GOOD = {"services/api/.env.dev": "PORT=8000\n", "services/api/.env.prod": "PORT=8000\n"}


def _refused(root: Path, *args: str) -> Run:
    """Run init in ``root``, expecting exit 2 and no change to ``root``."""
    before = snapshot_tree(root)
    run = run_cli("init", *args, cwd=root)
    assert run.exit_code == 2, run
    assert run.stdout == ""
    assert "Traceback" not in run.stderr
    assert all(line.startswith("driftcheck: error: ") for line in run.stderr.splitlines())
    assert snapshot_tree(root) == before
    return run


def test_nothing_to_start_from(tmp_path: Path) -> None:
    run = _refused(tmp_path)
    assert run.stderr.startswith(
        "driftcheck: error: .: found no .env files, compose files or Kubernetes/Cloud Run manifests"
    )
    write_project(
        tmp_path,
        {
            "README.md": "# hi\n",
            "package.json": "{}\n",
            ".github/workflows/ci.yml": "on: push\n",
            "node_modules/x/.env.prod": "A=1\n",
        },
    )
    assert _refused(tmp_path).stderr.count("\n") == 1


def test_a_path_that_is_no_directory(tmp_path: Path) -> None:
    assert _refused(tmp_path, "missing").stderr == "driftcheck: error: missing: no such directory\n"
    write_project(tmp_path, {"file.txt": "x\n"})
    assert _refused(tmp_path, "file.txt").stderr == (
        "driftcheck: error: file.txt: expected a directory to scan\n"
    )


@pytest.mark.parametrize(
    "content",
    [b"PORT=8000\nNAME=caf\xe9\n", bytes(range(256)) * 4],
    ids=["latin-1", "binary"],
)
def test_a_env_file_that_is_not_utf8(tmp_path: Path, content: bytes) -> None:
    write_project(tmp_path, GOOD)
    (tmp_path / "services/api/.env.staging").write_bytes(content)
    run = _refused(tmp_path)
    (line,) = run.stderr.splitlines()
    assert line.startswith("driftcheck: error: services/api/.env.staging:")
    assert "UTF-8" in line


def test_a_symlink_loop(tmp_path: Path) -> None:
    write_project(tmp_path, GOOD)
    (tmp_path / "services/api/.env.qa").symlink_to(".env.uat")
    (tmp_path / "services/api/.env.uat").symlink_to(".env.qa")
    assert _refused(tmp_path).stderr.splitlines() == [
        "driftcheck: error: services/api/.env.qa: cannot read: too many levels of symbolic links",
        "driftcheck: error: services/api/.env.uat: cannot read: too many levels of symbolic links",
    ]


def test_a_dangling_symlink_and_a_link_to_a_directory(tmp_path: Path) -> None:
    write_project(tmp_path, GOOD)
    (tmp_path / "services/api/.env.staging").symlink_to("gone")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "services/api/.env.qa").symlink_to(tmp_path / "elsewhere")
    assert sorted(_refused(tmp_path).stderr.splitlines()) == [
        "driftcheck: error: services/api/.env.qa: is a directory, expected a file",
        "driftcheck: error: services/api/.env.staging: cannot read: no such file "
        "(the symbolic link points to nothing)",
    ]


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads files whatever the mode"
)
def test_an_unreadable_file(tmp_path: Path) -> None:
    write_project(tmp_path, GOOD)
    path = tmp_path / "services/api/.env.prod"
    path.chmod(0)
    try:
        assert _refused(tmp_path).stderr == (
            "driftcheck: error: services/api/.env.prod: cannot read: permission denied\n"
        )
    finally:
        path.chmod(0o600)


def test_an_unreadable_directory_is_skipped_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Simulated, so that it holds for root too: scandir refuses one directory.
    from driftcheck.init import scan

    write_project(tmp_path, {**GOOD, "data/pg/.env.prod": "A=1\n"})
    real = os.scandir

    def refusing(path: object) -> object:
        if str(path).endswith("data"):
            raise PermissionError(13, "Permission denied")
        return real(path)  # type: ignore[call-overload]

    monkeypatch.setattr(scan.os, "scandir", refusing)
    notes: list[str] = []
    assert sorted(scan.walk(tmp_path, notes)) == sorted(GOOD)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("compose.yaml", "services:\n  api: [unclosed\n", "compose.yaml:"),
        (
            "k8s/prod.yaml",
            "apiVersion: apps/v1\nkind: Deploymnet\nmetadata:\n  name: api\n",
            "k8s/prod.yaml:",
        ),
        (
            "compose.yaml",
            "services:\n  api:\n    environment:\n      A: ${MUST:?set it}\n",
            "compose.yaml:4:",
        ),
    ],
    ids=["invalid-yaml", "unknown-kind", "required-variable"],
)
def test_a_compose_file_or_manifest_check_would_refuse(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    write_project(tmp_path, {**GOOD, name: text})
    (line,) = _refused(tmp_path).stderr.splitlines()
    assert line.startswith(f"driftcheck: error: {expected}")


@pytest.mark.parametrize(
    "content",
    [
        b"\xef\xbb\xbfPORT=8000\n",
        b"PORT=8000\r\nNAME=x\r\n",
        b"PORT=8000\nNAME=a\x00b\n",
        b"PORT=8000\nNOT A LINE\n",
        b"PORT=8000\nLONG=" + b"x" * 200_000 + b"\n",
        b"",
    ],
    ids=["bom", "crlf", "nul", "unparsable", "long-line", "empty"],
)
def test_input_check_judges_is_no_reason_to_refuse(tmp_path: Path, content: bytes) -> None:
    write_project(tmp_path, GOOD)
    (tmp_path / "services/api/.env.staging").write_bytes(content)
    run = run_cli("init", cwd=tmp_path)
    assert (run.exit_code, run.stderr) == (0, "")
    assert run_cli("check", cwd=tmp_path).exit_code in (0, 1)
