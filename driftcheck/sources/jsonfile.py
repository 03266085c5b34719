"""Values from JSON files, and the positional JSON walker every JSON source reads through.

Two shapes hold values: a flat object ``{"KEY": "value", ...}`` and a driftcheck snapshot
``{"driftcheck_snapshot": 1, "service": ..., "environment": ..., "values": {...}}``, in
which a secret is ``{"fingerprint": "hmac-sha256:<64 hex digits>"}`` (see
:mod:`driftcheck.snapshot`, which writes them). A snapshot is validated whole, whichever
function reads it, so a damaged or future-format snapshot is never half understood.

Python's :mod:`json` gives no positions, and findings must point at a line, so
:func:`parse_json_document` first lets :func:`json.loads` judge the document (its errors, its
meaning) and then walks the same text again to note where each value and key starts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Literal, NamedTuple

from driftcheck.errors import DriftcheckError
from driftcheck.sources.textfile import LineIndex, read_text, skip_byte_order_mark
from driftcheck.values import (
    DIGEST_PREFIX,
    HASH_KEY_VARIABLE,
    Entry,
    Fingerprinter,
    Origin,
    ParsedSource,
    SourceIssue,
)

JsonKind = Literal["object", "array", "string", "number", "boolean", "null"]

SNAPSHOT_MARKER = "driftcheck_snapshot"
#: The snapshot format version this driftcheck writes and reads.
SNAPSHOT_VERSION = 1
FINGERPRINT_ALGORITHM = "hmac-sha256"
#: A secret in a snapshot's "values": an object with this one member.
FINGERPRINT_FIELD = "fingerprint"
_SNAPSHOT_FIELDS = (
    SNAPSHOT_MARKER,
    "service",
    "environment",
    "created",
    "fingerprints",
    "shared",
    "values",
)
_FINGERPRINTS_FIELDS = ("algorithm", "keyed", "key_id")
_DIGEST = re.compile(re.escape(DIGEST_PREFIX) + "[0-9a-f]{64}")
_DIGEST_SHAPE = f'"{DIGEST_PREFIX}" and 64 lowercase hex digits'
_KEY_ID = re.compile("[0-9a-f]{16}")

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
_JSON_BLANKS = frozenset(" \t\n\r")
# Nodes are made with tuple.__new__, every field given, not through the named tuples'
# Python-level __new__: a large discovery file has tens of thousands of them.
_new_tuple = tuple.__new__
_INTEGER_LITERAL = re.compile(r"-?(?:0|[1-9][0-9]*)")


class JsonNode(NamedTuple):
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


class JsonMember(NamedTuple):
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


class Snapshot(NamedTuple):
    """A driftcheck snapshot file: its values and what says how to compare them.

    ``parsed`` holds the values as entries; a secret's entry is ``fingerprinted`` and its
    value is the stored digest. ``keyed`` and ``key_id`` say which ``DRIFTCHECK_HASH_KEY``
    made the digests (``key_id`` is None when no key did, or when the snapshot holds no
    digest and says nothing about keys). ``shared`` maps each shared setting the service
    belongs to onto the digest of its value (None: the service had no value).
    """

    display_path: str
    parsed: ParsedSource
    version: int
    service: str | None = None
    environment: str | None = None
    created: str | None = None
    keyed: bool = False
    key_id: str | None = None
    shared: Mapping[str, str | None] = MappingProxyType({})
    #: Where the snapshot says which key made its digests, for errors about the key.
    key_line: int | None = None

    @property
    def holds_digests(self) -> bool:
        """Whether anything in the snapshot is a keyed digest (and so needs the key)."""
        return any(entry.fingerprinted for entry in self.parsed.entries) or any(
            digest is not None for digest in self.shared.values()
        )


def read_json_values(path: Path, display_path: str) -> ParsedSource:
    """Read ``KEY: value`` entries from a flat JSON object or a driftcheck snapshot file."""
    return parse_json_values(read_text(path, display_path), display_path)


def read_json_source(path: Path, display_path: str) -> tuple[ParsedSource, Snapshot | None]:
    """Read a JSON values file once: its entries, and the snapshot when it is one.

    For loaders, which must pass a snapshot to :func:`check_snapshot_key` before its
    digests are compared with anything.
    """
    return parse_json_source(read_text(path, display_path), display_path)


def read_snapshot(path: Path, display_path: str) -> Snapshot:
    """Read a driftcheck snapshot file; a flat ``KEY: value`` file is an error here."""
    _, snapshot = read_json_source(path, display_path)
    if snapshot is None:
        raise DriftcheckError(
            f"not a driftcheck snapshot (it has no {quote_key(SNAPSHOT_MARKER)} field)",
            path=display_path,
        )
    return snapshot


def parse_json_values(text: str, display_path: str) -> ParsedSource:
    """Entries from JSON text, each at the line of its key, duplicates kept in order.

    Strings are taken as they are; numbers and booleans as written (``8000`` is "8000",
    ``true`` is "true"); null is a key without a value. An object or array as a value
    is an error naming the key, except a snapshot's ``{"fingerprint": ...}``.
    """
    return parse_json_source(text, display_path)[0]


def parse_json_source(text: str, display_path: str) -> tuple[ParsedSource, Snapshot | None]:
    """Entries from JSON text, and the snapshot they belong to when it is one."""
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
    if _is_snapshot(document):
        snapshot = _read_snapshot_document(document, display_path, issues)
        return snapshot.parsed, snapshot
    entries = [
        Entry(
            key=member.key,
            value=_environment_value(member, display_path),
            origin=Origin(display_path, member.line),
        )
        for member in document.members
    ]
    return ParsedSource(entries=entries, issues=issues), None


def check_snapshot_key(snapshot: Snapshot, fingerprinter: Fingerprinter) -> None:
    """Raise unless ``fingerprinter`` makes the same digests as the snapshot's key did.

    A digest made with another key never equals this run's digest of the same value, so
    comparing them would report every secret as drifted. A snapshot without digests
    needs no key. The messages name the snapshot's key id (it is in the file already),
    never this run's.
    """
    if not snapshot.holds_digests:
        return
    path, line = snapshot.display_path, snapshot.key_line
    if not snapshot.keyed:
        raise DriftcheckError(
            f"snapshot was written without {HASH_KEY_VARIABLE} (--allow-unkeyed): its "
            "fingerprints compare with nothing; write it again with the key set",
            path=path,
            line=line,
        )
    if not fingerprinter.keyed:
        raise DriftcheckError(
            f"snapshot holds fingerprints made with {HASH_KEY_VARIABLE} (key id "
            f"{snapshot.key_id}); set the same key to compare them",
            path=path,
            line=line,
        )
    if snapshot.key_id != fingerprinter.key_id():
        raise DriftcheckError(
            f"snapshot was fingerprinted with another {HASH_KEY_VARIABLE} (key id "
            f"{snapshot.key_id}); set the key it was written with, or write it again",
            path=path,
            line=line,
        )


def quote_key(key: str) -> str:
    """A key as JSON writes it, for messages (escapes make odd characters visible)."""
    return json.dumps(key, ensure_ascii=False)


def _is_snapshot(document: JsonNode) -> bool:
    return document.member(SNAPSHOT_MARKER) is not None


def _read_snapshot_document(
    document: JsonNode, display_path: str, issues: list[SourceIssue]
) -> Snapshot:
    version = _snapshot_version(document, display_path)
    for member in document.members:
        if member.key not in _SNAPSHOT_FIELDS:
            raise DriftcheckError(
                f"unknown snapshot field {quote_key(member.key)}; a version {SNAPSHOT_VERSION} "
                f"snapshot has {', '.join(_SNAPSHOT_FIELDS)}",
                path=display_path,
                line=member.line,
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
    entries = [_snapshot_entry(member, display_path) for member in values.value.members]
    shared = _snapshot_shared(document, display_path)
    snapshot = Snapshot(
        display_path=display_path,
        parsed=ParsedSource(entries=entries, issues=issues),
        version=version,
        service=_optional_string(document, "service", display_path),
        environment=_optional_string(document, "environment", display_path),
        created=_optional_string(document, "created", display_path),
        shared=shared,
    )
    fingerprints = document.member("fingerprints")
    if fingerprints is None:
        if snapshot.holds_digests:
            raise DriftcheckError(
                'snapshot holds fingerprints but no "fingerprints" object saying which '
                f"{HASH_KEY_VARIABLE} made them",
                path=display_path,
                line=document.line,
            )
        return snapshot
    keyed, key_id = _snapshot_key(fingerprints, display_path)
    return snapshot._replace(keyed=keyed, key_id=key_id, key_line=fingerprints.line)


def _snapshot_version(document: JsonNode, display_path: str) -> int:
    marker = document.member(SNAPSHOT_MARKER)
    assert marker is not None
    if not marker.value.is_integer:
        raise DriftcheckError(
            f"{quote_key(SNAPSHOT_MARKER)} must be an integer format version, "
            f"not {marker.value.kind_phrase}",
            path=display_path,
            line=marker.line,
        )
    version = int(marker.value.text)
    if version != SNAPSHOT_VERSION:
        raise DriftcheckError(
            f"snapshot format version {marker.value.text[:20]} is not supported; this "
            f"driftcheck reads version {SNAPSHOT_VERSION}",
            path=display_path,
            line=marker.line,
        )
    return version


def _snapshot_entry(member: JsonMember, display_path: str) -> Entry:
    origin = Origin(display_path, member.line)
    node = member.value
    if node.kind != "object":
        return Entry(member.key, _environment_value(member, display_path), origin)
    inner = node.member(FINGERPRINT_FIELD)
    if inner is None or len(node.members) != 1:
        raise DriftcheckError(
            f"value of {quote_key(member.key)} is an object other than "
            f'{{"{FINGERPRINT_FIELD}": "{DIGEST_PREFIX}..."}}; expected that, or a string, '
            "number, boolean or null",
            path=display_path,
            line=member.line,
        )
    digest = _digest(inner.value, f"fingerprint of {quote_key(member.key)}", display_path)
    return Entry(member.key, digest, origin, fingerprinted=True)


def _snapshot_shared(document: JsonNode, display_path: str) -> dict[str, str | None]:
    shared = document.member("shared")
    if shared is None:
        return {}
    if shared.value.kind != "object":
        raise DriftcheckError(
            f'snapshot "shared" is {shared.value.kind_phrase}, expected an object of '
            "shared setting: fingerprint",
            path=display_path,
            line=shared.line,
        )
    result: dict[str, str | None] = {}
    for member in shared.value.members:
        label = f"shared setting {quote_key(member.key)}"
        if member.value.kind == "null":
            result[member.key] = None
        else:
            result[member.key] = _digest(member.value, label, display_path)
    return result


def _digest(node: JsonNode, label: str, display_path: str) -> str:
    # The text is not quoted in the message: a value pasted here by mistake is a secret.
    if node.kind != "string" or _DIGEST.fullmatch(node.text) is None:
        what = "is not" if node.kind == "string" else f"is {node.kind_phrase},"
        raise DriftcheckError(
            f"{label} {what} a fingerprint; expected {_DIGEST_SHAPE}",
            path=display_path,
            line=node.line,
        )
    return node.text


def _snapshot_key(fingerprints: JsonMember, display_path: str) -> tuple[bool, str | None]:
    node = fingerprints.value
    if node.kind != "object":
        raise DriftcheckError(
            f'snapshot "fingerprints" is {node.kind_phrase}, expected an object with '
            f"{', '.join(_FINGERPRINTS_FIELDS)}",
            path=display_path,
            line=fingerprints.line,
        )
    for member in node.members:
        if member.key not in _FINGERPRINTS_FIELDS:
            raise DriftcheckError(
                f'unknown field {quote_key(member.key)} in "fingerprints"; expected '
                f"{', '.join(_FINGERPRINTS_FIELDS)}",
                path=display_path,
                line=member.line,
            )
    algorithm = node.member("algorithm")
    if algorithm is None or algorithm.value.kind != "string":
        raise DriftcheckError(
            f'"fingerprints" needs "algorithm": "{FINGERPRINT_ALGORITHM}"',
            path=display_path,
            line=fingerprints.line if algorithm is None else algorithm.line,
        )
    if algorithm.value.text != FINGERPRINT_ALGORITHM:
        raise DriftcheckError(
            f"fingerprint algorithm {quote_key(algorithm.value.text)} is not supported; "
            f"this driftcheck uses {FINGERPRINT_ALGORITHM}",
            path=display_path,
            line=algorithm.line,
        )
    keyed = node.member("keyed")
    if keyed is None or keyed.value.kind != "boolean":
        raise DriftcheckError(
            '"fingerprints" needs "keyed": true or false',
            path=display_path,
            line=fingerprints.line if keyed is None else keyed.line,
        )
    is_keyed = keyed.value.text == "true"
    key_id = node.member("key_id")
    if key_id is None or key_id.value.kind == "null":
        if is_keyed:
            raise DriftcheckError(
                '"fingerprints" is keyed but has no "key_id" naming the key',
                path=display_path,
                line=fingerprints.line if key_id is None else key_id.line,
            )
        return False, None
    if key_id.value.kind != "string" or _KEY_ID.fullmatch(key_id.value.text) is None:
        raise DriftcheckError(
            '"key_id" must be 16 lowercase hex digits, as driftcheck snapshot writes it',
            path=display_path,
            line=key_id.line,
        )
    return is_keyed, key_id.value.text


def _optional_string(document: JsonNode, name: str, display_path: str) -> str | None:
    member = document.member(name)
    if member is None:
        return None
    if member.value.kind != "string":
        raise DriftcheckError(
            f"snapshot {quote_key(name)} is {member.value.kind_phrase}, expected a string",
            path=display_path,
            line=member.line,
        )
    return member.value.text


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


class _OpenContainer:
    """An object or array being read: what it holds so far, and the key of the next member."""

    __slots__ = ("column", "items", "key", "key_column", "key_line", "kind", "line", "members")

    def __init__(self, kind: Literal["object", "array"], line: int, column: int) -> None:
        self.kind = kind
        self.line = line
        self.column = column
        self.members: list[JsonMember] = []
        self.items: list[JsonNode] = []
        self.key = ""
        self.key_line = 0
        self.key_column = 0

    def add(self, node: JsonNode) -> None:
        if self.kind == "object":
            member = (self.key, self.key_line, self.key_column, node)
            self.members.append(_new_tuple(JsonMember, member))
        else:
            self.items.append(node)

    def close(self) -> JsonNode:
        members, items = tuple(self.members), tuple(self.items)
        return _new_tuple(JsonNode, (self.kind, self.line, self.column, "", members, items))


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
        # Most tokens are followed by another straight away: no regex for those.
        if self._text[index : index + 1] not in _JSON_BLANKS:
            return index
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
            return _new_tuple(JsonNode, ("string", line, column, value, (), ())), end
        literal = self._text[index:end]
        if value is None:
            kind = "null"
        elif isinstance(value, bool):
            kind = "boolean"
        else:
            kind = "number"
        return _new_tuple(JsonNode, (kind, line, column, literal, (), ())), end
