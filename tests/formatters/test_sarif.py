"""SARIF: valid against the official 2.1.0 schema, and what GitHub code scanning needs."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from driftcheck.findings import Related, Severity
from driftcheck.formatters import sarif
from driftcheck.rules import RULES
from driftcheck.values import Origin
from tests.formatters import make_finding, make_report
from tests.helpers import BASIC_CONFIG, run_cli, write_project

ROOT = Path(__file__).resolve().parents[2]
INCIDENT = ROOT / "examples" / "incident"
MINIMAL = ROOT / "examples" / "minimal"
#: A copy of the OASIS schema (errata 01), so the tests do not depend on the shared folder.
SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
HASH_KEY = {"DRIFTCHECK_HASH_KEY": "driftcheck-tests"}

# jsonschema checks "uri" formats only with an optional package; RFC 3986's character set
# and scheme rule are enough to catch an unencoded path.
_URI_CHARACTERS = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_FORMATS = jsonschema.FormatChecker()


@_FORMATS.checks("uri-reference")
def _is_uri_reference(value: object) -> bool:
    return not isinstance(value, str) or _URI_CHARACTERS.fullmatch(value) is not None


@_FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    return _is_uri_reference(value) and (not isinstance(value, str) or bool(_SCHEME.match(value)))


def _validate(document: dict[str, Any]) -> None:
    validator_class = jsonschema.validators.validator_for(SCHEMA)
    assert validator_class is jsonschema.Draft4Validator  # the file's "$schema"
    validator_class.check_schema(SCHEMA)
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator_class(SCHEMA, format_checker=_FORMATS).iter_errors(document)
    ]
    assert errors == []


def _check(path: Path, *options: str) -> dict[str, Any]:
    run = run_cli("check", "--format", "sarif", *options, cwd=path, env=HASH_KEY)
    assert run.stderr == ""
    document: dict[str, Any] = json.loads(run.stdout)
    return document


def _results(document: dict[str, Any]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = document["runs"][0]["results"]
    return results


def _place(result: dict[str, Any]) -> tuple[str, str, str, int]:
    location = result["locations"][0]["physicalLocation"]
    uri = location["artifactLocation"]["uri"]
    return result["ruleId"], result["level"], uri, location["region"]["startLine"]


def _missing_key_project(root: Path) -> Path:
    """A project whose one finding (DC101, TOKEN missing in prod) has a file but no line."""
    return write_project(
        root,
        {
            "driftcheck.toml": BASIC_CONFIG,
            "schemas/app.toml": 'listen_port_key = "PORT"\n[keys.PORT]\ntype = "port"\n'
            "[keys.TOKEN]\n",
            "app/.env.dev": "PORT=8000\nTOKEN=a\n",
            "app/.env.staging": "PORT=8000\nTOKEN=a\n",
            "app/.env.prod": "PORT=8000\n",
        },
    )


@pytest.mark.parametrize("example", [INCIDENT, MINIMAL], ids=["incident", "minimal"])
def test_the_examples_validate_against_the_schema(example: Path) -> None:
    _validate(_check(example))


def test_a_finding_without_a_line_validates_and_is_placed_on_line_1(tmp_path: Path) -> None:
    document = _check(_missing_key_project(tmp_path))
    _validate(document)
    assert [_place(result) for result in _results(document)] == [
        ("DC101", "error", "app/.env.prod", 1)
    ]


def test_hand_made_findings_validate_against_the_schema() -> None:
    report = make_report(
        make_finding("no origin [at all]", origin=None, service=None, environment=None),
        make_finding("ambient", origin=Origin("<process environment>"), severity=Severity.INFO),
        make_finding(
            "odd path",
            severity=Severity.WARNING,
            origin=Origin("dir with space/a:b#c%.env", 2),
            related=(
                Related(Origin("/abs/x y.env", 1), "other", "dev", "K", "hmac:0123456789ab"),
                Related(None, note="no place"),
                Related(Origin("<process environment>"), key="X"),
            ),
            hint="fix [it]",
        ),
    )
    _validate(json.loads(sarif.render(report)))


def test_known_findings_of_the_incident_example() -> None:
    places = {_place(result) for result in _results(_check(INCIDENT))}
    assert {
        ("DC204", "warning", "driftcheck.toml", 24),
        ("DC301", "error", "services/auth/.env.staging", 2),
        ("DC403", "error", "discovery/staging.json", 4),
        ("DC101", "error", "services/backend/.env.staging", 1),  # no line: line 1
        ("DC101", "error", "services/backend/.env.prod", 1),
        ("DC203", "warning", "services/backend/.env.prod", 6),
        ("DC402", "error", "services/frontend/.env.dev", 3),
    } == places


def test_results_carry_context_hint_related_locations_and_the_rule_index() -> None:
    document = _check(INCIDENT)
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    (result,) = (r for r in _results(document) if r["ruleId"] == "DC301")
    assert rules[result["ruleIndex"]]["id"] == "DC301"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == (
        "%SRCROOT%"
    )
    text = result["message"]["text"]
    assert text.startswith("auth/staging: shared setting jwt-secret differs")
    assert "\nhint: set the same value in every service of the shared setting" in text
    (related,) = result["relatedLocations"]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "services/backend/.env.staging"
    assert related["physicalLocation"]["region"] == {"startLine": 3}
    assert related["message"]["text"].startswith("backend/staging JWT_SECRET_KEY hmac:")
    assert f"[services/backend/.env.staging:3]({related['id']})" in text
    assert result["properties"] == {
        "service": "auth",
        "environment": "staging",
        "key": "JWT_SECRET",
    }


def test_every_rule_is_in_the_driver_with_its_documentation() -> None:
    driver = _check(MINIMAL)["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("driftcheck", sarif.__version__)
    assert driver["informationUri"].startswith("https://")
    assert [rule["id"] for rule in driver["rules"]] == [rule.code for rule in RULES]
    for descriptor, rule in zip(driver["rules"], RULES, strict=True):
        assert descriptor["name"] == "".join(p.capitalize() for p in rule.name.split("-"))
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["fullDescription"]["text"]
        assert "## What it does" in descriptor["help"]["markdown"]
        assert "## Use instead" in descriptor["help"]["text"]
        level = {"error": "error", "warning": "warning", "info": "note"}[str(rule.severity)]
        assert descriptor["defaultConfiguration"]["level"] == level
        assert descriptor["properties"]["tags"]


def test_the_level_is_the_findings_severity() -> None:
    levels = {
        severity: _results(json.loads(sarif.render(make_report(make_finding(severity=severity)))))[
            0
        ]["level"]
        for severity in Severity
    }
    assert levels == {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def test_fingerprints_survive_moved_lines(tmp_path: Path) -> None:
    project = tmp_path / "incident"
    shutil.copytree(INCIDENT, project, ignore=shutil.ignore_patterns("expected"))
    before = _results(_check(project))
    for name in ("services/auth/.env.staging", "services/backend/.env.prod"):
        path = project / name
        path.write_text("# a line on top moves every other line down\n" + path.read_text())
    after = _results(_check(project))

    def fingerprints(results: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
        return {
            (r["ruleId"], r["message"]["text"]): r["partialFingerprints"][sarif.FINGERPRINT_NAME]
            for r in results
        }

    assert fingerprints(before) == fingerprints(after)
    moved = {_place(r)[::3] for r in after} - {_place(r)[::3] for r in before}
    assert moved == {("DC301", 3), ("DC203", 7)}


def test_fingerprints_tell_findings_apart() -> None:
    report = make_report(
        make_finding(key="A"),
        make_finding(key="B"),
        make_finding(key="A", origin=Origin("app/.env.dev", 9)),  # the same thing, again
        make_finding(environment="prod", key="A"),
    )
    values = [
        r["partialFingerprints"][sarif.FINGERPRINT_NAME]
        for r in _results(json.loads(sarif.render(report)))
    ]
    assert len(set(values)) == 4
    assert values[0].rsplit(":", 1) == [values[2].rsplit(":", 1)[0], "1"]
    assert values[2].endswith(":2")


def test_findings_without_a_file_are_placed_on_the_config() -> None:
    report = make_report(
        make_finding(origin=None), make_finding(origin=Origin("<process environment>"))
    )
    for result in _results(json.loads(sarif.render(report))):
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "driftcheck.toml"
        assert location["region"] == {"startLine": 1}


def test_uris_are_encoded_and_absolute_paths_are_file_uris() -> None:
    report = make_report(
        make_finding(origin=Origin("dir with space/a:b#c%.env", 2)),
        make_finding(origin=Origin("/outside/the project/.env", 1)),
    )
    locations = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]
        for r in _results(json.loads(sarif.render(report)))
    ]
    assert locations == [
        {"uri": "dir%20with%20space/a%3Ab%23c%25.env", "uriBaseId": "%SRCROOT%"},
        {"uri": "file:///outside/the%20project/.env"},
    ]


def test_literal_brackets_in_messages_are_escaped() -> None:
    finding = make_finding("value [1](2) here", hint="use [a]")
    (result,) = _results(json.loads(sarif.render(make_report(finding))))
    assert result["message"]["text"] == "app/dev: value \\[1\\](2) here\nhint: use \\[a\\]"


def test_output_is_deterministic() -> None:
    first = run_cli("check", "--format", "sarif", cwd=INCIDENT, env=HASH_KEY)
    second = run_cli("check", "--format", "sarif", cwd=INCIDENT, env=HASH_KEY)
    assert first.stdout == second.stdout
    assert first.exit_code == second.exit_code == 1


def test_undecodable_process_environment_bytes_are_written_as_escapes() -> None:
    finding = make_finding("name K\udc80", key="K\udc80", origin=Origin("<process environment>"))
    output = sarif.render(make_report(finding))
    output.encode("utf-8")  # a lone surrogate would raise here
    (result,) = _results(json.loads(output))
    assert result["message"]["text"] == "app/dev: name K\udc80"
