"""Building throwaway projects on disk and running driftcheck on them, as users do."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from driftcheck.engine import make_selection, run_rules
from driftcheck.findings import Finding
from driftcheck.project import load_project
from driftcheck.values import Fingerprinter

TEST_HASH_KEY = b"driftcheck-tests"


def _dotenv_keeps_byte_order_mark() -> bool:
    import io

    from dotenv import dotenv_values

    return "\ufeffA" in dotenv_values(stream=io.StringIO("\ufeffA=1\n"))


#: python-dotenv 1.2.2 keeps a leading U+FEFF in the first key; 1.2.4 drops it. driftcheck
#: follows the installed version, and so do the tests.
DOTENV_KEEPS_BOM = _dotenv_keeps_byte_order_mark()

BASIC_CONFIG = """
environments = ["dev", "staging", "prod"]

[defaults]
sources = ["{service}/.env.{env}"]

[services.app]
port = 8000
"""


def write_project(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (path -> text, dedented) under ``root`` and return ``root``."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


@dataclass(frozen=True)
class Found:
    """A finding reduced to what tests compare: rule, place and key, not wording."""

    code: str
    service: str | None
    environment: str | None
    key: str | None
    path: str | None = None
    line: int | None = None


@contextlib.contextmanager
def working_directory(path: Path) -> Iterator[None]:
    """``contextlib.chdir`` for Python 3.10 too."""
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def check_findings(root: Path, select: tuple[str, ...] = ()) -> list[Finding]:
    """Findings as a user running driftcheck in ``root`` gets them (paths relative to it)."""
    with working_directory(root):
        project = load_project(Path("."), Fingerprinter(TEST_HASH_KEY))
        return run_rules(project, make_selection(project, select=select))


def found(root: Path, *select: str) -> set[Found]:
    """The findings of the selected rules (all rules when none are named)."""
    return {
        Found(
            f.code,
            f.service,
            f.environment,
            f.key,
            f.origin.path if f.origin else None,
            f.origin.line if f.origin else None,
        )
        for f in check_findings(root, select)
    }


def codes(root: Path, *select: str) -> set[tuple[str, str | None, str | None, str | None]]:
    """(code, service, environment, key) of each finding: the usual rule-test shape."""
    return {(f.code, f.service, f.environment, f.key) for f in found(root, *select)}


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run ``python -m driftcheck`` in a real subprocess, as a user or CI would."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DRIFTCHECK_")}
    environment.pop("GITHUB_ACTIONS", None)
    environment["NO_COLOR"] = "1"
    environment.update(env or {})
    completed = subprocess.run(
        [sys.executable, "-m", "driftcheck", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return Run(completed.returncode, completed.stdout, completed.stderr)


#: Set by .ci/run: a reference tool that is missing fails the test instead of skipping it,
#: so CI can never pass by skipping.
REQUIRE_TOOLS_VARIABLE = "DRIFTCHECK_REQUIRE_TOOLS"


def require_tool(name: str) -> str:
    """The path of a command the test compares with; skip (or fail, in CI) without it."""
    import shutil

    import pytest

    found = shutil.which(name)
    if found is None:
        message = f"{name} is not installed (Debian: see .ci/run)"
        if os.environ.get(REQUIRE_TOOLS_VARIABLE) == "1":
            pytest.fail(f"{message}, and {REQUIRE_TOOLS_VARIABLE}=1 requires it")
        pytest.skip(message)
    return found


def run_tool(name: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a reference tool (skipped, or failed in CI, when missing) in a clean
    environment: no shell variable can leak into what it resolves, as none leaks into
    driftcheck's compose interpolation."""
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/nonexistent"}
    return subprocess.run(
        [require_tool(name), *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
