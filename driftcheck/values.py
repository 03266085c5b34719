"""The records every source is turned into, and the one way secrets are shown.

A value never shows itself: ``repr()`` and ``str()`` of an ``Entry`` are masked, so no
formatter, log line or traceback can print a secret by accident. Code that must show a value
calls :func:`describe_value`, which shows a fingerprint for secrets.
"""

from __future__ import annotations

import os
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


class Reference(NamedTuple):
    """Where a platform takes a value from when the process starts, not the value itself.

    A Kubernetes ``secretKeyRef`` (``kind`` "Secret", ``name`` the Secret, ``key`` its key),
    a ``configMapKeyRef`` ("ConfigMap"), a ``fieldRef`` / ``resourceFieldRef`` ("field",
    ``name`` the field path), or a Cloud Run ``secretKeyRef`` ("Secret Manager", ``key`` the
    secret's version). It holds names only, so it may be shown; two references compare
    equal when they name the same thing.
    """

    kind: str
    name: str
    key: str | None = None

    def __str__(self) -> str:
        if self.kind == "Secret Manager":
            return f"Secret Manager secret {self.name} (version {self.key or 'latest'})"
        if self.key is None:
            return f"{self.kind} {self.name}"
        return f"{self.kind} {self.name}/{self.key}"


class Entry(NamedTuple):
    """One ``KEY=value`` as a source delivers it.

    ``value`` is ``None`` for a key named without a value (a bare ``KEY`` line in a ``.env``
    file, which python-dotenv reads as None and ``load_dotenv`` does not set), and for a
    key delivered by a ``reference`` whose value the sources do not hold (a Cloud Run
    secret, a Secret created outside the manifests): such a key is set (see ``present``),
    its value unknown. A reference that the sources resolve comes with its value.
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
    #: Where the platform takes the value from at start-up, when not written in the source.
    reference: Reference | None = None
    #: The value comes from a secret store (a Kubernetes Secret): it is shown only as a
    #: fingerprint, whatever its key is called.
    from_secret_store: bool = False

    @property
    def present(self) -> bool:
        """Whether the process gets the key: a value, or a reference to one."""
        return self.value is not None or self.reference is not None

    def __repr__(self) -> str:
        shown = "None" if self.value is None else "<masked>"
        reference = "" if self.reference is None else f", reference={str(self.reference)!r}"
        return f"Entry(key={self.key!r}, value={shown}, origin={self.origin!r}{reference})"

    def __str__(self) -> str:
        return self.__repr__()


class Address(NamedTuple):
    """One way other programs reach the service a source configures.

    ``hosts`` are the names that reach it on ``port`` (``localhost`` for a port compose
    publishes, a Kubernetes Service's DNS names); ``target`` is the port it forwards to,
    where known (the container port, a Service's ``targetPort``).
    """

    hosts: tuple[str, ...]
    port: int
    target: int | None
    origin: Origin
    #: What ``port`` is, for messages: "the published port", "Service backend's port".
    how: str


class SourceIssue(NamedTuple):
    """A problem in a source file that does not stop the run (it becomes a finding).

    ``kind`` is one of ``"unparsable-line"``, ``"byte-order-mark"`` and
    ``"dangling-reference"``. ``detail`` says what is wrong without quoting the line (it
    may hold a secret); ``key`` is the variable concerned, where there is one.
    """

    kind: str
    origin: Origin
    detail: str
    key: str | None = None


class ParsedSource:
    """What a loader read from one source: entries in order (duplicates kept), issues,
    and the addresses that reach the service (from deployment manifests)."""

    __slots__ = ("addresses", "entries", "issues")

    def __init__(
        self,
        entries: list[Entry] | None = None,
        issues: list[SourceIssue] | None = None,
        addresses: list[Address] | None = None,
    ) -> None:
        self.entries: list[Entry] = [] if entries is None else entries
        self.issues: list[SourceIssue] = [] if issues is None else issues
        self.addresses: list[Address] = [] if addresses is None else addresses

    def __repr__(self) -> str:
        return f"ParsedSource({len(self.entries)} entries, {len(self.issues)} issues)"


class Fingerprinter:
    """Keyed hashes of secrets (HMAC-SHA256), shown as a short prefix.

    With ``DRIFTCHECK_HASH_KEY`` set, fingerprints are stable across runs and machines.
    Without it, a random key is drawn for this run: fingerprints compare within the run
    only, and nobody reading the output can test a guessed secret against them.
    """

    def __init__(self, key: bytes | None = None) -> None:
        self.keyed = key is not None
        # os.urandom is what secrets.token_bytes reads, without importing secrets.
        self._key = key if key is not None else os.urandom(32)

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> Fingerprinter:
        source = os.environ if environ is None else environ
        key = source.get(HASH_KEY_VARIABLE)
        return cls(key.encode("utf-8") if key else None)

    def __repr__(self) -> str:
        return f"Fingerprinter(keyed={self.keyed})"

    def digest(self, value: str) -> str:
        """The full hex HMAC of a value, for comparing (never print it whole)."""
        # Imported on first use: hashlib loads OpenSSL, which a run without secrets skips.
        import hashlib
        import hmac

        return hmac.new(
            self._key, value.encode("utf-8", "surrogatepass"), hashlib.sha256
        ).hexdigest()

    def fingerprint(self, value: str) -> str:
        """The short form shown to people: ``hmac:`` and the first 12 hex digits."""
        return FINGERPRINT_PREFIX + self.digest(value)[:FINGERPRINT_HEX_DIGITS]

    def key_id(self) -> str:
        """Names the key without revealing it, so a snapshot can say which key made it."""
        import hashlib
        import hmac

        return hmac.new(self._key, _KEY_ID_MESSAGE, hashlib.sha256).hexdigest()[:16]
