"""The fast TOML reader against tomllib: whatever it accepts, tomllib reads the same.

``parse_simple_toml`` may give up on any text (tomllib then reads it), but it must never
accept a text that tomllib rejects, nor read one differently. Generated texts mix the
subset it reads with the TOML around it that it must leave alone.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftcheck.tomlfile import (
    TomlLines,
    parse_simple_table,
    parse_simple_toml,
    split_tables,
    table_header_line,
    tomllib,
)
from tests.benchmarks import generate

REPOSITORY = Path(__file__).resolve().parents[1]

_BARE = st.text("abcXYZ_-09", min_size=1, max_size=6)
_QUOTED = st.sampled_from(['"a b"', '"k.x"', "'lit'", '""', '"é"', '"a\\"b"', "'a]'"])
_KEY = st.one_of(_BARE, _BARE, _QUOTED)
_STRING = st.sampled_from(
    [
        '""',
        '"plain"',
        '"tab\there"',
        '"es\\"c\\\\aped\\n"',
        '"\\u00e9\\U0001F600"',
        '"\\ud800"',
        '"\\x41"',
        '"bad\\q"',
        "'literal \\n'",
        "''",
        '"unterminated',
        "'''multi'''",
        '"""multi"""',
        '"a#b"',
        '"ctl\x01"',
    ]
)
_NUMBER = st.sampled_from(
    [
        "0", "-0", "+7", "42", "1_000", "1__0", "01", "3.14", "-0.5", "1e5", "1E-2", "6.0e+3",
        "1.", ".5", "0x1F", "0o7", "0b1", "inf", "nan", "1_000.5", "9999999999999999999999",
    ]
)  # fmt: skip
_BOOL = st.sampled_from(["true", "false", "True", "truex"])
_SCALAR = st.one_of(_STRING, _NUMBER, _BOOL)
_ARRAY = st.lists(_SCALAR, max_size=4).flatmap(
    lambda items: st.sampled_from(
        [
            "[" + ", ".join(items) + "]",
            "[" + ",".join(items) + ",]",
            "[ " + " , ".join(items) + " ]",
            "[" + ", ".join(items) + ",,]",
            "[[" + ", ".join(items) + "]]",
        ]
    )
)
_VALUE = st.one_of(
    _SCALAR,
    _ARRAY,
    st.sampled_from(["{ a = 1 }", "1979-05-27", "12:00:00", '"""\nx\n"""', "", "= 1"]),
    # Multi-line values with a line that starts with "[", where split_tables cuts.
    st.sampled_from(['"""\n[a]\nb = 1\n"""', "'''\n[a.b] # x\n'''", "[\n[1], 2,\n]"]),
)
_SPACE = st.sampled_from(["", " ", "\t", "  "])
_COMMENT = st.sampled_from(["", " # note", "#x", " # [keys.X]", " #\x01"])


@st.composite
def _line(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["header", "header", "assign", "assign", "assign", "other"]))
    space, comment = draw(_SPACE), draw(_COMMENT)
    if kind == "header":
        parts = draw(st.lists(_KEY, min_size=1, max_size=3))
        inner = draw(st.sampled_from([".", " . ", "."])).join(parts)
        return f"{space}[{draw(_SPACE)}{inner}{draw(_SPACE)}]{comment}"
    if kind == "assign":
        key = draw(st.one_of(_KEY, st.sampled_from(["a.b", "x . y"])))
        return f"{space}{key}{draw(_SPACE)}={draw(_SPACE)}{draw(_VALUE)}{draw(_SPACE)}{comment}"
    return draw(st.sampled_from(["", "   ", "# comment", "[[arr]]", "junk", "\r", "k = 1\r"]))


@st.composite
def toml_texts(draw: st.DrawFn) -> str:
    lines = draw(st.lists(_line(), max_size=14))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n"]))


_PLAIN_COMMENT = st.sampled_from(["", "", " # note", " # [keys.X]"])
_PLAIN_VALUE = st.sampled_from(["1", '"s"', "'s'", "true", '[1, "a"]', "-0.0", '"\\u00e9"'])


@st.composite
def _table_line(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 15)) == 0:
        return draw(_line())  # now and then, anything
    key = draw(st.sampled_from(["x", "y", "z", "w", "type", '"x"', "'y'"]))
    value = draw(_VALUE if draw(st.integers(0, 7)) == 0 else _PLAIN_VALUE)
    return f"{key} = {value}{draw(_PLAIN_COMMENT)}"


@st.composite
def table_texts(draw: st.DrawFn) -> str:
    """Texts of several tables, mostly in the subset, with names that recur and nest."""
    lines = draw(st.lists(_table_line(), max_size=3))
    for _ in range(draw(st.integers(0, 4))):
        path = draw(st.lists(st.sampled_from(["a", "b", "x", '"a"', "'b'", "A-1"]), min_size=1))
        lines.append(f"[{'.'.join(path[:3])}]{draw(_PLAIN_COMMENT)}")
        lines.append(draw(st.sampled_from(["", "", "# c", " "])))
        lines += draw(st.lists(_table_line(), max_size=4))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n"]))


def _tomllib(text: str) -> object:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None


@settings(max_examples=3000, deadline=None)
@given(toml_texts())
def test_whatever_it_accepts_tomllib_reads_the_same(text: str) -> None:
    fast = parse_simple_toml(text)
    if fast is not None:
        assert fast == _tomllib(text), text


def _by_tables(text: str) -> dict[str, object] | None:
    """The data of ``text`` read part by part, where parse_simple_table says that it may be."""
    first, *parts = split_tables(text)
    data = parse_simple_toml(first)
    tables = [parse_simple_table(part) for part in parts]
    if data is None or None in tables:
        return None
    paths = [table[0] for table in tables if table is not None]
    for index, path in enumerate(paths):
        others = paths[:index] + paths[index + 1 :]
        if path[0] in data or any(other[: len(path)] == path for other in others):
            return None  # a table twice, inside another, or inside a value of the first part
    for path, table in (table for table in tables if table is not None):
        inner = data
        for name in path:
            inner = inner.setdefault(name, {})
        inner.update(table)
    return data


@settings(max_examples=1500, deadline=None)
@given(st.one_of(toml_texts(), table_texts(), table_texts()))
def test_read_by_tables_it_is_what_tomllib_reads(text: str) -> None:
    first, *parts = split_tables(text)
    assert "\n".join([first, *(f"[{part}" for part in parts)]) == "\n" + text  # all of it
    for part in parts:
        table = parse_simple_table(part)
        if table is not None:
            path, data = table
            whole = _tomllib(f"[{part}")
            for name in path:  # one table, at that path
                assert isinstance(whole, dict), part
                assert list(whole) == [name], part
                whole = whole[name]
            assert data == whole, part
    by_tables = _by_tables(text)
    if by_tables is not None:
        assert by_tables == parse_simple_toml(text) == _tomllib(text), text


@pytest.mark.parametrize(
    ("text", "tables"),
    [
        ('# x\nservice = "a"\n[keys.A]\ntype = "int"\n\n[keys.B]\n', 2),
        ("[a]\n  [b]\n", 0),  # an indented header is a line of the part before it
        ('x = """\n[keys.A]\n"""\n', 0),  # a line of a string, which the first part opens
        ("[a]\n[[b]]\n", 1),
    ],
)
def test_tables_are_read_one_by_one_where_they_can_be(text: str, tables: int) -> None:
    _, *parts = split_tables(text)
    assert sum(parse_simple_table(part) is not None for part in parts) == tables


@pytest.mark.parametrize(
    "text",
    [
        '[keys.PORT]\ntype = "port"\n',
        'listen_port_key = "PORT" # the port\n\n[keys."A.B"]\ntype = "str"\n',
        "[keys.X]\nchoices = ['a', \"b\", ]\nmin = -1.5e3\nmax = 1_000\nsecret = false\n",
        '[keys.Y]\npattern = "^[a-z]{2}-\\\\d$"\ndescription = "caf\\u00e9\\t"\n',
        "[a.b]\n[a]\nc = 1\n",
    ],
)
def test_the_common_subset_is_read_fast(text: str) -> None:
    assert parse_simple_toml(text) == tomllib.loads(text)


@pytest.mark.parametrize(
    "text",
    [
        "[a]\n[a]\n",  # a table declared twice
        "a = 1\na = 2\n",  # a key set twice
        "a = 1\n[a.b]\n",  # a value used as a table
        "[a]\nb = 1\n[a.b]\n",
        "a = 01\n",  # a leading zero
        'a = "\\ud800"\n',  # not a Unicode scalar value
        "a = 1\r\n",  # CRLF: left to tomllib
        "a.b = 1\n",  # dotted keys: left to tomllib
        "a = { b = 1 }\n",  # inline tables: left to tomllib
        "a = [\n1,\n]\n",  # multi-line arrays: left to tomllib
    ],
)
def test_anything_else_is_left_to_tomllib(text: str) -> None:
    assert parse_simple_toml(text) is None


def test_shipped_and_generated_schemas_take_the_fast_path(tmp_path: Path) -> None:
    """The fast path must actually serve the files it exists for."""
    generate.write(tmp_path, 25)
    schemas = [
        *REPOSITORY.glob("examples/*/schemas/*.toml"),
        *(tmp_path / "schemas").glob("*.toml"),
    ]
    assert len(schemas) > 25
    for path in schemas:
        text = path.read_text(encoding="utf-8")
        assert parse_simple_toml(text) == tomllib.loads(text), path


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__]))


def _depth_two_paths(text: str) -> list[tuple[str, str]]:
    words = sorted(set(re.findall(r"[A-Za-z0-9_\-]+", text)))
    return [(table, name) for table in [*words[:4], "keys", "a"] for name in words]


@settings(max_examples=1500, deadline=None)
@given(st.one_of(toml_texts(), table_texts()))
def test_a_table_header_found_directly_is_the_line_the_index_gives(text: str) -> None:
    text = text.replace("\r", "")
    lines = TomlLines(text)
    for path in _depth_two_paths(text):
        found = table_header_line(text, path)
        if found is not None:
            assert found == lines.line_of(path), (path, text)


def test_schema_keys_are_found_directly(tmp_path: Path) -> None:
    generate.write(tmp_path, 25)
    for schema in sorted((tmp_path / "schemas").glob("*.toml"))[:5]:
        text = schema.read_text(encoding="utf-8")
        lines = TomlLines(text)
        names = re.findall(r"^\[keys\.([A-Z0-9_]+)\]$", text, re.MULTILINE)
        assert len(names) > 100
        for name in names:
            found = table_header_line(text, ("keys", name))
            assert found is not None
            assert found == lines.line_of(("keys", name))
    assert table_header_line('x = """\n[keys.A]\n"""\n[keys.A]\n', ("keys", "A")) is None
    assert table_header_line("[keys]\nA = 1\n[keys.A]\n", ("keys", "A")) is None
