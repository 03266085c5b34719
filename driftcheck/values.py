"""The records every source is turned into, and the one way secrets are shown.

A value never shows itself: ``repr()`` and ``str()`` of an ``Entry`` are masked, so no
formatter, log line or traceback can print a secret by accident. Code that must show a value
calls :func:`describe_value`, which shows a fingerprint for secrets.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from typing import NamedTuple

HASH_KEY_VARIABLE = "DRIFTCHECK_HASH_KEY"
FINGERPRINT_PREFIX = "hmac:"
FINGERPRINT_HEX_DIGITS = 12
#: How a snapshot stores a secret: the full keyed digest, under this prefix.
DIGEST_PREFIX = "hmac-sha256:"
_KEY_ID_MESSAGE = b"driftcheck key id v1"


class Origin(NamedTuple):
    """Where a value (or a problem) comes from: a display path and, where known, a line."""

    path: str
    line: int | None = None

    def __str__(self) -> str:
        return self.path if self.line is None else f"{self.path}:{self.line}"


class Entry(NamedTuple):
    """One ``KEY=value`` as a source delivers it.

    ``value`` is ``None`` for a key named without a value (a bare ``KEY`` line in a ``.env``
    file, which python-dotenv reads as None and ``load_dotenv`` does not set).
    ``ambient`` marks values from the live process environment, which holds many keys
    no schema names.

    A named tuple, not a dataclass: a large project has hundreds of thousands of values,
    and a frozen dataclass costs several times as much to make.
    """

    key: str
    value: str | None
    origin: Origin
    ambient: bool = False
    #: ``value`` is not the value but its keyed digest (``hmac-sha256:`` and 64 hex
    #: digits), as a snapshot stores secrets; compare it with ``Fingerprinter.digest``.
    fingerprinted: bool = False

    def __repr__(self) -> str:
        shown = "None" if self.value is None else "<masked>"
        return f"Entry(key={self.key!r}, value={shown}, origin={self.origin!r})"

    def __str__(self) -> str:
        return self.__repr__()


@dataclass(frozen=True, slots=True)
class SourceIssue:
    """A problem in a source file that does not stop the run (it becomes a finding).

    ``kind`` is one of ``"unparsable-line"`` and ``"byte-order-mark"``. ``detail`` says
    what is wrong without quoting the line (it may hold a secret).
    """

    kind: str
    origin: Origin
    detail: str


@dataclass(slots=True)
class ParsedSource:
    """What a loader read from one source: entries in order (duplicates kept) and issues."""

    entries: list[Entry] = field(default_factory=list)
    issues: list[SourceIssue] = field(default_factory=list)


class Fingerprinter:
    """Keyed hashes of secrets (HMAC-SHA256), shown as a short prefix.

    With ``DRIFTCHECK_HASH_KEY`` set, fingerprints are stable across runs and machines.
    Without it, a random key is drawn for this run: fingerprints compare within the run
    only, and nobody reading the output can test a guessed secret against them.
    """

    def __init__(self, key: bytes | None = None) -> None:
        self.keyed = key is not None
        self._key = key if key is not None else secrets.token_bytes(32)

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> Fingerprinter:
        source = os.environ if environ is None else environ
        key = source.get(HASH_KEY_VARIABLE)
        return cls(key.encode("utf-8") if key else None)

    def __repr__(self) -> str:
        return f"Fingerprinter(keyed={self.keyed})"

    def digest(self, value: str) -> str:
        """The full hex HMAC of a value, for comparing (never print it whole)."""
        return hmac.new(
            self._key, value.encode("utf-8", "surrogatepass"), hashlib.sha256
        ).hexdigest()

    def fingerprint(self, value: str) -> str:
        """The short form shown to people: ``hmac:`` and the first 12 hex digits."""
        return FINGERPRINT_PREFIX + self.digest(value)[:FINGERPRINT_HEX_DIGITS]

    def key_id(self) -> str:
        """Names the key without revealing it, so a snapshot can say which key made it."""
        return hmac.new(self._key, _KEY_ID_MESSAGE, hashlib.sha256).hexdigest()[:16]
