"""Reading driftcheck's own TOML files strictly: every key known, every type checked.

``tomllib`` gives no positions for parsed keys, so :class:`TomlLines` finds the line of a
dotted key by scanning the text for its table header and assignment. Errors then name the
file, the line and the key, which is what a user needs to fix a typo.

A large project has hundreds of schema files, and ``tomllib`` plus that scan cost about
15 ms for a schema of 200 keys. Most schema files use a small part of TOML: table headers,
``key = value`` lines with strings, numbers, booleans and one-line arrays of those, and
comments. :func:`parse_simple_toml` reads that part in one pass, with the lines, and
gives up (returns None) on anything else, valid or not, so that ``tomllib`` decides
every file it is not certain about, and reports its errors. Lines are found only when an
error or a finding needs them. ``tests/test_tomlfile.py`` checks on generated files that
whatever it accepts, ``tomllib`` reads to the same data.

The schemas of a large project share most of their tables word for word, so
:func:`split_tables` and :func:`parse_simple_table` let a reader take a file table by
table and read each distinct table once (``driftcheck.schema`` does); the same tests check
that a text read so reads as it does whole.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from driftcheck.errors import DriftcheckError, DriftcheckErrors
from driftcheck.sources.textfile import read_text

if sys.version_info >= (3, 11):
    import tomllib as tomllib  # re-exported: one place decides tomllib or tomli
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

T = TypeVar("T")
D = TypeVar("D")

_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_END_OF_DOCUMENT = re.compile(r"\s*\(at end of document\)\s*$")
_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_ASSIGNMENT = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.\- "']+?)\s*=""")


def _split_dotted(text: str) -> tuple[str, ...]:
    if '"' not in text and "'" not in text:
        return tuple(text.replace(".", " ").split())  # what the pattern below finds, faster
    parts = re.findall(r'"([^"]*)"|\'([^\']*)\'|([^.\s]+)', text)
    return tuple(next(part for part in groups if part) if any(groups) else "" for groups in parts)


class TomlLines:
    """Line numbers of tables and keys in one TOML file (best effort, 1-based)."""

    def __init__(self, text: str) -> None:
        self._keys: dict[tuple[str, ...], int] = {}
        table: tuple[str, ...] = ()
        for number, line in enumerate(text.split("\n"), start=1):
            if "=" not in line and "[" not in line:
                continue  # neither a header nor an assignment (the patterns need one)
            header = _HEADER.match(line)
            if header:
                table = _split_dotted(header.group(1))
                # [a.b.c] also opens a and a.b, which may be where a typo is.
                for depth in range(1, len(table) + 1):
                    self._keys.setdefault(table[:depth], number)
                continue
            assignment = _ASSIGNMENT.match(line)
            if assignment:
                key = table + _split_dotted(assignment.group(1))
                for depth in range(len(table) + 1, len(key) + 1):
                    self._keys.setdefault(key[:depth], number)

    def line_of(self, path: tuple[str, ...]) -> int | None:
        """The line of the key at ``path``, or of its nearest enclosing table."""
        for depth in range(len(path), 0, -1):
            line = self._keys.get(path[:depth])
            if line is not None:
                return line
        return None


_BARE_KEY = re.compile(r"[A-Za-z0-9_\-]+")


class LazyLines:
    """The :class:`TomlLines` of a file, found when first asked for.

    Without the text, the file is read again then: a schema keeps no copy of its text for
    the few keys a finding will point at. The line of a table ``[a.b]`` is looked for
    directly at first (a finding or two per file is the common case); indexing every line
    waits until a file is asked about more often.
    """

    #: Direct look-ups of a file before its lines are indexed.
    DIRECT_LOOKUPS = 16

    def __init__(self, text: str | None = None, path: Path | None = None) -> None:
        self._text = text
        self._path = path
        self._lines: TomlLines | None = None
        self._direct = 0

    def line_of(self, key_path: tuple[str, ...]) -> int | None:
        if self._lines is None:
            text = self._read()
            if self._direct < self.DIRECT_LOOKUPS:
                self._direct += 1
                line = table_header_line(text, key_path)
                if line is not None:
                    return line
            self._lines = TomlLines(text)
            self._text = None
        return self._lines.line_of(key_path)

    def _read(self) -> str:
        if self._text is None:
            text = ""
            if self._path is not None:
                with contextlib.suppress(OSError):
                    text = self._path.read_text(encoding="utf-8", errors="replace")
            self._text = text
        return self._text


def table_header_line(text: str, key_path: tuple[str, ...]) -> int | None:
    """The line :class:`TomlLines` gives ``(a, b)`` when that is plainly a table header:
    the first line that names ``b`` as a key or table is ``[a.b]``. Else None (ask
    TomlLines).

    Only a line that names ``b`` in a header or before an assignment's ``=`` can be where
    TomlLines finds ``(a, b)``; lines naming it elsewhere (in a value, a comment) are
    passed over. A header is a line starting with ``[``, unless inside a multi-line
    string, which a text without triple quotes has none of.
    """
    if len(key_path) != 2 or '"""' in text or "'''" in text:
        return None
    table, name = key_path
    if not (_BARE_KEY.fullmatch(table) and _BARE_KEY.fullmatch(name)):
        return None
    word = re.compile(rf"(?<![A-Za-z0-9_\-]){re.escape(name)}(?![A-Za-z0-9_\-])")
    for mention in word.finditer(text):
        start = text.rfind("\n", 0, mention.start()) + 1
        end = text.find("\n", mention.end())
        line = text[start : len(text) if end < 0 else end]
        header = _HEADER.match(line)
        if header is not None:
            if line.lstrip().startswith("[[") or _split_dotted(header[1]) != key_path:
                return None
            return text.count("\n", 0, start) + 1
        assignment = _ASSIGNMENT.match(line)
        if assignment is not None and name in _split_dotted(assignment[1]):
            return None
    return None


class TomlFile:
    """A parsed TOML file with its display path and line finder.

    ``problems`` collects the errors that do not stop reading (unknown keys), so that a
    user sees every typo of a file in one run. The lines are found only when asked for
    (an error, a finding pointing into the file): most files of a large project never are.
    """

    def __init__(self, data: dict[str, Any], display_path: str, text: str, path: Path) -> None:
        self.data = data
        self.display_path = display_path
        self.path = path
        self.problems: list[DriftcheckError] = []
        self.lines = LazyLines(text)

    def raise_problems(self) -> None:
        if len(self.problems) == 1:
            raise self.problems[0]
        if self.problems:
            raise DriftcheckErrors(self.problems)

    def error(self, path: tuple[str, ...], message: str) -> DriftcheckError:
        return DriftcheckError(message, path=self.display_path, line=self.lines.line_of(path))


def load_toml(path: Path, display_path: str) -> TomlFile:
    """Read and parse a TOML file, turning every failure into a one-line DriftcheckError."""
    return parse_toml(read_text(path, display_path), display_path, path)


def parse_toml(text: str, display_path: str, path: Path) -> TomlFile:
    """Parse the text of the TOML file at ``path``, as :func:`load_toml` does."""
    if text.startswith("\ufeff"):
        raise DriftcheckError("file starts with a UTF-8 byte-order mark", display_path, 1)
    simple = parse_simple_toml(text)
    if simple is not None:
        return TomlFile(simple, display_path, text, path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        position = _TOML_POSITION.search(message)
        line = column = None
        if position:
            line, column = int(position.group(1)), int(position.group(2))
            message = message[: position.start()]
        else:
            end = _TOML_END_OF_DOCUMENT.search(message)
            if end:
                line = text.count("\n") + 1
                message = message[: end.start()] + " at end of file"
        raise DriftcheckError(
            f"invalid TOML: {message[:1].lower()}{message[1:]}", display_path, line, column
        ) from None
    return TomlFile(data, display_path, text, path)


# The subset parse_simple_toml reads. Each pattern only matches text that TOML reads the
# way the code below takes it; where it fails, the rest of the line is left over and the
# file goes to tomllib. Only spaces and tabs are whitespace in TOML; comments and strings
# must not hold control characters other than tab.
_KEY = r"""[A-Za-z0-9_-]+|"[^"\\\x00-\x1f\x7f\]]*"|'[^'\x00-\x1f\x7f\]]*'"""
# Unrolled ("normal* (special normal*)*"): a class per character, not an alternation.
_BASIC_STRING = (
    r'"[^"\\\x00-\x08\x0a-\x1f\x7f]*'
    r'(?:\\(?:[btnfr"\\]|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})[^"\\\x00-\x08\x0a-\x1f\x7f]*)*"'
)
_LITERAL_STRING = r"""'[^'\x00-\x08\x0a-\x1f\x7f]*'"""
_NUMBER = r"[+-]?(?:0|[1-9](?:_?[0-9])*)(?:\.[0-9](?:_?[0-9])*)?(?:[eE][+-]?[0-9](?:_?[0-9])*)?"
_SCALAR = f"{_BASIC_STRING}|{_LITERAL_STRING}|true|false|{_NUMBER}"
_ARRAY = rf"\[[ \t]*(?:(?:{_SCALAR})[ \t]*(?:,[ \t]*(?:{_SCALAR})[ \t]*)*(?:,[ \t]*)?)?\]"
_SIMPLE_TOML_LINE = re.compile(
    rf"""^[ \t]*(?:
        \[[ \t]*((?:{_KEY})(?:[ \t]*\.[ \t]*(?:{_KEY}))*)[ \t]*\]
      | ({_KEY})[ \t]*=[ \t]*({_SCALAR}|{_ARRAY})
    )?[ \t]*(?:\#[^\x00-\x08\x0a-\x1f\x7f]*)?(.*)$""",
    re.MULTILINE | re.VERBOSE,
)
_KEY_PART = re.compile(r"""([A-Za-z0-9_-]+)|"([^"]*)"|'([^']*)'""")
_ARRAY_ITEM = re.compile(f"({_BASIC_STRING})|({_LITERAL_STRING})|(true|false)|({_NUMBER})")
_ESCAPE = re.compile(r"\\(?:([btnfr\"\\])|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))")
_ESCAPED = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


class _NotSimple(Exception):
    """The text is outside the subset that parse_simple_toml reads."""


def _unescape(match: re.Match[str]) -> str:
    simple, short, long = match.groups()
    if simple is not None:
        return _ESCAPED[simple]
    code = int(short or long, 16)
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        raise _NotSimple  # not a Unicode scalar value: tomllib says what is wrong
    return chr(code)


def _scalar(text: str) -> Any:
    first = text[0]
    if first == '"':
        body = text[1:-1]
        return _ESCAPE.sub(_unescape, body) if "\\" in body else body
    if first == "'":
        return text[1:-1]
    if text == "true":
        return True
    if text == "false":
        return False
    number = text.replace("_", "")
    if "." in number or "e" in number or "E" in number:
        return float(number)
    return int(number)


def _key_parts(text: str) -> tuple[str, ...]:
    """The parts of a dotted key that _SIMPLE_TOML_LINE matched."""
    if '"' not in text and "'" not in text:
        if " " in text or "\t" in text:
            return tuple(part.strip(" \t") for part in text.split("."))
        return tuple(text.split("."))
    return tuple(bare or basic or literal for bare, basic, literal in _KEY_PART.findall(text))


def parse_simple_toml(text: str) -> dict[str, Any] | None:
    """The data of a TOML text in the common subset, or None (see the module docstring)."""
    parsed = _parse_simple(text)
    return None if parsed is None else parsed[0]


def split_tables(text: str) -> list[str]:
    """The text before its first line that starts with "[", then from each such line on
    to the next, without that line's "[".

    Those lines are table headers in the files :func:`parse_simple_table` reads. A line
    of a multi-line value can start with "[" too, but its value's first line is then in
    an earlier part, which neither reader accepts, so no part is read out of context.
    """
    return ("\n" + text).split("\n[")


def parse_simple_table(part: str) -> tuple[tuple[str, ...], dict[str, Any]] | None:
    """The path and data of one table in the common subset, from a part after the first
    that :func:`split_tables` cut (a header and its assignments), or None.

    Reading a text part by part gives what reading it whole does, when it reads every part
    (the first with :func:`parse_simple_toml`), no path starts another, and no key of the
    first part starts a path: a large project's schemas share most of their tables, and
    a part can then be read once for all of them.
    """
    parsed = _parse_simple("[" + part)
    # Its first line starts with "[", so it is the header (or the part is refused): one
    # header means that every other line is an assignment to the table it opens.
    if parsed is None or len(parsed[1]) != 1:
        return None
    data, (path,) = parsed
    table = data
    for name in path:
        table = table[name]
    return path, table


def _parse_simple(text: str) -> tuple[dict[str, Any], set[tuple[str, ...]]] | None:
    """The data of a text in the common subset and the paths of its table headers."""
    data: dict[str, Any] = {}
    defined: set[tuple[str, ...]] = set()
    table = data
    try:
        for header, key, value, rest in _SIMPLE_TOML_LINE.findall(text):
            if rest:
                return None
            if header:
                path = _key_parts(header)
                if path in defined:
                    return None
                defined.add(path)
                table = data
                for part in path:
                    inner = table.setdefault(part, {})
                    if not isinstance(inner, dict):
                        return None
                    table = inner
            elif key:
                name = key if key[0] not in "\"'" else _key_parts(key)[0]
                if name in table:
                    return None
                if value[0] == "[":
                    table[name] = [_scalar(item.group()) for item in _ARRAY_ITEM.finditer(value)]
                else:
                    table[name] = _scalar(value)
    except _NotSimple:
        return None
    return data, defined


def dotted(path: tuple[str, ...]) -> str:
    return ".".join(part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else f'"{part}"' for part in path)


_TYPE_NAMES: dict[type, str] = {
    str: "a string",
    int: "an integer",
    bool: "true or false",
    list: "an array",
    dict: "a table",
    float: "a number",
}


class Table:
    """One table of a driftcheck file, read key by key; :meth:`finish` rejects the rest."""

    def __init__(self, file: TomlFile, data: dict[str, Any], path: tuple[str, ...]) -> None:
        self.file = file
        self.data = data
        self.path = path
        self._taken: set[str] = set()

    def error(self, message: str, key: str | None = None) -> DriftcheckError:
        where = self.path + ((key,) if key is not None else ())
        return self.file.error(where, message)

    def name(self, key: str) -> str:
        """The dotted name of ``key`` in this table, as a user would write it."""
        return dotted((*self.path, key))

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def has(self, key: str) -> bool:
        return key in self.data

    def keys(self) -> list[str]:
        return list(self.data)

    def raw(self, key: str) -> Any:
        self._taken.add(key)
        return self.data.get(key)

    def get(self, key: str, kind: type[T], default: D) -> T | D:
        """The value of ``key`` checked to be of ``kind``, or ``default`` when absent."""
        self._taken.add(key)
        if key not in self.data:
            return default
        return self.check(key, self.data[key], kind)

    def missing(self, key: str, message: str) -> DriftcheckError:
        """An error for a key that is absent, pointing at a likely misspelling of it."""
        untaken = [name for name in self.data if name not in self._taken and name != key]
        from difflib import get_close_matches  # only where there is an error to explain

        close = get_close_matches(key, untaken, n=1, cutoff=0.7)
        if close:
            return self.error(
                f"{message}; is '{self.name(close[0])}' a misspelling of it?", close[0]
            )
        return self.error(message)

    def check(self, key: str, value: Any, kind: type[T]) -> T:
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return value  # type: ignore[return-value]
        if not ok:
            raise self.error(f"'{self.name(key)}' must be {_TYPE_NAMES[kind]}", key)
        return value  # type: ignore[no-any-return]

    def strings(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        """An array of strings (a lone string is accepted as a one-item array)."""
        value = self.raw(key)
        if value is None:
            return default
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.error(f"'{self.name(key)}' must be an array of strings", key)
        return tuple(value)

    def table(self, key: str) -> Table | None:
        value = self.raw(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.error(f"'{self.name(key)}' must be a table", key)
        return Table(self.file, value, (*self.path, key))

    def subtables(self, key: str) -> list[tuple[str, Table]]:
        outer = self.table(key)
        if outer is None:
            return []
        result = []
        for name in outer:
            inner = outer.table(name)
            assert inner is not None
            result.append((name, inner))
        return result

    def finish(self, known: Iterable[str] = ()) -> None:
        """Reject any key not read: a typo in driftcheck's own files must not pass silently."""
        allowed = self._taken | set(known)
        for key in self.data:
            if key not in allowed:
                from difflib import get_close_matches

                suggestion = get_close_matches(key, sorted(allowed), n=1, cutoff=0.7)
                hint = f"; did you mean '{suggestion[0]}'?" if suggestion else ""
                self.file.problems.append(self.error(f"unknown key '{self.name(key)}'{hint}", key))


def per_environment(
    table: Table,
    key: str,
    kind: type[T],
    environments: Iterable[str],
    convert: Callable[[T], T] | None = None,
) -> dict[str, T]:
    """A value given once for all environments, or as a table keyed by environment."""
    value = table.raw(key)
    if value is None:
        return {}
    names = list(environments)
    if isinstance(value, dict):
        inner = Table(table.file, value, (*table.path, key))
        result: dict[str, T] = {}
        for env in inner:
            if env not in names:
                raise inner.error(
                    f"'{inner.name(env)}' names environment '{env}', "
                    f"which is not one of {', '.join(names)}",
                    env,
                )
            result[env] = inner.check(env, inner.raw(env), kind)
        single = result
    else:
        one = table.check(key, value, kind)
        single = dict.fromkeys(names, one)
    if convert is not None:
        single = {env: convert(item) for env, item in single.items()}
    return single
