"""JUnit XML: well-formed whatever the findings hold, counted right, shaped as GitLab reads it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from driftcheck.findings import Related, Severity
from driftcheck.formatters import junit
from driftcheck.values import Origin
from tests.formatters import make_finding, make_report
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parents[2]
INCIDENT = ROOT / "examples" / "incident"
MINIMAL = ROOT / "examples" / "minimal"
HASH_KEY = {"DRIFTCHECK_HASH_KEY": "driftcheck-tests"}

Case = tuple[str, str, str]  # (classname, name, status)


def _gitlab_cases(xml: str) -> list[Case]:
    """Test cases as GitLab's parser (``Gitlab::Ci::Parsers::Test::Junit``) reads them.

    One top-level ``testsuites``, ``testcase`` elements inside ``testsuite`` elements;
    the status is the first of ``failure``, ``error``, ``skipped`` the case holds, else
    success. A failure's details are the element's text, not its ``message`` attribute.
    """
    root = ET.fromstring(xml)
    assert root.tag == "testsuites"
    cases = []
    for suite in root:
        assert suite.tag == "testsuite"
        for case in suite:
            assert case.tag == "testcase"
            classname, name = case.get("classname"), case.get("name")
            assert classname
            assert name
            status = "success"
            for element in ("failure", "error", "skipped"):
                found = case.find(element)
                if found is not None:
                    status = element
                    assert (found.text or "").strip(), "GitLab shows the text: it must say why"
                    break
            cases.append((classname, name, status))
    return cases


def _counts(element: ET.Element) -> dict[str, int]:
    return {
        name: int(element.get(name, "-1")) for name in ("tests", "failures", "errors", "skipped")
    }


def _check(path: Path, *options: str) -> tuple[int, str]:
    run = run_cli("check", "--format", "junit", *options, cwd=path, env=HASH_KEY)
    assert run.stderr == ""
    return run.exit_code, run.stdout


def _assert_consistent(xml: str) -> None:
    """Every count attribute agrees with the cases, and GitLab sees no duplicate name."""
    root = ET.fromstring(xml)
    total: Counter[str] = Counter()
    for suite in root:
        cases = suite.findall("testcase")
        expected = {
            "tests": len(cases),
            "failures": sum(case.find("failure") is not None for case in cases),
            "errors": 0,
            "skipped": sum(case.find("skipped") is not None for case in cases),
        }
        assert _counts(suite) == expected
        total.update(expected)
    assert _counts(root) == dict(total)
    names = Counter((classname, name) for classname, name, _ in _gitlab_cases(xml))
    assert max(names.values()) == 1


def test_the_incident_example() -> None:
    exit_code, xml = _check(INCIDENT)
    assert exit_code == 1
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')
    _assert_consistent(xml)
    assert _counts(ET.fromstring(xml)) == {"tests": 12, "failures": 5, "errors": 0, "skipped": 2}
    cases = _gitlab_cases(xml)
    assert (
        "backend.staging",
        "DC101 required-key-missing REDIS_HOST in services/backend/.env.staging",
        "failure",
    ) in cases
    assert (
        "auth.*",
        "DC204 shared-name-mismatch JWT_SECRET in driftcheck.toml",
        "skipped",
    ) in cases
    # Every (service, environment) is a suite; those without findings pass.
    assert {classname for classname, _, _ in cases} == {"auth.*"} | {
        f"{service}.{environment}"
        for service in ("auth", "backend", "frontend")
        for environment in ("dev", "staging", "prod")
    }
    assert ("frontend.prod", "no drift", "success") in cases


def test_a_failure_says_what_and_where() -> None:
    _, xml = _check(INCIDENT)
    case = ET.fromstring(xml).find(".//testcase[@classname='frontend.dev']")
    assert case is not None
    assert case.get("file") == "services/frontend/.env.dev"
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("type") == "DC402"
    assert failure.get("message") == "VITE_AUTH_URL points at port 8001, but auth is on 8081 in dev"
    assert failure.text == (
        "services/frontend/.env.dev:3: DC402 address-wrong-port [error] VITE_AUTH_URL points at "
        "port 8001, but auth is on 8081 in dev\n"
        "    see: services/auth/.env.dev:2 auth/dev (auth's PORT is 8081)\n"
        "    hint: use port 8081\n"
    )


def test_fail_on_decides_which_findings_fail() -> None:
    _, xml = _check(INCIDENT, "--fail-on", "warning")
    _assert_consistent(xml)
    assert _counts(ET.fromstring(xml)) == {"tests": 12, "failures": 7, "errors": 0, "skipped": 0}


def test_a_clean_run_shows_passing_tests() -> None:
    exit_code, xml = _check(MINIMAL)
    assert exit_code == 0
    _assert_consistent(xml)
    assert _gitlab_cases(xml) == [
        ("api.dev", "no drift", "success"),
        ("api.prod", "no drift", "success"),
    ]


@pytest.mark.parametrize(
    ("severity", "fail_on", "status"),
    [
        (Severity.ERROR, Severity.ERROR, "failure"),
        (Severity.WARNING, Severity.ERROR, "skipped"),
        (Severity.INFO, Severity.ERROR, "skipped"),
        (Severity.WARNING, Severity.WARNING, "failure"),
        (Severity.INFO, Severity.WARNING, "skipped"),
        (Severity.INFO, Severity.INFO, "failure"),
    ],
)
def test_status_follows_the_threshold(severity: Severity, fail_on: Severity, status: str) -> None:
    xml = junit.render(make_report(make_finding(severity=severity)), fail_on=fail_on)
    assert ("app.dev", "DC401 port-mismatch PORT in app/.env.dev", status) in _gitlab_cases(xml)
    _assert_consistent(xml)


HOSTILE = "a < b && c > d ]]> <![CDATA[ x ]]> \"quoted\" 'single'"
CONTROL = "nul\x00 bell\x07 esc\x1b[31m vt\x0b ff\x0c del\x7f c1\x85 lone\udc80 nonchar\ufffe end"


def test_markup_and_control_characters_stay_well_formed() -> None:
    finding = make_finding(
        f"{HOSTILE} {CONTROL}",
        key=f"K{CONTROL}",
        origin=Origin("dir/<&>.env", 1),
        related=(Related(Origin("x]]>.env", 2), "app", "prod", "K", HOSTILE, CONTROL),),
        hint=f"{HOSTILE}\r\n{CONTROL}",
    )
    xml = junit.render(make_report(finding))
    root = ET.fromstring(xml)  # well-formed, or this raises
    _assert_consistent(xml)
    failure = root.find(".//failure")
    assert failure is not None
    message = failure.get("message") or ""
    assert message.startswith(HOSTILE)  # markup survives as text
    assert "\\x00" in message
    assert "\\x1b[31m" in message
    assert "\\udc80" in message
    assert "\\ufffe" in message
    text = failure.text or ""
    assert "]]>" in text
    assert "\\r\\n" in text  # the hint's CR LF: shown, not a line break of the report
    assert not any(ord(char) < 32 and char != "\n" for char in message + text)
    case = root.find(".//testcase")
    assert case is not None
    assert case.get("file") == "dir/<&>.env"


def test_duplicate_names_are_numbered() -> None:
    report = make_report(
        make_finding(origin=Origin("app/.env.dev", 1)),
        make_finding(origin=Origin("app/.env.dev", 5)),
        make_finding(origin=Origin("app/.env.dev", 9)),
    )
    names = [name for _, name, _ in _gitlab_cases(junit.render(report))]
    base = "DC401 port-mismatch PORT in app/.env.dev"
    assert names == [base, f"{base} #2", f"{base} #3", "no drift"]


def test_project_wide_and_process_findings() -> None:
    report = make_report(
        make_finding(service=None, environment=None, key=None, origin=None),
        make_finding(environment=None, origin=Origin("<process environment>")),
    )
    xml = junit.render(report)
    assert _gitlab_cases(xml) == [
        ("*.*", "DC401 port-mismatch", "failure"),
        ("app.*", "DC401 port-mismatch PORT in <process environment>", "failure"),
        ("app.dev", "no drift", "success"),
        ("app.prod", "no drift", "success"),
    ]
    assert all(case.get("file") is None for case in ET.fromstring(xml).iter("testcase"))


def test_output_is_deterministic() -> None:
    assert _check(INCIDENT) == _check(INCIDENT)
