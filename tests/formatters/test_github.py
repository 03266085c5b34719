"""GitHub Actions workflow commands: exact lines, escaping as the runner reads it, ``auto``."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from driftcheck.findings import Related, Severity
from driftcheck.formatters import github
from driftcheck.values import Origin
from tests.formatters import make_finding, make_report
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parents[2]
INCIDENT = ROOT / "examples" / "incident"
MINIMAL = ROOT / "examples" / "minimal"


def _unescape_property(text: str) -> str:
    """What the runner (ActionCommand.UnescapeProperty) makes of a property value."""
    for escaped, token in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, token)
    return text


def _unescape_data(text: str) -> str:
    """What the runner (ActionCommand.UnescapeData) makes of a message."""
    for escaped, token in (("%0D", "\r"), ("%0A", "\n"), ("%25", "%")):
        text = text.replace(escaped, token)
    return text


def _parse(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command line read the way the runner reads it (ActionCommand.TryParseV2)."""
    assert line.startswith("::")
    end = line.index("::", 2)
    name, _, properties = line[2:end].partition(" ")
    values = {}
    for pair in filter(None, properties.split(",")):
        key, value = pair.split("=", 1)
        values[key] = _unescape_property(value)
    return name, values, _unescape_data(line[end + 2 :])


def test_findings_become_escaped_commands_and_a_summary() -> None:
    awkward = make_finding(
        "50% of a:b, c\r\nnext",
        origin=Origin("odd dir/a:b,c%.env", 7),
        related=(Related(Origin("schemas/app.toml", 2), note="declared here"),),
        hint="set it: now, please",
    )
    no_line = make_finding(
        "CACHE_TTL is set in dev but not in prod",
        code="DC601",
        name="environment-parity",
        severity=Severity.WARNING,
        environment=None,
        key="CACHE_TTL",
        origin=Origin("app/.env.prod"),
        related=(Related(Origin("app/.env.dev", 2), "app", "dev", "CACHE_TTL", '"30"'),),
    )
    no_file = make_finding(
        "project-wide: 100%",
        code="DC504",
        name="surrounding-whitespace",
        severity=Severity.INFO,
        service=None,
        environment=None,
        key=None,
        origin=None,
    )
    process = make_finding(
        "X is set",
        code="DC602",
        name="unknown-key",
        severity=Severity.INFO,
        key="X",
        origin=Origin("<process environment>"),
    )
    control = make_finding("escape \x1b[31m and tab\tend", origin=Origin("app/.env.dev", 1))
    report = make_report(awkward, no_line, no_file, process, control)
    assert github.render(report).splitlines() == [
        "::error file=odd dir/a%3Ab%2Cc%25.env,line=7,title=DC401 port-mismatch::"
        "app/dev: 50%25 of a:b, c%0D%0Anext%0Asee: schemas/app.toml:2 (declared here)"
        "%0Ahint: set it: now, please",
        "::warning file=app/.env.prod,title=DC601 environment-parity::"
        'app: CACHE_TTL is set in dev but not in prod%0Asee: app/.env.dev:2 app/dev CACHE_TTL "30"',
        "::notice title=DC504 surrounding-whitespace::project-wide: 100%25",
        "::notice title=DC602 unknown-key::app/dev: X is set",
        "::error file=app/.env.dev,line=1,title=DC401 port-mismatch::"
        "app/dev: escape \\x1b[31m and tab\\tend",
        "driftcheck: found 5 problems (2 errors, 1 warning, 2 infos) "
        "across 1 service and 2 environments.",
    ]


def test_the_runner_reads_back_what_was_meant() -> None:
    finding = make_finding(
        "a,b:c%d\r\ne", origin=Origin("d,i:r%/f.env", 4), hint="h: 1,2", severity=Severity.WARNING
    )
    command, properties, message = _parse(github.render(make_report(finding)).splitlines()[0])
    assert command == "warning"
    assert properties == {
        "file": "d,i:r%/f.env",
        "line": "4",
        "title": "DC401 port-mismatch",
    }
    assert message == "app/dev: a,b:c%d\r\ne\nhint: h: 1,2"


_COMMAND_TEXT = st.text(alphabet=st.sampled_from("ab %:,\r\n=0ADC2535"), max_size=40)


@given(_COMMAND_TEXT)
def test_property_escaping_round_trips(text: str) -> None:
    escaped = github.escape_property(text)
    assert not set(escaped) & set(":,\r\n")
    assert _unescape_property(escaped) == text


@given(_COMMAND_TEXT)
def test_data_escaping_round_trips(text: str) -> None:
    escaped = github.escape_data(text)
    assert not set(escaped) & set("\r\n")
    assert _unescape_data(escaped) == text


def test_undecodable_process_environment_bytes_are_written_as_escapes() -> None:
    finding = make_finding("K\udc80 is set", origin=Origin("<process environment>"))
    assert github.render(make_report(finding)).splitlines()[0] == (
        "::error title=DC401 port-mismatch::app/dev: K\\udc80 is set"
    )


def test_a_clean_run_is_one_summary_line() -> None:
    assert github.render(make_report()) == (
        "driftcheck: no drift found across 1 service and 2 environments.\n"
    )


def test_unkeyed_fingerprints_are_explained_before_the_summary() -> None:
    finding = make_finding("JWT_SECRET differs: hmac:0123456789ab")
    report = make_report(finding)
    lines = github.render(report._replace(fingerprints_keyed=False)).splitlines()
    assert lines[-2].startswith("driftcheck: fingerprints are keyed for this run only")
    assert "fingerprints are keyed" not in github.render(report)


def test_the_real_cli_on_the_incident_example() -> None:
    run = run_cli("check", "--format", "github", cwd=INCIDENT, env={"DRIFTCHECK_HASH_KEY": "k"})
    lines = run.stdout.splitlines()
    assert (run.exit_code, run.stderr) == (1, "")
    assert [_parse(line)[0] for line in lines[:-1]].count("error") == 5
    assert (
        "::error file=services/backend/.env.staging,title=DC101 required-key-missing::"
        "backend/staging: REDIS_HOST is required in staging but not set"
    ) in run.stdout
    assert lines[-1] == (
        "driftcheck: found 7 problems (5 errors, 2 warnings) across 3 services and 3 environments."
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        pytest.param({"GITHUB_ACTIONS": "true"}, "github", id="under GitHub Actions"),
        pytest.param({}, "text", id="elsewhere"),
        pytest.param({"GITHUB_ACTIONS": "false"}, "text", id="GITHUB_ACTIONS=false"),
    ],
)
@pytest.mark.parametrize("options", [("--format", "auto"), ()], ids=["--format auto", "default"])
def test_auto_is_github_under_github_actions_else_text(
    env: dict[str, str], expected: str, options: tuple[str, ...]
) -> None:
    key = {"DRIFTCHECK_HASH_KEY": "k"}
    run = run_cli("check", str(INCIDENT), *options, env={**env, **key})
    explicit = run_cli("check", str(INCIDENT), "--format", expected, env=key)
    assert run.exit_code == explicit.exit_code == 1
    assert run.stdout == explicit.stdout
    assert run.stdout.startswith("::warning " if expected == "github" else "auth\n")
