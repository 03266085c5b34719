"""The finding record every rule produces and every formatter consumes."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import NamedTuple

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


@dataclass(frozen=True, slots=True)
class Problem:
    """What a rule yields; the engine stamps it with the rule's code and severity.

    Two problems are equal when they are about the same thing in the same place: the
    message and hint do not take part, so rewording never breaks a test.
    """

    message: str = field(compare=False)
    service: str | None = None
    environment: str | None = None
    key: str | None = None
    origin: Origin | None = None
    related: tuple[Related, ...] = field(default=(), compare=False)
    hint: str | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    name: str
    severity: Severity
    message: str = field(compare=False)
    service: str | None = None
    environment: str | None = None
    key: str | None = None
    origin: Origin | None = None
    related: tuple[Related, ...] = field(default=(), compare=False)
    hint: str | None = field(default=None, compare=False)
