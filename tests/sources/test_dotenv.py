"""``.env`` reading: the same meaning as python-dotenv, checked against python-dotenv itself."""

from __future__ import annotations

import codecs
import errno
import inspect
import io
import os
import random
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from unittest import mock

import dotenv.parser
import dotenv.variables
import pytest
from dotenv import dotenv_values
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from driftcheck.errors import DriftcheckError
from driftcheck.sources import dotenv as dotenv_source
from driftcheck.sources import textfile
from driftcheck.sources.dotenv import (
    BYTE_ORDER_MARK_DETAIL,
    BYTE_ORDER_MARK_SKIPPED_DETAIL,
    parse_dotenv,
    read_dotenv,
)
from driftcheck.values import Entry
from tests.helpers import DOTENV_KEEPS_BOM

CANARY = "S3CR3T-CANARY-7f1d"

# What os.environ holds while python-dotenv runs, and what read_dotenv gets as environ.
# Some names are also keys in the generated files, to check that file values win.
ENVIRON = {"A": "from-env", "HOME": "/home/u", "EMPTY": "", "B": "env-b", "Z": "zz", "": "nameless"}


# -- the reference --------------------------------------------------------------------------


def python_dotenv_values(path: Path, *, interpolate: bool) -> dict[str, str | None]:
    with mock.patch.object(os, "environ", dict(ENVIRON)):
        return dict(dotenv_values(path, interpolate=interpolate))


def python_dotenv_bindings(text: str) -> tuple[list[tuple[str, str | None, int]], list[int]]:
    """python-dotenv's bindings (key, raw value, line of the key) and its error lines.

    ``Binding.original.line`` is where the binding's text starts, blank lines before the
    key included; driftcheck reports the key's own line, which is that plus the newlines in
    the leading whitespace.
    """
    bindings = []
    error_lines = []
    for binding in dotenv.parser.parse_stream(io.StringIO(text)):
        string = binding.original.string
        leading = string[: len(string) - len(string.lstrip())]
        line = binding.original.line + leading.count("\n")
        if binding.error:
            error_lines.append(line)
        elif binding.key is not None:
            bindings.append((binding.key, binding.value, line))
    return bindings, error_lines


def last_wins(entries: list[Entry]) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for entry in entries:
        values[entry.key] = entry.value
    return values


def assert_same_as_python_dotenv(path: Path) -> None:
    for interpolate in (True, False):
        expected = python_dotenv_values(path, interpolate=interpolate)
        parsed = read_dotenv(path, "test.env", interpolate=interpolate, environ=ENVIRON)
        # Items, not just dicts: the order of first appearance must match too.
        assert list(last_wins(parsed.entries).items()) == list(expected.items())

    # Path.read_text translates newlines as dotenv_values' open() does.
    bindings, error_lines = python_dotenv_bindings(path.read_text(encoding="utf-8"))
    parsed = read_dotenv(path, "test.env", interpolate=False)
    assert [(e.key, e.value, e.origin.line) for e in parsed.entries] == bindings
    issues = [issue for issue in parsed.issues if issue.kind == "unparsable-line"]
    assert [issue.origin.line for issue in issues] == error_lines
    assert all(issue.origin.path == "test.env" for issue in parsed.issues)


# -- the material: fragments of lines, picked by hypothesis and by a seeded generator -------

PREFIXES = [
    "", "", "", " ", "\t", "  \t", "export ", "export\t", "  export  ", "export", "exportX",
    "\u00a0", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\u2028", "\u2029", "\u3000", "\u200b",
    "\ufeff", "export\u00a0", "export\x0b",
]  # fmt: skip
KEYS = [
    "A", "A", "B", "Z", "KEY_1", "a.b", "k-2", "9", "_", "export", "HOME", "EMPTY", "BARE",
    "ÜBER", "é", "A$B", "A\x00B", "A'B", 'A"B', "A\\B", "{A}", "'quoted key'", "'Q'",
    "'multi\nline'", "''", "'open", '"dq"', "=", "#", "", "${A}", "A-", "a.", "\x85K",
]  # fmt: skip
SEPARATORS = [
    "=", "=", "=", " = ", "\t=\t", "= ", "=  ", "", " ", " =", "=\t", "=\u00a0", "=\x0b",
    "=\x1c", "\u00a0=", "==", "=\u3000",
]  # fmt: skip
VALUES = [
    "", "v", "v", "value with spaces", "http://h/p#frag", "v #c", "v#c", "v#c #d", "#c", " #c",
    "a # b # c", "v\u00a0#c", "v\x0b#c", "'s'", "'it\\'s'", "'s\\n'", "'a\\\\b'", "'a\\\"b'",
    '"d"', '"d\\n\\t\\"\\\\x"', '"\\u00e9\\x41\\a\\b\\f\\r\\v"', '"multi\nline"',
    "'multi\nline\n'", '"unterminated', "'unterminated", '"a" tail', '"a"#c', '"a" # c',
    "'a' tail", "'a'  #c", "'a'\u00a0", '"a"\x0b', "${A}", "${A:-d}", "${MISSING:-x}",
    "${B}${C}", "${}", "${A:}", "$A", "${A:-${B}}", "${EMPTY:-dflt}", "${BARE:-dflt}",
    "${BARE}", "x${HOME}y", "${Z}", "'${A}'", '"${A:-q}"', "\\", '"\\"', "'\\''", "'", '"',
    '""', "''", "a'b", 'a"b', "v\x00w", "v\x0bw", "\u2028", "tab\there", "\U0001f600",
    '"a\\', "'a\\'", "\\'\\\"", "=x", "v=w", "${A:-a b} c", '"q" "r"', "'a'b'", '"a"b"',
]  # fmt: skip
TRAILERS = ["", "", "", " ", "\t", "\u00a0", "\x0b", " # c", "#c", "\u3000", " \\", "\x85"]
WHOLE_LINES = [
    "", "", "   ", "# comment", "  # c", "#", "#=1", "=1", " = 1", "export =1", "export",
    "export ", "export # c", "export\t# c", "A B", "A B=1", "'' =1", "'unterminated=1", '"',
    "'", "\\", 'A="x\\"', "A='\\'", "BARE", "BARE ", "BARE # c", "BARE#c", "  \u00a0  ",
    "\ufeff", 'A="""', "A='''", "A=\"a'b\"", "A='a\"b'", "A=${A}${A}", "\x00", "export A",
    "export A=1 # c", "export  export=2", "'A'=1", "'A' = '1'", "'A'B=1",
]  # fmt: skip
NEWLINES = ["\n", "\n", "\n", "\r\n", "\r"]


def make_line(pick: Callable[[list[str]], str]) -> str:
    if pick(["whole", "parts", "parts", "parts"]) == "whole":
        return pick(WHOLE_LINES)
    return pick(PREFIXES) + pick(KEYS) + pick(SEPARATORS) + pick(VALUES) + pick(TRAILERS)


def join_lines(lines: list[str], newline: str, *, final_newline: bool, bom: bool) -> bytes:
    text = newline.join(lines) + (newline if final_newline and lines else "")
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


@st.composite
def dotenv_lines(draw: st.DrawFn) -> str:
    def pick(options: list[str]) -> str:
        return draw(st.sampled_from(options))

    return make_line(pick)


@st.composite
def dotenv_files(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(dotenv_lines(), max_size=12))
    if draw(st.booleans()):
        lines = [line + draw(st.sampled_from(NEWLINES)) for line in lines]
        return "".join(lines).encode("utf-8")
    return join_lines(
        lines,
        draw(st.sampled_from(NEWLINES)),
        final_newline=draw(st.booleans()),
        bom=draw(st.integers(0, 9)) == 0,
    )


# Raw characters, for whatever the fragments above do not think of.
FUZZ_ALPHABET = "AB_=#'\"\\ \t\n\r${}:-xé\u00a0\x0b\x85\u2028\x00"


# -- differential tests ---------------------------------------------------------------------

TRICKY_FILES = {
    "plain": "A=1\nB=two words\nexport C=3\n",
    "blank lines before keys": "\n\nA=1\n\n   \n\t\nB=2\n\n",
    "comments": "# c\nA=1 # c\nB=1#c\nC='x' # c\nD=\"y\"#c\n  # indented\n",
    "hash in values": "A=#x\nB= #x\nC=a#b c #d\nD=http://h/#f\nE=a\u00a0#b\n",
    "export": "export A=1\nexport  B=2\nexport\tC=3\nexportD=4\nexport=5\nexport =6\nexport\n",
    "export then unicode space": "export\u00a0A=1\nexport\x0bB=2\n",
    "quoted keys": "'A'=1\n'a b' = 2\n''=3\n'multi\nline'=4\n\"D\"=5\n",
    "bare keys": "A\nB \nC # c\nD#c\nA=${C:-dflt}\nE=${A}\n",
    "double quotes": 'A="x"\nB="x\\ny"\nC="x\\"y"\nD="\\\\"\nE="\\u00e9"\nF="a\\qb"\n',
    "single quotes": "A='x'\nB='x\\ny'\nC='x\\'y'\nD='\\\\'\nE='a\"b'\n",
    "multi-line values": "A=\"one\ntwo\nthree\"\nB=after\nC='x\n\ny'\nD=4\n",
    "unterminated quotes": "A=\"open\nB=2\nC='open\nD=4\n",
    "text after quote": 'A="x" y\nB=2\nC="p\nq" r\nD=4\n',
    "interpolation": (
        "A=${HOME}\nB=${A}/x\nC=${MISSING:-def}\nD=${EMPTY:-def}\nE=${B:-x}${Z}\n"
        "F='${A}'\nG=\"${A}\"\nH=${A:-${B}}\nI=${}\nJ=${A:}\nK=$A\nBARE\nL=${BARE:-d}\n"
        "A=again\nM=${A}\n"
    ),
    "self reference": "A=${A}1\nA=${A}2\nZ=${Z}${Z}\n",
    "unicode whitespace": "\u00a0A=1\n\u3000B = 2\nC=\u00a0x\u00a0\n\x0bD=4\nE=5\x0b\n\u2028F=6\n",
    "not newlines": "A=1\x0bB=2\nC=1\x1cD=2\nE=1\x85F=2\nG=1\u2028H=2\n",
    "errors and recovery": "=1\nA B\n\"\nexport =1\n'\nB=ok\n\\\nC=ok\n",
    "odd keys": "A$B=1\nA.B=2\nA-B=3\n9=4\nÜ=5\nA\x00B=6\n{X}=7\n",
    "nul": "A=x\x00y\n\x00\nB=\x00\n",
    "whitespace only tail": "A=1\n   \n\t",
    "no final newline": 'A=1\nB="x"',
    "no final newline after error": 'A=1\nB="x',
    "equals in values": "A=a=b\nB==\nC= = \n",
    "empty values": "A=\nB= \nC=''\nD=\"\"\nE=\t\n",
    "bom only": "\ufeff",
    "bom comment": "\ufeff# c\nA=1\n",
    "backslashes": "A=\\\nB=a\\b\nC='\\'\nD=\"\\\"\nE=2\n",
}


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
@pytest.mark.parametrize("name", sorted(TRICKY_FILES))
def test_tricky_files_read_as_python_dotenv_reads_them(
    tmp_path: Path, name: str, newline: str
) -> None:
    path = tmp_path / "tricky.env"
    path.write_bytes(TRICKY_FILES[name].replace("\n", newline).encode("utf-8"))
    assert_same_as_python_dotenv(path)


def test_mixed_newlines(tmp_path: Path) -> None:
    path = tmp_path / "mixed.env"
    path.write_bytes(b'A=1\r\nB="x\ry"\rC=3\n\r\nD=4\r\r\nE=${A}\r')
    assert_same_as_python_dotenv(path)
    assert last_wins(read_dotenv(path, "m.env").entries)["B"] == "x\ny"


def seeded_files(count: int, seed: int) -> Iterator[bytes]:
    generator = random.Random(seed)
    for _ in range(count):
        lines = [make_line(generator.choice) for _ in range(generator.randint(0, 40))]
        if generator.random() < 0.2:
            yield "".join(line + generator.choice(NEWLINES) for line in lines).encode()
        else:
            yield join_lines(
                lines,
                generator.choice(NEWLINES),
                final_newline=generator.random() < 0.8,
                bom=generator.random() < 0.05,
            )


def test_seeded_files_read_as_python_dotenv_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "seeded.env"
    for data in seeded_files(400, seed=20240601):
        path.write_bytes(data)
        assert_same_as_python_dotenv(path)


HYPOTHESIS_SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@HYPOTHESIS_SETTINGS
@given(data=dotenv_files())
def test_generated_files_read_as_python_dotenv_reads_them(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "generated.env"
    path.write_bytes(data)
    assert_same_as_python_dotenv(path)


@HYPOTHESIS_SETTINGS
@given(text=st.text(alphabet=FUZZ_ALPHABET, max_size=60))
def test_fuzzed_files_read_as_python_dotenv_reads_them(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzzed.env"
    path.write_bytes(text.encode("utf-8"))
    assert_same_as_python_dotenv(path)


def test_the_patterns_match_the_same_without_possessive_repeats() -> None:
    """What Python 3.10 (which has no possessive repeats or atomic groups) compiles."""
    plain = {
        pattern: re.compile(dotenv_source.without_possessive(pattern.pattern), pattern.flags)
        for pattern in (dotenv_source._SIMPLE_LINE, dotenv_source._QUOTED)
    }
    assert all("*+" not in p.pattern and "(?>" not in p.pattern for p in plain.values())
    assert dotenv_source._SIMPLE_LINE.pattern.count("*+") > 5
    texts = [*TRICKY_FILES.values()]
    texts += [data.decode("utf-8") for data in seeded_files(1_000, seed=7)]
    texts += ["".join(random.Random(n).choices(FUZZ_ALPHABET, k=80)) for n in range(3_000)]
    for text in texts:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        line = dotenv_source._SIMPLE_LINE
        assert line.findall(text) == plain[line].findall(text), text
        quoted = dotenv_source._QUOTED
        for start in [0, *(index + 1 for index, char in enumerate(text) if char == "\n")]:
            ours, theirs = quoted.match(text, start), plain[quoted].match(text, start)
            assert (ours and ours.groups()) == (theirs and theirs.groups()), text


def test_parse_dotenv_matches_read_dotenv_on_untranslated_newlines() -> None:
    text = 'A=1\r\nB="x\r\ny"\rC=${A}\r'
    parsed = parse_dotenv(text, "t.env")
    assert [(e.key, e.value, e.origin.line) for e in parsed.entries] == [
        ("A", "1", 1),
        ("B", "x\ny", 2),
        ("C", "1", 4),
    ]


# -- python-dotenv's private API, which the slow path and the error details rely on --------


def test_python_dotenv_private_api_shape_still_holds() -> None:
    parser = dotenv.parser
    assert callable(parser.parse_stream)
    assert parser.Binding._fields == ("key", "value", "original", "error")
    assert "line" in parser.Original._fields
    assert "string" in parser.Original._fields
    assert list(inspect.signature(parser.Reader).parameters) == ["stream"]
    assert list(inspect.signature(parser.parse_binding).parameters) == ["reader"]
    assert list(inspect.signature(parser.Position).parameters) == ["chars", "line"]
    reader = parser.Reader(io.StringIO("A=1\nB=2\n"))
    assert reader.position.chars == 0
    assert reader.position.line == 1
    reader.position = parser.Position(4, 2)
    binding = parser.parse_binding(reader)
    assert (binding.key, binding.value, binding.error) == ("B", "2", False)
    assert (reader.position.chars, reader.position.line) == (8, 3)
    # Replayed by the error details, so they must exist and be patterns.
    for name in (
        "_multiline_whitespace", "_export", "_single_quoted_key", "_unquoted_key",
        "_whitespace", "_equal_sign", "_single_quoted_value", "_double_quoted_value",
        "_unquoted_value", "_comment", "_end_of_line",
    ):  # fmt: skip
        assert isinstance(getattr(parser, name), re.Pattern), name
    assert parser._multiline_whitespace.pattern == dotenv_source._LEADING_WHITESPACE.pattern
    # The fast path strips comments from unquoted values with a copy of this pattern.
    assert dotenv_source._INLINE_COMMENT.pattern == r"\s+#.*"
    assert r're.sub(r"\s+#.*", "", part).rstrip()' in inspect.getsource(parser.parse_unquoted_value)


def test_copied_quoted_value_patterns_and_escapes_are_python_dotenvs() -> None:
    quoted = dotenv_source._QUOTED.pattern
    parser = dotenv.parser
    for value, group in ((parser._double_quoted_value, "dq"), (parser._single_quoted_value, "sq")):
        # Their pattern, with its group named, inside our atomic group.
        assert value.pattern.replace("(", f"(?P<{group}>", 1) in quoted
    ours = (dotenv_source._DOUBLE_QUOTE_ESCAPES, dotenv_source._SINGLE_QUOTE_ESCAPES)
    theirs = (parser._double_quote_escapes, parser._single_quote_escapes)
    assert [pattern.pattern for pattern in ours] == [pattern.pattern for pattern in theirs]
    escapes = ["\\" + char for char in "\\'\"abfnrtv"]
    assert all(dotenv_source._DOUBLE_QUOTE_ESCAPES.fullmatch(escape) for escape in escapes)
    assert {e: codecs.decode(e, "unicode-escape") for e in escapes} == dotenv_source._ESCAPED


def test_copied_variable_pattern_is_python_dotenvs() -> None:
    theirs = dotenv.variables._posix_variable
    ours = dotenv_source._VARIABLE
    assert (ours.pattern, ours.flags) == (theirs.pattern, theirs.flags)


def test_simple_files_do_not_import_python_dotenv() -> None:
    code = (
        "import sys\n"
        "from driftcheck.sources.dotenv import parse_dotenv\n"
        "text = '# c\\nA=1\\nexport B = two words\\nC=\"q\"\\nD=\\'s\\'\\nE=${A}\\nF\\n\\n'\n"
        "parsed = parse_dotenv(text, 'x.env')\n"
        "assert len(parsed.entries) == 6, parsed\n"
        "assert 'dotenv' not in sys.modules, 'python-dotenv imported'\n"
        "parsed = parse_dotenv('A=\"multi\\nline\"\\nB=\\'x\\n\\ny\\'\\n', 'x.env')\n"
        "assert [e.value for e in parsed.entries] == ['multi\\nline', 'x\\n\\ny']\n"
        "assert 'dotenv' not in sys.modules, 'python-dotenv imported for multi-line values'\n"
        "parsed = parse_dotenv('A=\"t\\\\tq\\\\\"\"\\nB=\\'\\\\\\'s\\'\\n', 'x.env')\n"
        "assert [e.value for e in parsed.entries] == ['t\\tq\"', \"'s\"], parsed.entries\n"
        "assert 'dotenv' not in sys.modules, 'python-dotenv imported for escapes'\n"
        "parse_dotenv('A B=1\\n', 'x.env')\n"
        "assert 'dotenv.parser' in sys.modules\n"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)


# -- values and lines -----------------------------------------------------------------------


def test_entries_keep_duplicates_in_file_order_with_key_lines() -> None:
    text = "A=1\n\n\nB\n# c\nA='two'\nC=\"x\ny\"\n\n  D=${A}\n"
    parsed = parse_dotenv(text, "d.env")
    assert [(e.key, e.value, str(e.origin)) for e in parsed.entries] == [
        ("A", "1", "d.env:1"),
        ("B", None, "d.env:4"),
        ("A", "two", "d.env:6"),
        ("C", "x\ny", "d.env:7"),
        ("D", "two", "d.env:10"),
    ]
    assert parsed.issues == []


def test_interpolation_prefers_file_values_and_bare_keys_resolve_empty() -> None:
    text = "A=${A}\nB=${HOME}\nHOME=file\nC=${HOME}\nN\nD=${N:-default}\nE=${Q:-d}\nF=${U}\n"
    environ: dict[str, str | None] = {"A": "envA", "HOME": "/h", "U": None}
    values = last_wins(parse_dotenv(text, "i.env", environ=environ).entries)
    assert values == {
        "A": "envA",
        "B": "/h",
        "HOME": "file",
        "C": "file",
        "N": None,
        "D": "",
        "E": "d",
        "F": "",
    }


def test_interpolation_without_environ_uses_an_empty_environment() -> None:
    with mock.patch.dict(os.environ, {"DRIFTCHECK_TEST_VAR": "set"}):
        parsed = parse_dotenv("A=${DRIFTCHECK_TEST_VAR:-unset}\n", "e.env")
    assert parsed.entries[0].value == "unset"


def test_no_interpolation_keeps_raw_values() -> None:
    parsed = parse_dotenv("A=1\nB=${A}\nC='${A:-x}'\n", "r.env", interpolate=False)
    assert [e.value for e in parsed.entries] == ["1", "${A}", "${A:-x}"]


class CountingMapping(Mapping[str, str | None]):
    def __init__(self, data: dict[str, str | None]) -> None:
        self._data = data
        self.accesses = 0

    def __getitem__(self, key: str) -> str | None:
        self.accesses += 1
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        self.accesses += len(self._data)
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


def test_interpolation_is_linear() -> None:
    # python-dotenv builds {**os.environ, **values_so_far} for every value: with 100,000
    # keys that is 5e9 dict insertions (minutes). Each key here refers to the one before.
    count = 100_000
    lines = ["K0=v"] + [f"K{i}=${{K{i - 1}}}" for i in range(1, count)]
    parsed = parse_dotenv("\n".join(lines), "chain.env")
    assert len(parsed.entries) == count
    assert all(entry.value == "v" for entry in parsed.entries)

    environ = CountingMapping({f"E{i}": str(i) for i in range(1_000)})
    text = "".join(f"V{i}=${{E{i % 1_000}}}/${{NOWHERE:-d}}\n" for i in range(20_000))
    parsed = parse_dotenv(text, "env.env", environ=environ)
    assert [entry.value for entry in parsed.entries] == [f"{i % 1_000}/d" for i in range(20_000)]
    # The environment is read once, not once per value (that would be 20,000,000 reads).
    assert environ.accesses <= 2 * len(environ)


# -- issues ---------------------------------------------------------------------------------


def test_unparsable_line_is_an_issue_and_the_rest_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bad.env"
    path.write_text(f"A=1\nB=\"{CANARY}\nC=3\nD='{CANARY}' trailing\nE=5\n", encoding="utf-8")
    parsed = read_dotenv(path, "bad.env")
    assert [(e.key, e.value) for e in parsed.entries] == [("A", "1"), ("C", "3"), ("E", "5")]
    assert [(i.kind, str(i.origin)) for i in parsed.issues] == [
        ("unparsable-line", "bad.env:2"),
        ("unparsable-line", "bad.env:4"),
    ]
    assert parsed.issues[0].detail.startswith("unterminated double-quoted value")
    assert parsed.issues[1].detail == "text after the closing quote"
    for issue in parsed.issues:
        assert CANARY not in repr(issue)
    assert CANARY not in repr(parsed)


@pytest.mark.parametrize(
    ("text", "line", "detail"),
    [
        ('A="x\n', 1, "unterminated double-quoted value"),
        ("A='x\n", 1, "unterminated single-quoted value"),
        ('A="x" y\n', 1, "text after the closing quote"),
        ("\nA='x\ny' z\n", 2, "text after the closing quote on line 3"),
        ("A B\n", 1, "line does not parse as KEY=value"),
        ("'A' B=1\n", 1, "line does not parse as KEY=value"),
        ("=1\n", 1, "no key before '='"),
        ("export =1\n", 1, "'export' is followed by '=' instead of a key"),
        ("export \n", 1, "'export' is not followed by a key"),
        ("''=1\n", 1, "empty single-quoted key"),
        ("'A=1\n", 1, "unterminated single-quoted key"),
    ],
)
def test_unparsable_line_details(text: str, line: int, detail: str) -> None:
    (issue,) = parse_dotenv(text, "x.env").issues
    assert issue.kind == "unparsable-line"
    assert issue.origin.line == line
    assert issue.detail.startswith(detail)


def test_byte_order_mark_is_kept_in_the_first_key_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "bom.env"
    path.write_bytes(b"\xef\xbb\xbfFIRST=1\nSECOND=2\n")
    parsed = read_dotenv(path, "bom.env")
    first = "\ufeffFIRST" if DOTENV_KEEPS_BOM else "FIRST"
    detail = BYTE_ORDER_MARK_DETAIL if DOTENV_KEEPS_BOM else BYTE_ORDER_MARK_SKIPPED_DETAIL
    assert [e.key for e in parsed.entries] == [first, "SECOND"]
    assert [(i.kind, str(i.origin), i.detail) for i in parsed.issues] == [
        ("byte-order-mark", "bom.env:1", detail)
    ]
    assert_same_as_python_dotenv(path)


def test_nul_bytes_are_read_as_python_dotenv_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "nul.env"
    path.write_bytes(b"A=x\x00y\n\x00\nB\x00C=1\nD='\x00'\n")
    parsed = read_dotenv(path, "nul.env")
    assert last_wins(parsed.entries)["A"] == "x\x00y"
    assert_same_as_python_dotenv(path)


def test_long_lines(tmp_path: Path) -> None:
    path = tmp_path / "long.env"
    long = "x" * 300_000
    path.write_text(f"A={long}\nB=\"{long}\"\nC='{long}\n{long}'\nD=1\n", encoding="utf-8")
    parsed = read_dotenv(path, "long.env")
    assert [len(e.value or "") for e in parsed.entries] == [300_000, 300_000, 600_001, 1]
    assert parsed.entries[-1].origin.line == 5
    assert_same_as_python_dotenv(path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.env"
    path.write_bytes(b"")
    parsed = read_dotenv(path, "empty.env")
    assert (parsed.entries, parsed.issues) == ([], [])
    assert_same_as_python_dotenv(path)


# -- errors ---------------------------------------------------------------------------------


def read_error(path: Path) -> DriftcheckError:
    with pytest.raises(DriftcheckError) as caught:
        read_dotenv(path, "shown.env")
    error = caught.value
    assert error.path == "shown.env"
    return error


def test_missing_file(tmp_path: Path) -> None:
    error = read_error(tmp_path / "absent.env")
    assert error.message == "cannot read: no such file"
    assert str(error) == "shown.env: cannot read: no such file"


def test_dangling_symlink(tmp_path: Path) -> None:
    link = tmp_path / "dangling.env"
    link.symlink_to(tmp_path / "absent.env")
    assert read_error(link).message.startswith("cannot read: no such file")


def test_directory(tmp_path: Path) -> None:
    assert read_error(tmp_path).message == "is a directory, expected a file"


def test_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "a.env").symlink_to(tmp_path / "b.env")
    (tmp_path / "b.env").symlink_to(tmp_path / "a.env")
    assert read_error(tmp_path / "a.env").message == (
        "cannot read: too many levels of symbolic links"
    )


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads files whatever the mode"
)
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.env"
    path.write_text("A=1\n", encoding="utf-8")
    path.chmod(0)
    try:
        assert read_error(path).message == "cannot read: permission denied"
    finally:
        path.chmod(0o600)


def test_permission_denied_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Runs as root too, where chmod 000 does not stop a read: the refusal is simulated.
    path = tmp_path / "secret.env"
    path.write_text("A=1\n", encoding="utf-8")

    def refuse(file: object, mode: str = "r") -> io.BufferedReader:
        raise PermissionError(errno.EACCES, "Permission denied", str(file))

    monkeypatch.setattr(textfile, "open", refuse, raising=False)
    assert read_error(path).message == "cannot read: permission denied"


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="needs /dev/null")
def test_device_is_not_read() -> None:
    assert read_error(Path("/dev/null")).message == "is not a regular file"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_read_as_python_dotenv_reads_it(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.env"
    os.mkfifo(fifo)

    def write() -> None:
        with open(fifo, "wb") as stream:
            stream.write(b"A=1\nB='2'\n")

    writer = threading.Thread(target=write)
    writer.start()
    try:
        parsed = read_dotenv(fifo, "fifo.env")
    finally:
        writer.join(timeout=10)
    assert [(e.key, e.value) for e in parsed.entries] == [("A", "1"), ("B", "2")]


def test_invalid_utf8_names_line_and_column_but_not_the_text(tmp_path: Path) -> None:
    path = tmp_path / "latin1.env"
    path.write_bytes(b"A=1\n# caf\xc3\xa9\nB=" + CANARY.encode() + b"\xff rest\nC=3\n")
    error = read_error(path)
    column = len("B=" + CANARY) + 1
    assert error.message == f"invalid UTF-8 (byte 0xFF at column {column})"
    assert error.line == 3
    assert CANARY not in str(error)
    assert CANARY not in repr(error)
    assert error.__cause__ is None
    assert error.__context__ is None


def test_invalid_utf8_counts_lines_as_python_dotenv_sees_them(tmp_path: Path) -> None:
    path = tmp_path / "cr.env"
    path.write_bytes(b"A=1\rB=2\r\nC=\xe9\n")
    error = read_error(path)
    assert error.line == 3
    assert error.message == "invalid UTF-8 (byte 0xE9 at column 3)"


def test_utf16_file_gets_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "utf16.env"
    path.write_bytes("A=1\n".encode("utf-16"))
    error = read_error(path)
    assert error.line == 1
    assert "UTF-16" in error.message


def test_fast_path_records_have_every_field_of_entry() -> None:
    # The fast path builds Entry tuples directly; a field added to Entry must be added there.
    from driftcheck.values import Entry, Origin

    (entry,) = parse_dotenv("KEY=value\n", "f.env").entries
    assert len(entry) == len(Entry._fields)
    assert entry == Entry("KEY", "value", Origin("f.env", 1))
    assert not entry.present or entry.reference is None
