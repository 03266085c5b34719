"""JSON value files, the positional walker, and the shared file reading behind them."""

from __future__ import annotations

import errno
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftcheck.errors import DriftcheckError
from driftcheck.sources import textfile
from driftcheck.sources.jsonfile import (
    JsonNode,
    parse_json_document,
    parse_json_values,
    read_json_values,
)
from driftcheck.sources.textfile import LineIndex, read_text
from driftcheck.values import Origin, SourceIssue

SHOWN = "config/values.json"
CANARY = "canary-Zx81-do-not-print"


def write(tmp_path: Path, content: str | bytes, name: str = "values.json") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        path.write_bytes(content)
    return path


def triples(path: Path) -> list[tuple[str, str | None, int | None]]:
    parsed = read_json_values(path, SHOWN)
    assert parsed.issues == []
    return [(entry.key, entry.value, entry.origin.line) for entry in parsed.entries]


def read_error(path: Path) -> DriftcheckError:
    with pytest.raises(DriftcheckError) as caught:
        read_json_values(path, SHOWN)
    return caught.value


def assert_no_canary(error: DriftcheckError) -> None:
    assert CANARY not in str(error)
    assert CANARY not in repr(error)
    assert CANARY not in repr(error.args)
    # No decoder exception rides along: UnicodeDecodeError.object and JSONDecodeError.doc
    # hold the whole file.
    assert error.__cause__ is None
    assert error.__context__ is None


# --- values ---------------------------------------------------------------------------


def test_flat_object_gives_each_key_its_value_and_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "{\n"
        '  "DATABASE_URL": "postgres://db:5432/app",\n'
        '  "PORT": 8000,\n'
        '  "DEBUG": true,\n'
        '  "VERBOSE": false,\n'
        '  "RATIO": 0.50,\n'
        '  "BIG": 1e3,\n'
        '  "NEGATIVE": -7,\n'
        '  "OPTIONAL": null,\n'
        '  "EMPTY": "",\n'
        '  "ESCAPED": "caf\\u00e9 \\"quoted\\"\\ttab",\n'
        '  "MULTI": "a\\nb",\n'
        '  "PADDED": "  spaces  "\n'
        "}\n",
    )
    assert triples(path) == [
        ("DATABASE_URL", "postgres://db:5432/app", 2),
        ("PORT", "8000", 3),
        ("DEBUG", "true", 4),
        ("VERBOSE", "false", 5),
        ("RATIO", "0.50", 6),
        ("BIG", "1e3", 7),
        ("NEGATIVE", "-7", 8),
        ("OPTIONAL", None, 9),
        ("EMPTY", "", 10),
        ("ESCAPED", 'café "quoted"\ttab', 11),
        ("MULTI", "a\nb", 12),
        ("PADDED", "  spaces  ", 13),
    ]


def test_entries_carry_the_display_path_not_the_real_one(tmp_path: Path) -> None:
    parsed = read_json_values(write(tmp_path, '{"A": "1"}'), SHOWN)
    assert parsed.entries[0].origin == Origin(SHOWN, 1)
    assert parsed.entries[0].ambient is False


def test_one_line_document_puts_every_key_on_line_one(tmp_path: Path) -> None:
    path = write(tmp_path, '{"A":"1","B":2,"C":null}')
    assert triples(path) == [("A", "1", 1), ("B", "2", 1), ("C", None, 1)]


def test_key_line_is_the_key_even_when_the_value_is_on_a_later_line(tmp_path: Path) -> None:
    path = write(tmp_path, '{\n"A"\n:\n"x",\n\n\n"B":\n\n"y"}')
    assert triples(path) == [("A", "x", 2), ("B", "y", 7)]


def test_escaped_keys_are_decoded(tmp_path: Path) -> None:
    path = write(tmp_path, '{"\\u0041PI_KEY": "1", "caf\\u00e9": "2"}')
    assert triples(path) == [("API_KEY", "1", 1), ("café", "2", 1)]


def test_duplicate_keys_are_all_kept_in_order_and_the_last_is_json_loads_value(
    tmp_path: Path,
) -> None:
    text = '{\n"A": "first",\n"B": "b",\n"A": "second"\n}'
    path = write(tmp_path, text)
    assert triples(path) == [("A", "first", 2), ("B", "b", 3), ("A", "second", 4)]
    last = {key: value for key, value, _ in triples(path)}
    assert last == json.loads(text)


def test_empty_object_has_no_entries(tmp_path: Path) -> None:
    assert triples(write(tmp_path, "{}")) == []
    assert triples(write(tmp_path, " \n{ \n }\n\n")) == []


def test_nan_and_infinity_are_read_as_written_like_json_loads_accepts_them(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, '{"A": NaN, "B": Infinity, "C": -Infinity}')
    assert triples(path) == [("A", "NaN", 1), ("B", "Infinity", 1), ("C", "-Infinity", 1)]


def test_very_long_line_is_read_whole(tmp_path: Path) -> None:
    long_value = "x" * 2_000_000
    path = write(tmp_path, '{"SHORT": "1", "LONG": "' + long_value + '", "AFTER": 2}')
    assert triples(path) == [("SHORT", "1", 1), ("LONG", long_value, 1), ("AFTER", "2", 1)]


def test_escaped_nul_inside_a_string_is_a_value_character(tmp_path: Path) -> None:
    assert triples(write(tmp_path, '{"A": "x\\u0000y"}')) == [("A", "x\x00y", 1)]


# --- snapshots ------------------------------------------------------------------------


def test_snapshot_values_are_read_with_their_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "{\n"
        '  "driftcheck_snapshot": 1,\n'
        '  "service": "backend",\n'
        '  "environment": "production",\n'
        '  "values": {\n'
        '    "PORT": "8001",\n'
        '    "API_TOKEN": "hmac:0123456789ab",\n'
        '    "WORKERS": 4,\n'
        '    "UNSET": null\n'
        "  }\n"
        "}\n",
    )
    assert triples(path) == [
        ("PORT", "8001", 6),
        ("API_TOKEN", "hmac:0123456789ab", 7),
        ("WORKERS", "4", 8),
        ("UNSET", None, 9),
    ]


def test_snapshot_fields_other_than_values_are_not_entries(tmp_path: Path) -> None:
    path = write(tmp_path, '{"values": {}, "driftcheck_snapshot": 1, "service": "x"}')
    assert triples(path) == []


@pytest.mark.parametrize(
    ("version", "kind"),
    [('"1"', "a string"), ("1.5", "a number"), ("true", "a boolean"), ("null", "null")],
)
def test_snapshot_version_must_be_an_integer(tmp_path: Path, version: str, kind: str) -> None:
    path = write(tmp_path, '{\n"values": {},\n"driftcheck_snapshot": ' + version + "\n}")
    error = read_error(path)
    assert str(error) == (
        f'{SHOWN}:3: "driftcheck_snapshot" must be an integer format version, not {kind}'
    )


def test_snapshot_without_values_is_an_error(tmp_path: Path) -> None:
    error = read_error(write(tmp_path, '\n{"driftcheck_snapshot": 1, "service": "x"}'))
    assert str(error) == f'{SHOWN}:2: snapshot has no "values" object'


def test_snapshot_values_must_be_an_object(tmp_path: Path) -> None:
    error = read_error(write(tmp_path, '{"driftcheck_snapshot": 1,\n"values": ["A=1"]}'))
    assert str(error) == (
        f'{SHOWN}:2: snapshot "values" is an array, expected an object of KEY: value'
    )


def test_nested_value_inside_snapshot_values_names_the_key(tmp_path: Path) -> None:
    error = read_error(write(tmp_path, '{"driftcheck_snapshot": 1, "values": {\n"A": {}}}'))
    assert str(error) == (
        f'{SHOWN}:2: value of "A" is an object other than {{"fingerprint": "hmac-sha256:..."}}; '
        "expected that, or a string, number, boolean or null"
    )


# --- bad JSON and wrong shapes -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{\n  "A": "1",\n}',
            "3:1: invalid JSON: Expecting property name enclosed in double quotes",
        ),
        ('{\n  "A" "1"\n}', "2:7: invalid JSON: Expecting ':' delimiter"),
        (
            "{\n  'A': '1'\n}",
            "2:3: invalid JSON: Expecting property name enclosed in double quotes",
        ),
        ('{"A": "1"\n"B": "2"}', "2:1: invalid JSON: Expecting ',' delimiter"),
        ('{"A": "1"} {"B": 2}', "1:12: invalid JSON: Extra data"),
        ('{"A": "line\nbreak"}', "1:12: invalid JSON: Invalid control character"),
        ('{"A": "bad \\q escape"}', "1:12: invalid JSON: Invalid \\escape"),
        ('{"A": 01}', "1:8: invalid JSON: Expecting ',' delimiter"),
        ('{"A": tru}', "1:7: invalid JSON: Expecting value"),
        ("{\n\n", "3:1: invalid JSON: Expecting property name enclosed in double quotes"),
    ],
)
def test_invalid_json_reports_json_message_line_and_column(
    tmp_path: Path, text: str, expected: str
) -> None:
    error = read_error(write(tmp_path, text))
    assert str(error) == f"{SHOWN}:{expected}"
    assert error.path == SHOWN
    line, column = (int(part) for part in expected.split(":")[:2])
    assert (error.line, error.column) == (line, column)


def test_invalid_json_error_never_contains_the_document(tmp_path: Path) -> None:
    path = write(tmp_path, '{\n  "PASSWORD": "' + CANARY + '",\n  "BROKEN": ' + CANARY + "\n}")
    error = read_error(path)
    assert str(error) == f"{SHOWN}:3:13: invalid JSON: Expecting value"
    assert_no_canary(error)


def test_unterminated_secret_string_is_not_quoted(tmp_path: Path) -> None:
    error = read_error(write(tmp_path, '{"PASSWORD": "' + CANARY))
    assert str(error) == f"{SHOWN}:1:14: invalid JSON: Unterminated string"
    assert_no_canary(error)


@pytest.mark.parametrize(
    ("text", "kind", "line"),
    [
        ('[{"A": "1"}]', "an array", 1),
        ('\n\n"A=1"', "a string", 3),
        ("8000", "a number", 1),
        ("true", "a boolean", 1),
        ("null", "null", 1),
    ],
)
def test_top_level_must_be_an_object(tmp_path: Path, text: str, kind: str, line: int) -> None:
    error = read_error(write(tmp_path, text))
    assert str(error) == f"{SHOWN}:{line}: top level is {kind}, expected an object of KEY: value"


@pytest.mark.parametrize(
    ("value", "kind"), [('{"host": "x"}', "an object"), ('["a", "b"]', "an array")]
)
def test_nested_value_is_an_error_naming_the_key_and_its_line(
    tmp_path: Path, value: str, kind: str
) -> None:
    error = read_error(write(tmp_path, '{\n"OK": "1",\n"NESTED": ' + value + "\n}"))
    assert str(error) == (
        f'{SHOWN}:3: value of "NESTED" is {kind}; expected a string, number, boolean or null'
    )


def test_nested_secret_is_not_quoted(tmp_path: Path) -> None:
    error = read_error(write(tmp_path, '{"DB": {"password": "' + CANARY + '"}}'))
    assert "DB" in str(error)
    assert_no_canary(error)


def test_odd_key_is_shown_escaped(tmp_path: Path) -> None:
    error = read_error(write(tmp_path, '{"A\\nB": []}'))
    assert str(error) == (
        f'{SHOWN}:1: value of "A\\nB" is an array; expected a string, number, boolean or null'
    )


@pytest.mark.parametrize("text", ["", "   \n\t\r\n"])
def test_empty_file_is_an_error(tmp_path: Path, text: str) -> None:
    error = read_error(write(tmp_path, text))
    assert str(error) == f"{SHOWN}: file is empty, expected a JSON document"


def test_raw_nul_byte_outside_a_string_is_invalid_json(tmp_path: Path) -> None:
    error = read_error(write(tmp_path, b'{"A": "1",\n\x00"B": "2"}'))
    assert str(error) == (
        f"{SHOWN}:2:1: invalid JSON: Expecting property name enclosed in double quotes"
    )


def test_raw_nul_byte_inside_a_string_is_invalid_json(tmp_path: Path) -> None:
    error = read_error(write(tmp_path, b'{"A": "' + CANARY.encode() + b'\x00"}'))
    column = len('{"A": "' + CANARY) + 1
    assert str(error) == f"{SHOWN}:1:{column}: invalid JSON: Invalid control character"
    assert_no_canary(error)


def test_error_at_the_end_of_a_very_long_line_has_the_right_column(tmp_path: Path) -> None:
    path = write(tmp_path, '{"A": "' + "x" * 1_000_000 + '",}')
    error = read_error(path)
    assert (error.line, error.column) == (1, 1_000_010)
    assert "xxxx" not in str(error)


def test_nesting_too_deep_for_json_is_an_error(tmp_path: Path) -> None:
    error = read_error(write(tmp_path, '{"A": ' + "[" * 100_000 + "]" * 100_000 + "}"))
    assert str(error) == f"{SHOWN}: invalid JSON: nested too deeply"
    assert_no_canary(error)


def test_number_longer_than_int_conversion_allows_is_an_error(tmp_path: Path) -> None:
    digits = sys.get_int_max_str_digits() + 1
    error = read_error(write(tmp_path, '{"A": ' + "7" * digits + "}"))
    assert str(error) == f"{SHOWN}: invalid JSON: a number has too many digits"
    assert "777" not in str(error)


# --- byte-order mark ------------------------------------------------------------------


def test_byte_order_mark_is_read_past_and_reported_as_an_issue(tmp_path: Path) -> None:
    parsed = read_json_values(write(tmp_path, '\ufeff{\n"A": "1"\n}'), SHOWN)
    assert [(e.key, e.value, e.origin.line) for e in parsed.entries] == [("A", "1", 2)]
    assert parsed.issues == [
        SourceIssue(
            kind="byte-order-mark",
            origin=Origin(SHOWN, 1),
            detail="file starts with a UTF-8 byte-order mark; JSON must not (RFC 8259)",
        )
    ]


def test_columns_after_a_byte_order_mark_count_as_an_editor_shows_them(tmp_path: Path) -> None:
    error = read_error(write(tmp_path, '\ufeff{"A" "1"}'))
    assert str(error) == f"{SHOWN}:1:6: invalid JSON: Expecting ':' delimiter"


def test_parse_json_document_refuses_a_byte_order_mark_like_json_loads() -> None:
    with pytest.raises(DriftcheckError) as caught:
        parse_json_document('\ufeff{"A": 1}', SHOWN)
    assert str(caught.value) == (
        f"{SHOWN}:1:1: invalid JSON: Unexpected UTF-8 BOM (decode using utf-8-sig)"
    )


# --- reading the file (textfile.read_text) -------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    error = read_error(tmp_path / "absent.json")
    assert str(error) == f"{SHOWN}: cannot read: no such file"
    assert (error.path, error.line) == (SHOWN, None)


def test_dangling_symlink_reads_as_missing(tmp_path: Path) -> None:
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "gone.json")
    assert str(read_error(link)) == (
        f"{SHOWN}: cannot read: no such file (the symbolic link points to nothing)"
    )


def test_parent_that_is_a_file(tmp_path: Path) -> None:
    parent = write(tmp_path, "{}")
    assert str(read_error(parent / "child.json")) == (
        f"{SHOWN}: cannot read: a parent of the path is not a directory"
    )


def test_directory(tmp_path: Path) -> None:
    assert str(read_error(tmp_path)) == f"{SHOWN}: is a directory, expected a file"


def test_symlink_loop(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.symlink_to(second)
    second.symlink_to(first)
    assert str(read_error(first)) == f"{SHOWN}: cannot read: too many levels of symbolic links"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path, '{"A": "1"}')
    path.chmod(0)
    try:
        assert str(read_error(path)) == f"{SHOWN}: cannot read: permission denied"
    finally:
        path.chmod(0o600)


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, '{"A": "1"}')

    def refuse(file: object, mode: str = "r") -> object:
        raise PermissionError(errno.EACCES, "Permission denied", str(file))

    monkeypatch.setattr(textfile, "open", refuse, raising=False)
    assert str(read_error(path)) == f"{SHOWN}: cannot read: permission denied"


def test_other_os_error_uses_the_system_wording_without_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, '{"A": "1"}')

    def fail(file: object, mode: str = "r") -> object:
        raise OSError(errno.EIO, "Input/output error", str(file))

    monkeypatch.setattr(textfile, "open", fail, raising=False)
    error = read_error(path)
    assert str(error) == f"{SHOWN}: cannot read: Input/output error"
    assert str(tmp_path) not in str(error)


def test_invalid_utf8_reports_line_byte_and_character_column(tmp_path: Path) -> None:
    content = '{\n"A": "1",\n"PASSWORD": "é'.encode() + CANARY.encode() + b'\xff"\n}'
    error = read_error(write(tmp_path, content))
    # The column counts characters: "é" is two bytes but one column.
    assert str(error) == f"{SHOWN}:3: invalid UTF-8 (byte 0xFF at column {15 + len(CANARY)})"
    assert (error.line, error.column) == (3, None)
    assert_no_canary(error)


def test_truncated_multibyte_character_at_the_end(tmp_path: Path) -> None:
    error = read_error(write(tmp_path, b'{"A": "\xe2\x82'))
    assert str(error) == f"{SHOWN}:1: invalid UTF-8 (byte 0xE2 at column 8)"


def test_utf16_file_gets_a_hint(tmp_path: Path) -> None:
    error = read_error(write(tmp_path, '{"A": "1"}'.encode("utf-16")))
    assert str(error) == (
        f"{SHOWN}:1: invalid UTF-8 (byte 0xFF at column 1); "
        "the file looks UTF-16 encoded, save it as UTF-8"
    )


def test_read_text_strips_nothing(tmp_path: Path) -> None:
    content = "\ufeff A=1 \r\n\r\n\t"
    assert read_text(write(tmp_path, content), SHOWN) == content


# --- reprs ----------------------------------------------------------------------------


def test_reprs_never_show_values(tmp_path: Path) -> None:
    parsed = read_json_values(write(tmp_path, '{"PASSWORD": "' + CANARY + '"}'), SHOWN)
    assert CANARY not in repr(parsed)
    document = parse_json_document('{"PASSWORD": ["' + CANARY + '"]}', SHOWN)
    assert CANARY not in repr(document)
    assert CANARY not in repr(document.members)
    assert repr(document.members[0].value.items[0]) == "JsonNode(kind='string', line=1, column=15)"


# --- the walker agrees with json.loads ------------------------------------------------

JSON_SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)
WHITESPACE = st.text(alphabet=" \t\n\r", max_size=3)


@st.composite
def json_documents(draw: st.DrawFn, top: st.SearchStrategy[Any] = JSON_VALUES) -> str:
    """A JSON object as text, with duplicate keys and arbitrary JSON whitespace."""
    pairs = draw(st.lists(st.tuples(st.text(alphabet='abAB_\u00e9\n"', max_size=3), top)))
    ascii_only = draw(st.booleans())

    def dump(value: Any) -> str:
        indent = draw(st.sampled_from([None, 0, 2, "\t"]))
        return json.dumps(value, ensure_ascii=ascii_only, indent=indent)

    members = [
        draw(WHITESPACE) + dump(key) + draw(WHITESPACE) + ":" + draw(WHITESPACE) + dump(value)
        for key, value in pairs
    ]
    return draw(WHITESPACE) + "{" + ",".join(members) + draw(WHITESPACE) + "}" + draw(WHITESPACE)


def as_pairs(node: JsonNode) -> object:
    """The walker's tree the way json.loads shows it with object_pairs_hook=list."""
    if node.kind == "object":
        return [(member.key, as_pairs(member.value)) for member in node.members]
    if node.kind == "array":
        return [as_pairs(item) for item in node.items]
    return node.to_python()


def index_at(text: str, line: int, column: int) -> int:
    start = 0
    for _ in range(line - 1):
        start = text.index("\n", start) + 1
    return start + column - 1


def check_positions(text: str, node: JsonNode) -> None:
    index = index_at(text, node.line, node.column)
    if node.kind in ("object", "array"):
        assert text[index] == ("{" if node.kind == "object" else "[")
    else:
        assert json.JSONDecoder().raw_decode(text, index)[0] == node.to_python()
    for member in node.members:
        key_index = index_at(text, member.line, member.column)
        assert json.JSONDecoder().raw_decode(text, key_index)[0] == member.key
        check_positions(text, member.value)
    for item in node.items:
        check_positions(text, item)


@settings(max_examples=300, deadline=None)
@given(json_documents())
def test_walker_means_what_json_loads_means(text: str) -> None:
    node = parse_json_document(text, SHOWN)
    assert node.to_python() == json.loads(text)
    assert as_pairs(node) == json.loads(text, object_pairs_hook=list)


@settings(max_examples=300, deadline=None)
@given(json_documents())
def test_walker_positions_point_at_each_key_and_value(text: str) -> None:
    check_positions(text, parse_json_document(text, SHOWN))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(), JSON_VALUES, max_size=6), st.sampled_from([None, 1, 4]))
def test_walker_agrees_with_json_loads_on_json_dumps_output(
    value: dict[str, Any], indent: int | None
) -> None:
    text = json.dumps(value, indent=indent)
    node = parse_json_document(text, SHOWN)
    assert node.to_python() == json.loads(text)
    check_positions(text, node)


@settings(max_examples=300, deadline=None)
@given(json_documents(top=JSON_SCALARS))
def test_flat_values_last_entry_per_key_is_json_loads_value_as_written(text: str) -> None:
    entries = parse_json_values(text, SHOWN).entries
    loaded = json.loads(text)
    assert [entry.key for entry in entries] == [
        key for key, _ in json.loads(text, object_pairs_hook=list)
    ]
    last = {entry.key: entry.value for entry in entries}
    # The documents were written by json.dumps, so "as written" is json.dumps of the value.
    assert last == {
        key: value if isinstance(value, str) or value is None else json.dumps(value)
        for key, value in loaded.items()
    }
    lines = LineIndex(text)
    for entry in entries:
        assert entry.origin.line is not None
        assert 1 <= entry.origin.line <= lines.line(len(text))
