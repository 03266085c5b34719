"""Near-miss names: ``JWT_SECRET`` for ``JWT_SECRET_KEY``, ``CORS_ALLOWED_ORIGINS`` for
``CORS_ORIGINS``, ``DATABSE_URL`` for ``DATABASE_URL``.

No pair of keys is ever compared directly: every name is turned into a handful of
signatures (separators folded, a common suffix or prefix dropped, an inner word dropped,
environment words spelled out, each single character deleted), and two names are a near
miss when they share a signature. Looking a name up costs time in its length, not in the
number of known keys.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")
_SYNONYMS = {
    "DEV": "DEVELOPMENT",
    "PROD": "PRODUCTION",
    "PRD": "PRODUCTION",
    "STG": "STAGING",
    "STAGE": "STAGING",
    "QA": "TEST",
    "TST": "TEST",
    "PASS": "PASSWORD",
    "PWD": "PASSWORD",
    "PASSWD": "PASSWORD",
    "ADDR": "ADDRESS",
    "DB": "DATABASE",
    "CONN": "CONNECTION",
    "CFG": "CONFIG",
    "MSG": "MESSAGE",
}
_SUFFIXES = frozenset(
    {
        "KEY",
        "URL",
        "URI",
        "SECRET",
        "TOKEN",
        "HOST",
        "ADDRESS",
        "DSN",
        "NAME",
        "STR",
        "STRING",
        "VALUE",
        "PATH",
        "ENDPOINT",
    }
)
_PREFIXES = frozenset({"APP", "SERVICE", "SVC", "VITE", "NEXT", "PUBLIC", "REACT", "NUXT", "ENV"})
_MIN_TYPO_LENGTH = 6
#: Longer names are no setting anyone misspelled; matching them would cost their square.
MAX_MATCHED_LENGTH = 128


def _tokens(name: str) -> list[str]:
    tokens = [token for token in _SEPARATORS.split(name.upper()) if token]
    return [_SYNONYMS.get(token, token) for token in tokens]


def signatures(name: str) -> set[str]:
    """The signatures under which ``name`` is filed and looked up."""
    if len(name) > MAX_MATCHED_LENGTH:
        return set()
    tokens = _tokens(name)
    if not tokens:
        return set()
    joined = "".join(tokens)
    result = {"=" + joined}
    shapes = [tokens]
    if len(tokens) >= 2 and tokens[-1] in _SUFFIXES:
        shapes.append(tokens[:-1])
    if len(tokens) >= 2 and tokens[0] in _PREFIXES:
        shapes.append(tokens[1:])
    if len(tokens) >= 3:
        shapes.extend(tokens[:i] + tokens[i + 1 :] for i in range(1, len(tokens) - 1))
    for shape in shapes[1:]:
        if len("".join(shape)) >= 3:
            result.add("=" + "".join(shape))
    result.add("~" + "_".join(sorted(tokens)))
    if len(joined) >= _MIN_TYPO_LENGTH:
        result.update("-" + joined[:i] + joined[i + 1 :] for i in range(len(joined)))
        result.add("-" + joined)
    return result


class NearMissIndex:
    """The names one service reads, filed by signature."""

    def __init__(self, names: Iterable[str]) -> None:
        self._by_signature: dict[str, set[str]] = {}
        for name in names:
            for signature in signatures(name):
                self._by_signature.setdefault(signature, set()).add(name)

    def candidates(self, name: str) -> list[str]:
        """Known names that ``name`` is a near miss of, closest first."""
        found: set[str] = set()
        for signature in signatures(name):
            found.update(self._by_signature.get(signature, ()))
        found.discard(name)
        upper = name.upper()
        return sorted(
            found,
            key=lambda known: (-difflib.SequenceMatcher(None, upper, known.upper()).ratio(), known),
        )
