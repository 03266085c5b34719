"""The live process environment as a source."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from driftcheck.sources.process import read_process_environment
from driftcheck.values import Entry, Origin

CANARY = "canary-Pr41-do-not-print"


def test_entries_are_sorted_ambient_and_have_no_line() -> None:
    parsed = read_process_environment({"ZED": "z", "ALPHA": "a", "MIDDLE": "", "Lower": "l"})
    origin = Origin("<process environment>", None)
    assert parsed.entries == [
        Entry("ALPHA", "a", origin, ambient=True),
        Entry("Lower", "l", origin, ambient=True),
        Entry("MIDDLE", "", origin, ambient=True),
        Entry("ZED", "z", origin, ambient=True),
    ]
    assert parsed.issues == []


def test_values_are_kept_verbatim() -> None:
    parsed = read_process_environment({"A": "  two\nlines\r\n ", "B": "x=y"})
    assert [(entry.key, entry.value) for entry in parsed.entries] == [
        ("A", "  two\nlines\r\n "),
        ("B", "x=y"),
    ]


def test_display_path_names_the_origin() -> None:
    parsed = read_process_environment({"A": "1"}, display_path="<container backend>")
    assert parsed.entries[0].origin == Origin("<container backend>")
    assert str(parsed.entries[0].origin) == "<container backend>"


def test_empty_environment() -> None:
    parsed = read_process_environment({})
    assert (parsed.entries, parsed.issues) == ([], [])


def test_any_mapping_is_accepted_and_left_unchanged() -> None:
    environ = MappingProxyType({"B": "2", "A": "1"})
    parsed = read_process_environment(environ)
    assert [entry.key for entry in parsed.entries] == ["A", "B"]
    assert dict(environ) == {"B": "2", "A": "1"}


def test_default_is_the_real_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRIFTCHECK_TEST_VARIABLE", "present")
    monkeypatch.delenv("DRIFTCHECK_TEST_ABSENT", raising=False)
    entries = {entry.key: entry for entry in read_process_environment().entries}
    assert entries["DRIFTCHECK_TEST_VARIABLE"] == Entry(
        "DRIFTCHECK_TEST_VARIABLE", "present", Origin("<process environment>"), ambient=True
    )
    assert "DRIFTCHECK_TEST_ABSENT" not in entries
    keys = [entry.key for entry in read_process_environment().entries]
    assert keys == sorted(keys)


def test_reprs_never_show_values() -> None:
    parsed = read_process_environment({"API_TOKEN": CANARY})
    assert parsed.entries[0].value == CANARY
    assert CANARY not in repr(parsed)
    assert CANARY not in str(parsed.entries)
