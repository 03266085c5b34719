"""Values from JSON files, and the positional JSON walker every JSON source reads through.

Two shapes hold values: a flat object ``{"KEY": "value", ...}`` and a driftcheck snapshot
``{"driftcheck_snapshot": 1, "service": ..., "environment": ..., "values": {...}}``.

Python's :mod:`json` gives no positions, and findings must point at a line, so
:func:`parse_json_document` first lets :func:`json.loads` judge the document (its errors, its
meaning) and then walks the same text again to note where each value and key starts.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from driftcheck.errors import DriftcheckError
from driftcheck.sources.textfile import LineIndex, read_text, skip_byte_order_mark
from driftcheck.values import Entry, Origin, ParsedSource

JsonKind = Literal["object", "array", "string", "number", "boolean", "null"]

SNAPSHOT_MARKER = "driftcheck_snapshot"

_KIND_PHRASES: dict[JsonKind, str] = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "number": "a number",
    "boolean": "a boolean",
    "null": "null",
}

# Scalars are decoded by json itself (raw_decode at the scalar's index), so strings, escapes
# and numbers mean exactly what json.loads says they mean.
_DECODER = json.JSONDecoder()
# json's own definition of whitespace (json.decoder.WHITESPACE).
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_INTEGER_LITERAL = re.compile(r"-?(?:0|[1-9][0-9]*)")


@dataclass(frozen=True, slots=True, repr=False)
class JsonNode:
    """One JSON value and where it starts (1-based line and column).

    ``text`` is a scalar as a string: a string's decoded content, or for numbers, booleans
    and null the literal as written (``8000``, ``1e3``, ``true``, ``null``). An object keeps
    every member in document order, duplicate keys included; an array keeps its items.
    """

    kind: JsonKind
    line: int
    column: int
    text: str = ""
    members: tuple[JsonMember, ...] = ()
    items: tuple[JsonNode, ...] = ()

    def __repr__(self) -> str:
        # A scalar may be a secret: say what it is and where, never what it says.
        return f"JsonNode(kind={self.kind!r}, line={self.line}, column={self.column})"

    @property
    def kind_phrase(self) -> str:
        """The kind with its article ("an object", "a string"), for error messages."""
        return _KIND_PHRASES[self.kind]

    @property
    def is_integer(self) -> bool:
        """Whether this is a number written as an integer (no fraction, no exponent)."""
        return self.kind == "number" and _INTEGER_LITERAL.fullmatch(self.text) is not None

    def member(self, key: str) -> JsonMember | None:
        """The last member named ``key`` (the one json.loads keeps), or None."""
        for candidate in reversed(self.members):
            if candidate.key == key:
                return candidate
        return None

    def to_python(self) -> object:
        """The value :func:`json.loads` gives for this node (the last duplicate key wins)."""
        if self.kind == "object":
            return {member.key: member.value.to_python() for member in self.members}
        if self.kind == "array":
            return [item.to_python() for item in self.items]
        if self.kind == "string":
            return self.text
        if self.kind == "boolean":
            return self.text == "true"
        if self.kind == "null":
            return None
        if self.is_integer:
            return int(self.text)
        # Also NaN, Infinity and -Infinity, which json.loads accepts.
        return float(self.text)


@dataclass(frozen=True, slots=True, repr=False)
class JsonMember:
    """One ``"key": value`` of an object; ``line`` and ``column`` are those of the key."""

    key: str
    line: int
    column: int
    value: JsonNode

    def __repr__(self) -> str:
        return f"JsonMember(key={self.key!r}, line={self.line}, value={self.value!r})"


def parse_json_document(text: str, display_path: str) -> JsonNode:
    """Parse a whole JSON document as :func:`json.loads` does, keeping positions.

    Invalid JSON raises :class:`DriftcheckError` with json's own message, line and column
    (never the document text). A byte-order mark is invalid here: callers that accept one
    strip it first.
    """
    if not text.strip(" \t\n\r"):
        raise DriftcheckError("file is empty, expected a JSON document", path=display_path)
    failure = _validate(text, display_path)
    if failure is not None:
        # Raised here, outside any except block, so no JSONDecodeError (whose .doc is the
        # whole document) stays attached to the error as its context.
        raise failure
    return _Walker(text).document()


def read_json_values(path: Path, display_path: str) -> ParsedSource:
    """Read ``KEY: value`` entries from a flat JSON object or a driftcheck snapshot file."""
    return parse_json_values(read_text(path, display_path), display_path)


def parse_json_values(text: str, display_path: str) -> ParsedSource:
    """Entries from JSON text, each at the line of its key, duplicates kept in order.

    Strings are taken as they are; numbers and booleans as written (``8000`` is "8000",
    ``true`` is "true"); null is a key without a value. An object or array as a value
    is an error naming the key.
    """
    # RFC 8259 forbids the mark but lets parsers ignore it; the file still means the same,
    # so this is a finding rather than a refusal.
    text, issues = skip_byte_order_mark(text, display_path, "JSON must not (RFC 8259)")
    document = parse_json_document(text, display_path)
    if document.kind != "object":
        raise DriftcheckError(
            f"top level is {document.kind_phrase}, expected an object of KEY: value",
            path=display_path,
            line=document.line,
        )
    table = _snapshot_values(document, display_path) if _is_snapshot(document) else document
    entries = [
        Entry(
            key=member.key,
            value=_environment_value(member, display_path),
            origin=Origin(display_path, member.line),
        )
        for member in table.members
    ]
    return ParsedSource(entries=entries, issues=issues)


def quote_key(key: str) -> str:
    """A key as JSON writes it, for messages (escapes make odd characters visible)."""
    return json.dumps(key, ensure_ascii=False)


def _is_snapshot(document: JsonNode) -> bool:
    return document.member(SNAPSHOT_MARKER) is not None


def _snapshot_values(document: JsonNode, display_path: str) -> JsonNode:
    # Only what reading values needs is checked here; the snapshot format is defined (and
    # its other fields validated) where snapshots are written and compared.
    marker = document.member(SNAPSHOT_MARKER)
    if marker is not None and not marker.value.is_integer:
        raise DriftcheckError(
            f"{quote_key(SNAPSHOT_MARKER)} must be an integer format version, "
            f"not {marker.value.kind_phrase}",
            path=display_path,
            line=marker.line,
        )
    values = document.member("values")
    if values is None:
        raise DriftcheckError(
            'snapshot has no "values" object', path=display_path, line=document.line
        )
    if values.value.kind != "object":
        raise DriftcheckError(
            f'snapshot "values" is {values.value.kind_phrase}, expected an object of KEY: value',
            path=display_path,
            line=values.line,
        )
    return values.value


def _environment_value(member: JsonMember, display_path: str) -> str | None:
    node = member.value
    if node.kind == "null":
        return None
    if node.kind in ("object", "array"):
        raise DriftcheckError(
            f"value of {quote_key(member.key)} is {node.kind_phrase}; "
            "expected a string, number, boolean or null",
            path=display_path,
            line=member.line,
        )
    # Numbers stay as written: which tool turns this file into an environment is unknown,
    # and the literal is the one spelling they all start from (json.loads would make 1e3
    # into "1000.0").
    return node.text


def _validate(text: str, display_path: str) -> DriftcheckError | None:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        # Some of json's messages end in "at", expecting the position after them; here the
        # position leads the line instead.
        message = exc.msg.removesuffix(" starting at").removesuffix(" at")
        return DriftcheckError(
            f"invalid JSON: {message}", path=display_path, line=exc.lineno, column=exc.colno
        )
    except RecursionError:
        return DriftcheckError("invalid JSON: nested too deeply", path=display_path)
    except ValueError:
        # int() refuses literals longer than sys.get_int_max_str_digits(), and json.loads
        # lets that ValueError through unwrapped, without a position.
        return DriftcheckError("invalid JSON: a number has too many digits", path=display_path)
    return None


@dataclass(slots=True)
class _OpenContainer:
    kind: Literal["object", "array"]
    line: int
    column: int
    members: list[JsonMember] = field(default_factory=list)
    items: list[JsonNode] = field(default_factory=list)
    key: str = ""
    key_line: int = 0
    key_column: int = 0

    def add(self, node: JsonNode) -> None:
        if self.kind == "object":
            self.members.append(JsonMember(self.key, self.key_line, self.key_column, node))
        else:
            self.items.append(node)

    def close(self) -> JsonNode:
        return JsonNode(
            kind=self.kind,
            line=self.line,
            column=self.column,
            members=tuple(self.members),
            items=tuple(self.items),
        )


class _Walker:
    """Walks a document json.loads has already accepted, so it checks no syntax itself.

    It keeps its own stack rather than recursing, so nesting json accepts never exhausts
    Python's recursion limit here.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines = LineIndex(text)

    def document(self) -> JsonNode:
        text = self._text
        index = self._skip(0)
        stack: list[_OpenContainer] = []
        while True:
            # Here ``index`` is at the start of a value.
            line, column = self._lines.line_column(index)
            opener = text[index]
            if opener in "{[":
                container = _OpenContainer("object" if opener == "{" else "array", line, column)
                index = self._skip(index + 1)
                if text[index] not in "}]":
                    stack.append(container)
                    if container.kind == "object":
                        index = self._key(container, index)
                    continue
                node = container.close()
                index += 1
            else:
                node, index = self._scalar(index, line, column)
            # A value is complete: hand it to its container, closing every container that
            # ends right after it, until one continues with a comma.
            while stack:
                parent = stack[-1]
                parent.add(node)
                index = self._skip(index)
                if text[index] == ",":
                    index = self._skip(index + 1)
                    if parent.kind == "object":
                        index = self._key(parent, index)
                    break
                stack.pop()
                node = parent.close()
                index += 1
            else:
                return node

    def _skip(self, index: int) -> int:
        match = _WHITESPACE.match(self._text, index)
        return index if match is None else match.end()

    def _key(self, container: _OpenContainer, index: int) -> int:
        """Read ``"key" :`` at ``index``; returns the index of the member's value."""
        container.key_line, container.key_column = self._lines.line_column(index)
        container.key, index = _DECODER.raw_decode(self._text, index)
        index = self._skip(index)
        return self._skip(index + 1)

    def _scalar(self, index: int, line: int, column: int) -> tuple[JsonNode, int]:
        value, end = _DECODER.raw_decode(self._text, index)
        if isinstance(value, str):
            return JsonNode("string", line, column, value), end
        literal = self._text[index:end]
        if value is None:
            return JsonNode("null", line, column, literal), end
        if isinstance(value, bool):
            return JsonNode("boolean", line, column, literal), end
        return JsonNode("number", line, column, literal), end
