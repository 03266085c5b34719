"""Running ``driftcheck init`` (then ``check``) on throwaway repositories, as users do."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from driftcheck.init.command import Inferred, infer_repository
from tests.helpers import Run, run_cli, working_directory

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
HASH_KEY = {"DRIFTCHECK_HASH_KEY": "init-tests"}
#: (code, service, environment, key) of a finding.
Place = tuple[str, str | None, str | None, str | None]


def example_without_config(name: str, parent: Path) -> Path:
    """A copy of ``examples/NAME`` as a new user has it: no driftcheck.toml, no schemas,
    no expected output."""
    target = parent / name
    shutil.copytree(
        EXAMPLES / name,
        target,
        ignore=shutil.ignore_patterns("driftcheck.toml", "schemas", "expected"),
        symlinks=True,
    )
    return target


def check_places(root: Path) -> tuple[Run, set[Place]]:
    """``driftcheck check --format json`` in ``root``: the run and its findings' places."""
    run = run_cli("check", "--format", "json", cwd=root, env=HASH_KEY)
    places: set[Place] = set()
    if run.exit_code in (0, 1):
        for finding in json.loads(run.stdout)["findings"]:
            places.add(
                (finding["code"], finding["service"], finding["environment"], finding["key"])
            )
    return run, places


def inferred(root: Path, *environments: str, services: tuple[str, ...] = ()) -> Inferred:
    """What init infers for ``root``, in-process, writing nothing."""
    with working_directory(root):
        return infer_repository(Path("."), environments, services)


def snapshot_tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` and its bytes (symlinks by their target)."""
    found: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[relative] = b"-> " + str(path.readlink()).encode()
        elif path.is_file():
            found[relative] = path.read_bytes()
    return found
