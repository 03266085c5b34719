"""``.env`` files, read to mean exactly what python-dotenv 1.2 makes of them, only faster.

A tool that reports drift must see the values the application sees, so python-dotenv's
parser is the reference: quoting, escapes, multi-line values, ``export``, comments and
``${VAR:-default}`` interpolation all follow it, quirks included.

Two changes of method, not of meaning:

* Most lines are plain ``KEY=value``. A precompiled pattern reads those; any line it is not
  certain about goes to python-dotenv's own ``parse_binding``, started at that line. The
  pattern only ever matches lines whose meaning under python-dotenv is the one it gives, and
  ``tests/sources/test_dotenv.py`` checks that against python-dotenv on many generated files.
* Interpolation looks names up in the values read so far and in a snapshot of the
  environment, where python-dotenv copies both into a new dict for every value (quadratic).

Lines are numbered where a binding's key starts. python-dotenv's ``Binding.original.line``
is where its text starts, which includes blank lines before it; the key's line is the one a
reader of a report wants.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from driftcheck.sources.textfile import read_text
from driftcheck.values import Entry, Origin, ParsedSource, SourceIssue

if TYPE_CHECKING:
    from collections.abc import Callable

    from dotenv.parser import Binding, Reader

    _Resolve = Callable[[str, str | None], str | None]

__all__ = [
    "BYTE_ORDER_MARK_DETAIL",
    "BYTE_ORDER_MARK_SKIPPED_DETAIL",
    "parse_dotenv",
    "read_dotenv",
]

BYTE_ORDER_MARK_DETAIL = (
    "file starts with a UTF-8 byte-order mark; "
    "python-dotenv reads the first key with U+FEFF in front of it"
)
BYTE_ORDER_MARK_SKIPPED_DETAIL = (
    "file starts with a UTF-8 byte-order mark; this python-dotenv skips it, but shells "
    "and docker compose's env_file read it as part of the first key"
)


# Every piece is written so that it cannot match differently from python-dotenv, whose
# regexes each run on their own (so never give back what they matched):
# - only spaces and tabs count as blanks here; any other whitespace (python-dotenv's classes
#   are Unicode-wide) makes the line fail and go to python-dotenv's parser;
# - "export " is either taken whole or, by the lookahead, known to be absent: "export =1"
#   must not become the key "export" (python-dotenv rejects it);
# - an unquoted value is the rest of the line, as python-dotenv's ``_unquoted_value`` takes
#   it, and then gets python-dotenv's treatment: comment stripping and rstrip(); one that
#   starts with "#" is left to python-dotenv (1.2.4 reads ``KEY= #x`` as empty, 1.2.2 not);
# - quoted values without backslashes or inner quotes need no escape decoding, and python-
#   dotenv's quoted-value regexes end at the first closing quote for them.
# The pattern is run over the whole text (``findall``, multi-line): it matches every line
# once, as one tuple, so that the loop below never calls into the regex engine per line; a
# line it is not certain about is caught whole by ``other``. Quotes are kept in ``quoted``
# so that an empty quoted value is told apart from no value. Text never holds "\r".
# A key line is tried first, and every repeat is possessive (``*+``): no piece can give
# back what it took and still let the line match, so nothing is lost by not retrying, and
# the engine is spared the backtracking (this pattern reads every line of a project).
def without_possessive(pattern: str) -> str:
    """``pattern`` with its possessive repeats and atomic groups made plain ones.

    Python 3.10 has neither. The patterns here match the same without them (a test
    checks), only slower: each is written so that what follows a repeat or group can never
    match after it gives something back.
    """
    return pattern.replace("*+", "*").replace("++", "+").replace("(?>", "(?:")


def _compile(pattern: str) -> re.Pattern[str]:
    if sys.version_info < (3, 11):
        pattern = without_possessive(pattern)
    return re.compile(pattern, re.VERBOSE | re.MULTILINE)


_SIMPLE_LINE = _compile(
    r"""
    ^[ \t]*+
    (?:
        (?:export[ \t]++|(?!export[ \t]))
        (?P<key>[A-Za-z0-9_][A-Za-z0-9_.\-]*+)
        [ \t]*+
        (?:
            (?P<eq>=)[ \t]*+
            (?:
                (?P<quoted>"[^"\\\n]*+"|'[^'\\\n]*+')[ \t]*+(?:\#.*+)?
              | (?P<raw>[^\s'"\#].*+)?
            )
          | \#.*+
        )?
        $
      | (?:\#.*+)?$
      | (?P<other>.+)$
    )
    """
)

# A quoted value with escapes, or over several lines, from the start of the line where
# the pattern above gave up on it. The atomic group holds python-dotenv's own quoted-value
# regexes, so it takes what ``re.match`` of those takes and, as python-dotenv does, never
# gives any of it back when what follows fails. What may follow the closing quote is what
# the pattern above allows after a one-line quoted value. Tried only at such a line, so
# the lines of the file and the rows of the pattern above stay one to one: the rows of
# the value's other lines are skipped.
_QUOTED = _compile(
    r"""
    [ \t]*
    (?:export[ \t]+|(?!export[ \t]))
    (?P<key>[A-Za-z0-9_][A-Za-z0-9_.\-]*)
    [ \t]*=[ \t]*
    (?>"(?P<dq>(?:\\.|[^"\\])*)"|'(?P<sq>(?:\\.|[^'\\])*)')
    [ \t]*(?:\#[^\n]*)?
    (?=\n|\Z)
    """
)

# python-dotenv's ``_double_quote_escapes`` and ``_single_quote_escapes``, which it decodes
# with the "unicode-escape" codec, one two-character escape at a time.
_DOUBLE_QUOTE_ESCAPES = re.compile(r"\\[\\'\"abfnrtv]")
_SINGLE_QUOTE_ESCAPES = re.compile(r"\\[\\']")
_ESCAPED = {
    "\\\\": "\\",
    "\\'": "'",
    '\\"': '"',
    "\\a": "\a",
    "\\b": "\b",
    "\\f": "\f",
    "\\n": "\n",
    "\\r": "\r",
    "\\t": "\t",
    "\\v": "\v",
}


def _unescape(match: re.Match[str]) -> str:
    return _ESCAPED[match.group()]


def _quoted_binding(match: re.Match[str]) -> tuple[str, str, int]:
    """The key, the decoded value and the line breaks in the text of a :data:`_QUOTED`
    match (lines are counted before decoding: an escaped "\\n" is no line break)."""
    value = match["dq"]
    escapes = _DOUBLE_QUOTE_ESCAPES
    if value is None:
        value = match["sq"]
        escapes = _SINGLE_QUOTE_ESCAPES
    lines = value.count("\n")
    if "\\" in value:
        value = escapes.sub(_unescape, value)
    return match["key"], value, lines


# python-dotenv's own ``dotenv.variables._posix_variable``, copied so that files without a
# quoted or odd line never import python-dotenv; a test checks that the two still agree.
_VARIABLE = re.compile(
    r"""
    \$\{
        (?P<name>[^\}:]*)
        (?::-
            (?P<default>[^\}]*)
        )?
    \}
    """,
    re.VERBOSE,
)

# python-dotenv's ``parse_unquoted_value`` strips comments with this pattern.
_INLINE_COMMENT = re.compile(r"\s+#.*")

# python-dotenv's first step, ``_multiline_whitespace``: where a binding's own text starts.
_LEADING_WHITESPACE = re.compile(r"\s*")

_MISSING = object()

#: One copy of each key name read, shared by every file that sets it (see parse_dotenv).
_NAMES: dict[str, str] = {}
#: Names kept at most, so that a long-running process does not grow without end.
_NAMES_KEPT = 100_000


def parse_dotenv(
    text: str,
    display_path: str,
    *,
    interpolate: bool = True,
    environ: Mapping[str, str | None] | None = None,
) -> ParsedSource:
    """Parse ``.env`` text into entries in file order (duplicates kept) and issues.

    ``text`` is decoded text, as ``open(path, encoding="utf-8")`` returns it; a ``"\\r\\n"``
    or lone ``"\\r"`` left in it is translated to ``"\\n"`` the same way. Values are those
    of python-dotenv's ``dotenv_values``; with ``interpolate``, ``${NAME}`` resolves to the
    value read so far in the file, else to ``environ`` (which stands in for ``os.environ``;
    None means empty). A line python-dotenv cannot parse becomes an ``unparsable-line``
    issue that does not quote it, and the rest of the file is still read.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    result = ParsedSource()
    entries = result.entries
    issues = result.issues
    if text.startswith("\ufeff"):
        detail = BYTE_ORDER_MARK_DETAIL
        if _dotenv_skips_byte_order_mark():
            text = text[1:]
            detail = BYTE_ORDER_MARK_SKIPPED_DETAIL
        issues.append(SourceIssue("byte-order-mark", Origin(display_path, 1), detail))
    # Without "${" anywhere, no value refers to another, and none needs remembering.
    interpolation = _Interpolation(environ) if interpolate and "${" in text else None
    resolve = interpolation.resolve if interpolation is not None else None
    remembered = interpolation.values if interpolation is not None else None
    rows = _SIMPLE_LINE.findall(text)
    # Records are made with tuple.__new__, not through the named tuples' own Python-level
    # __new__: this loop runs once per line of every file. Every field of Entry is given
    # (tests/sources/test_dotenv.py checks the count).
    new = tuple.__new__
    # The same few thousand names recur in every file: one copy of each. A dict of our
    # own, not sys.intern, which costs several times as much per lookup.
    if len(_NAMES) > _NAMES_KEPT:
        _NAMES.clear()
    one_copy = _NAMES.setdefault
    slow: _SlowPath | None = None
    resume = 0  # the index of the next row to read; rows before it were read slowly
    # The offset of the start of some line, advanced only when the slow path needs one.
    known_index = known_offset = 0
    for index, (key, equals, quoted, raw, other) in enumerate(rows):
        if index < resume:
            continue
        value: str | None
        if key:
            if quoted:
                value = quoted[1:-1]
            elif raw:
                if "#" in raw:
                    raw = _INLINE_COMMENT.sub("", raw)
                value = raw.rstrip()
            else:
                value = "" if equals else None
        elif other:
            while known_index < index:
                known_offset = text.index("\n", known_offset) + 1
                known_index += 1
            match = _QUOTED.match(text, known_offset)
            if match is None:
                if slow is None:
                    slow = _SlowPath(text)
                offset, line_number = slow.read_bindings(
                    known_offset, index + 1, display_path, resolve, result
                )
                if offset >= len(text):
                    break
                resume = known_index = line_number - 1
                known_offset = offset
                continue
            key, value, lines = _quoted_binding(match)
            # Go on at the line after the closing quote.
            resume = known_index = index + 1 + lines
            known_offset = match.end() + 1
        else:
            continue  # a blank or comment line
        if remembered is not None:
            # interpolation.resolve, inlined: most values have no variable.
            if value and "${" in value:
                value = _VARIABLE.sub(interpolation.substitute, value)  # type: ignore[union-attr]
            remembered[key] = value
        origin = new(Origin, (display_path, index + 1))
        entries.append(new(Entry, (one_copy(key, key), value, origin, False, False, None, False)))
    return result


def read_dotenv(
    path: Path,
    display_path: str,
    *,
    interpolate: bool = True,
    environ: Mapping[str, str | None] | None = None,
) -> ParsedSource:
    """Read and parse a ``.env`` file as ``dotenv_values(path)`` would (see :func:`parse_dotenv`).

    Unlike python-dotenv, which reads a missing file as empty, a file that cannot be read
    or is not UTF-8 raises :class:`DriftcheckError` naming ``display_path``.
    """
    text = read_text(path, display_path, universal_newlines=True)
    return parse_dotenv(text, display_path, interpolate=interpolate, environ=environ)


def _dotenv_skips_byte_order_mark() -> bool:
    """Whether the installed python-dotenv drops a leading U+FEFF (1.2.4 does, 1.2.2 not)."""
    import dotenv.parser

    return dotenv.parser.Reader(io.StringIO("\ufeff")).string == ""


class _Interpolation:
    """python-dotenv's ``resolve_variables(values, override=True)``, in linear time.

    Its lookup table is ``{**os.environ, **values_so_far}``, rebuilt for each value; here
    the file's values are looked up first and then a snapshot of the environment.
    """

    __slots__ = ("_environ", "_snapshot", "values")

    def __init__(self, environ: Mapping[str, str | None] | None) -> None:
        self._environ = environ
        self._snapshot: dict[str, str | None] | None = None
        #: The values read so far in the file, by key.
        self.values: dict[str, str | None] = {}

    def resolve(self, key: str, value: str | None) -> str | None:
        # A value without "${" has no variable, and python-dotenv returns it unchanged.
        if value and "${" in value:
            value = _VARIABLE.sub(self.substitute, value)
        self.values[key] = value
        return value

    def substitute(self, match: re.Match[str]) -> str:
        """The replacement of one ``${NAME}`` or ``${NAME:-default}``."""
        name = match.group("name")
        found = self.values.get(name, _MISSING)
        if found is _MISSING:
            if self._snapshot is None:
                # Taken once and as a dict, as python-dotenv's copy is: lookups are then
                # case-sensitive even where os.environ itself is not (Windows).
                self._snapshot = dict(self._environ) if self._environ is not None else {}
            found = self._snapshot.get(name, _MISSING)
        if found is _MISSING:
            default: str | None = match.group("default")
            return default if default is not None else ""
        # A key bound to None (a bare "KEY" line) resolves to "", and its default is not used.
        return found if isinstance(found, str) else ""


class _SlowPath:
    """python-dotenv's own parser, run from a given line for the lines the pattern refuses."""

    __slots__ = ("_parse_binding", "_position", "_reader", "_text")

    def __init__(self, text: str) -> None:
        # Imported here: python-dotenv's package import costs ~10 ms, and most files never
        # need it.
        import dotenv.parser

        self._parse_binding = dotenv.parser.parse_binding
        self._position = dotenv.parser.Position
        self._reader: Reader = dotenv.parser.Reader(io.StringIO(text))
        # Offsets into the reader's string must be offsets into ``text``, whatever the
        # installed version does to what it reads (1.2.4 drops a byte-order mark).
        self._reader.string = text
        self._text = text

    def read_bindings(
        self,
        offset: int,
        line: int,
        display_path: str,
        resolve: _Resolve | None,
        result: ParsedSource,
    ) -> tuple[int, int]:
        """Parse bindings from ``offset`` (the start of line ``line``) until a line starts.

        Returns the offset and number of that line, or an offset at the end of the text.
        """
        text = self._text
        reader = self._reader
        reader.position = self._position(offset, line)
        while True:
            binding = self._parse_binding(reader)
            self._record(binding, offset, line, display_path, resolve, result)
            offset = reader.position.chars
            line = reader.position.line
            # Every python-dotenv binding ends after a newline; should one ever not, the
            # pattern would be reading mid-binding, so stay with python-dotenv until one does.
            if offset >= len(text) or text[offset - 1] == "\n":
                return offset, line

    def _record(
        self,
        binding: Binding,
        offset: int,
        line: int,
        display_path: str,
        resolve: _Resolve | None,
        result: ParsedSource,
    ) -> None:
        if binding.key is None and not binding.error:
            return
        text = self._text
        start = _match_end(_LEADING_WHITESPACE, text, offset)
        key_line = line + text.count("\n", offset, start)
        origin = Origin(display_path, key_line)
        if binding.error:
            detail = _explain_error(text, start, key_line)
            result.issues.append(SourceIssue("unparsable-line", origin, detail))
            return
        assert binding.key is not None
        value = binding.value
        if resolve is not None:
            value = resolve(binding.key, value)
        result.entries.append(Entry(binding.key, value, origin))


_GENERIC_DETAIL = "line does not parse as KEY=value"


def _explain_error(text: str, start: int, line: int) -> str:
    """Say why python-dotenv rejected the binding whose text starts at ``start``.

    Replays ``parse_binding``'s steps with python-dotenv's own regexes up to the one that
    fails. Only the kind of problem is told, never the text (it may hold a secret).
    """
    from dotenv.parser import (
        _comment,
        _double_quoted_value,
        _end_of_line,
        _equal_sign,
        _export,
        _single_quoted_key,
        _single_quoted_value,
        _unquoted_key,
        _unquoted_value,
        _whitespace,
    )

    position = _match_end(_export, text, start)
    char = text[position : position + 1]
    if char == "'":
        key_match = _single_quoted_key.match(text, position)
        if key_match is None:
            if text.startswith("''", position):
                return "empty single-quoted key"
            return "unterminated single-quoted key (no closing quote in the rest of the file)"
        position = key_match.end()
    else:
        key_match = _unquoted_key.match(text, position)
        if key_match is None:
            if char != "=":
                return "'export' is not followed by a key"
            if position > start:
                # "export =1": python-dotenv takes "export" as the keyword, not as the key.
                return "'export' is followed by '=' instead of a key"
            return "no key before '='"
        position = key_match.end()
    position = _match_end(_whitespace, text, position)
    quote = ""
    if text.startswith("=", position):
        position = _match_end(_equal_sign, text, position)
        char = text[position : position + 1]
        if char in ("'", '"'):
            quote = "single" if char == "'" else "double"
            pattern = _single_quoted_value if char == "'" else _double_quoted_value
            value_match = pattern.match(text, position)
            if value_match is None:
                return (
                    f"unterminated {quote}-quoted value (no closing quote in the rest of the file)"
                )
            position = value_match.end()
        elif char not in ("", "\n"):
            position = _match_end(_unquoted_value, text, position)
    position = _match_end(_comment, text, position)
    if _end_of_line.match(text, position) is not None:
        return _GENERIC_DETAIL
    if not quote:
        return f"{_GENERIC_DETAIL} (unexpected text after the key)"
    end_line = line + text.count("\n", start, position)
    if end_line == line:
        return "text after the closing quote"
    return (
        f"text after the closing quote on line {end_line} (the {quote}-quoted value runs "
        f"from line {line} to line {end_line}, and those lines are not read as bindings)"
    )


def _match_end(pattern: re.Pattern[str], text: str, position: int) -> int:
    match = pattern.match(text, position)
    # Only called with patterns that can match the empty string.
    assert match is not None
    return match.end()
