"""The fast TOML reader against tomllib: whatever it accepts, tomllib reads the same.

``parse_simple_toml`` may give up on any text (tomllib then reads it), but it must never
accept a text that tomllib rejects, nor read one differently. Generated texts mix the
subset it reads with the TOML around it that it must leave alone.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftcheck.tomlfile import parse_simple_toml, tomllib
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
