"""The command line as users meet it: exit codes, options, output, colour."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from driftcheck.cli import _guarded
from tests.helpers import BASIC_CONFIG, run_cli, write_project

ROOT = Path(__file__).resolve().parent.parent
INCIDENT = ROOT / "examples" / "incident"
MINIMAL = ROOT / "examples" / "minimal"

APP_SCHEMA = """
listen_port_key = "PORT"
[keys.PORT]
type = "port"
[keys.CACHE_TTL]
type = "int"
default = 60
"""


def _warnings_only_project(root: Path) -> Path:
    """A project whose only finding is a warning (environment-parity on CACHE_TTL)."""
    return write_project(
        root,
        {
            "driftcheck.toml": BASIC_CONFIG,
            "schemas/app.toml": APP_SCHEMA,
            "app/.env.dev": "PORT=8000\nCACHE_TTL=30\n",
            "app/.env.staging": "PORT=8000\nCACHE_TTL=30\n",
            "app/.env.prod": "PORT=8000\n",
        },
    )


def test_exit_0_on_a_clean_project_and_1_on_drift() -> None:
    assert run_cli("check", str(MINIMAL)).exit_code == 0
    assert run_cli("check", str(INCIDENT)).exit_code == 1


def test_fail_on_sets_the_threshold(tmp_path: Path) -> None:
    project = _warnings_only_project(tmp_path)
    default = run_cli("check", str(project))
    assert (default.exit_code, "DC601" in default.stdout) == (0, True)
    assert run_cli("check", str(project), "--fail-on", "warning").exit_code == 1
    assert run_cli("check", str(project), "--fail-on", "info").exit_code == 1


def test_config_is_found_from_a_subdirectory_upward() -> None:
    run = run_cli("check", cwd=INCIDENT / "services" / "backend")
    assert run.exit_code == 1
    assert "DC403" in run.stdout


def test_config_in_pyproject_toml(tmp_path: Path) -> None:
    config = BASIC_CONFIG.replace("[defaults]", "[tool.driftcheck.defaults]").replace(
        "[services.app]", "[tool.driftcheck.services.app]"
    )
    write_project(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "x"\n\n[tool.driftcheck]\n' + config,
            "schemas/app.toml": APP_SCHEMA,
            **{f"app/.env.{env}": "PORT=8001\nCACHE_TTL=1\n" for env in ("dev", "staging", "prod")},
        },
    )
    run = run_cli("check", "--format", "json", cwd=tmp_path)
    report = json.loads(run.stdout)
    assert report["config"] == "pyproject.toml"
    assert {f["code"] for f in report["findings"]} == {"DC401"}  # 8001 where 8000 is declared


def test_select_and_ignore_by_code_name_and_prefix() -> None:
    def codes(*options: str) -> set[str]:
        run = run_cli("check", str(INCIDENT), "--format", "json", *options)
        return {finding["code"] for finding in json.loads(run.stdout)["findings"]}

    everything = codes()
    assert codes("--select", "DC403") == {"DC403"}
    assert codes("--select", "discovery-port-mismatch,DC402") == {"DC403", "DC402"}
    assert codes("--select", "DC4") == {"DC402", "DC403"}
    assert codes("--ignore", "DC1", "--ignore", "near-miss-key") == everything - {
        "DC101",
        "DC203",
    }


def test_narrowing_by_service_and_environment() -> None:
    run = run_cli(
        "check", str(INCIDENT), "--format", "json", "--service", "backend", "--env", "staging"
    )
    places = {(f["service"], f["environment"]) for f in json.loads(run.stdout)["findings"]}
    assert places == {("backend", "staging")}
    assert run.exit_code == 1


def test_output_file_receives_the_report_and_stdout_stays_empty(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    run = run_cli("check", str(INCIDENT), "--format", "json", "--output", str(target))
    assert (run.exit_code, run.stdout) == (1, "")
    assert json.loads(target.read_text())["summary"]["error"] >= 5


def test_statistics_and_quiet() -> None:
    statistics = run_cli("check", str(INCIDENT), "--statistics")
    assert "    2  DC101  required-key-missing" in statistics.stdout
    quiet = run_cli("check", str(INCIDENT), "--quiet")
    assert "Found" not in quiet.stdout
    assert "auth / staging" not in quiet.stdout
    assert "DC301" in quiet.stdout
    assert quiet.exit_code == 1


def test_clean_run_says_so() -> None:
    run = run_cli("check", str(MINIMAL))
    assert run.stdout.startswith("No drift found.\n")


def _run_on_a_terminal(env: dict[str, str]) -> str:
    """Run ``driftcheck check`` with its stdout on a pseudo-terminal; return what it wrote."""
    main, child = pty.openpty()
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS")
    }
    environment.update(env)
    process = subprocess.Popen(
        [sys.executable, "-m", "driftcheck", "check", str(INCIDENT)],
        stdout=child,
        stderr=subprocess.PIPE,
        env=environment,
    )
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(main)
    return b"".join(chunks).decode("utf-8", "replace")


def test_colour_on_a_terminal_only_and_never_with_no_color() -> None:
    assert "\x1b[" in _run_on_a_terminal({})
    assert "\x1b[" not in _run_on_a_terminal({"NO_COLOR": "1"})
    assert "\x1b[" not in run_cli("check", str(INCIDENT)).stdout


def test_rule_documentation_by_code_and_name() -> None:
    by_code = run_cli("rule", "DC301")
    by_name = run_cli("rule", "shared-value-mismatch")
    assert by_code.exit_code == 0
    assert by_code.stdout == by_name.stdout
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert section in by_code.stdout


def test_rule_table_lists_every_rule() -> None:
    from driftcheck.rules import RULES

    run = run_cli("rule")
    assert run.exit_code == 0
    for rule in RULES:
        assert f"{rule.code}  {rule.name}" in run.stdout


def test_every_rule_documents_what_why_example_and_fix() -> None:
    from driftcheck.rules import RULES

    for rule in RULES:
        for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
            assert section in rule.documentation, (rule.code, section)


def test_unknown_rule_exits_2_with_one_line() -> None:
    run = run_cli("rule", "DC999")
    assert run.exit_code == 2
    assert run.stderr.strip().count("\n") == 0
    assert "DC999" in run.stderr


def test_matrix_shows_missing_cells_and_fingerprints() -> None:
    run = run_cli("matrix", str(INCIDENT), "--service", "backend", env={"DRIFTCHECK_HASH_KEY": "k"})
    assert run.exit_code == 1  # REDIS_HOST and CORS_ORIGINS are missing
    redis_row = next(line for line in run.stdout.splitlines() if "REDIS_HOST" in line)
    assert "missing" in redis_row
    secret_row = next(line for line in run.stdout.splitlines() if "JWT_SECRET_KEY" in line)
    assert secret_row.count("hmac:") == 3
    assert run_cli("matrix", str(MINIMAL)).exit_code == 0


def test_console_script_and_module_agree() -> None:
    script = Path(sys.executable).with_name("driftcheck")
    if not script.exists():
        pytest.skip("console script not installed next to this interpreter")
    completed = subprocess.run(
        [str(script), "check", str(INCIDENT), "--format", "json"],
        capture_output=True,
        text=True,
        env={**os.environ, "DRIFTCHECK_HASH_KEY": "k"},
        check=False,
    )
    module = run_cli("check", str(INCIDENT), "--format", "json", env={"DRIFTCHECK_HASH_KEY": "k"})
    assert completed.returncode == module.exit_code == 1
    assert completed.stdout == module.stdout


def test_a_crash_is_reported_as_internal_without_its_message(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def crash() -> int:
        raise ValueError("CANARY-crash-message-value")

    assert _guarded(crash) == 2
    stderr = capsys.readouterr().err
    assert "internal error: ValueError" in stderr
    assert "please report" in stderr
    assert "CANARY" not in stderr


def test_a_reader_that_goes_away_ends_the_run_quietly() -> None:
    """`driftcheck check | head`: stdout's pipe has no reader left when the report comes."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "driftcheck", "check", str(INCIDENT)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            env={**os.environ, "DRIFTCHECK_HASH_KEY": "k", "NO_COLOR": "1"},
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    assert completed.returncode == 1
    assert completed.stderr == b""


def test_a_broken_pipe_that_is_not_stdout_is_reported_as_a_bug(
    capfd: pytest.CaptureFixture[str],
) -> None:
    # stdout is a file here, so the pipe that broke was one of driftcheck's own (between
    # the processes of a sharded check, say): hiding it would hide the bug.
    def crash() -> int:
        raise BrokenPipeError(32, "Broken pipe")

    assert _guarded(crash) == 2
    assert "internal error: BrokenPipeError" in capfd.readouterr().err
