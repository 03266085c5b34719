"""The finding record every rule produces and every formatter consumes."""

from __future__ import annotations

import enum
from typing import Any, NamedTuple, TypeVar

from driftcheck.values import Origin


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]


class Related(NamedTuple):
    """The other side of a disagreement: where it is, and how its value is shown.

    ``shown`` is a fingerprint for secrets, an escaped value otherwise, or None.
    """

    origin: Origin | None
    service: str | None = None
    environment: str | None = None
    key: str | None = None
    shown: str | None = None
    note: str | None = None


_Identified = TypeVar("_Identified", bound=type)


def _equal_on_identity(cls: _Identified) -> _Identified:
    """Make a named tuple compare and hash on its ``_identity()`` only, as yamllint's
    problems compare on position and rule: rewording a message never breaks a test."""

    def __eq__(self: Any, other: object) -> bool:
        if not isinstance(other, cls):
            return NotImplemented
        theirs: Any = other
        return bool(self._identity() == theirs._identity())

    def __ne__(self: Any, other: object) -> bool:
        return not __eq__(self, other)

    def __hash__(self: Any) -> int:
        return hash(self._identity())

    cls.__eq__ = __eq__  # type: ignore[method-assign,assignment]
    cls.__ne__ = __ne__  # type: ignore[method-assign,assignment]
    cls.__hash__ = __hash__  # type: ignore[method-assign,assignment]
    return cls


@_equal_on_identity
class Problem(NamedTuple):
    """What a rule yields; the engine stamps it with the rule's code and severity.

    Two problems are equal when they are about the same thing in the same place: the
    message, related places and hint do not take part, so rewording never breaks a test.
    """

    message: str
    service: str | None = None
    environment: str | None = None
    key: str | None = None
    origin: Origin | None = None
    related: tuple[Related, ...] = ()
    hint: str | None = None

    def _identity(self) -> tuple[object, ...]:
        return (self.service, self.environment, self.key, self.origin)


@_equal_on_identity
class Finding(NamedTuple):
    """A problem stamped with its rule; equal, like problems, on what and where only."""

    code: str
    name: str
    severity: Severity
    message: str
    service: str | None = None
    environment: str | None = None
    key: str | None = None
    origin: Origin | None = None
    related: tuple[Related, ...] = ()
    hint: str | None = None

    def _identity(self) -> tuple[object, ...]:
        return (
            self.code,
            self.name,
            self.severity,
            self.service,
            self.environment,
            self.key,
            self.origin,
        )
