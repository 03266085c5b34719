"""Near-miss names: ``JWT_SECRET`` for ``JWT_SECRET_KEY``, ``CORS_ALLOWED_ORIGINS`` for
``CORS_ORIGINS``, ``DATABSE_URL`` for ``DATABASE_URL``.

No pair of keys is ever compared directly: every name is turned into a handful of
signatures (separators folded, a common suffix or prefix dropped, an inner word dropped,
environment words spelled out, each single character deleted), and two names are a near
miss when they share a signature. Looking a name up costs time in its length, not in the
number of known keys.
"""

from __future__ import annotations

import functools
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


def _word_signatures(name: str) -> tuple[str, set[str]] | None:
    """The name's letters and digits run together, and its signatures made of whole words.

    None for a name that is never matched (too long, or without a letter or digit).
    """
    if len(name) > MAX_MATCHED_LENGTH:
        return None
    tokens = _tokens(name)
    if not tokens:
        return None
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
    return joined, result


def _typo_signatures(joined: str) -> set[str]:
    """``joined`` itself and with each single character deleted: two names one typo apart
    (a character added, dropped, replaced, or two swapped) share one of these."""
    result = {joined[:i] + joined[i + 1 :] for i in range(len(joined))}
    result.add(joined)
    return result


def signatures(name: str) -> set[str]:
    """The signatures under which ``name`` is filed and looked up."""
    parts = _word_signatures(name)
    if parts is None:
        return set()
    joined, result = parts
    if len(joined) >= _MIN_TYPO_LENGTH:
        result.update("-" + signature for signature in _typo_signatures(joined))
    return result


@functools.lru_cache(maxsize=1 << 14)
def _filed_word_signatures(name: str) -> tuple[str, frozenset[str]] | None:
    """:func:`_word_signatures` of a name filed in an index: a large project's services
    read the same few hundred names, and each service files them all."""
    parts = _word_signatures(name)
    return None if parts is None else (parts[0], frozenset(parts[1]))


@functools.lru_cache(maxsize=1 << 14)
def _filed_typo_signatures(joined: str) -> frozenset[str]:
    return frozenset(_typo_signatures(joined))


class NearMissIndex:
    """The names one service reads, filed by signature.

    Two names are a near miss when they share a signature (see :func:`signatures`). Nothing
    is filed until the first lookup, since most services set no key they do not read. The
    typo signatures, about one per character of each name, are most of the work; as two
    names one typo apart differ in length by at most one, a lookup files only the names of
    its own length and the two next to it, each length once.
    """

    __slots__ = ("_by_length", "_filed_lengths", "_names", "_typos", "_words")

    def __init__(self, names: Iterable[str]) -> None:
        self._names = list(names)
        self._words: dict[str, list[str]] | None = None
        #: Letters and digits run together -> names, for the typo signatures not filed yet.
        self._by_length: dict[int, list[tuple[str, str]]] = {}
        self._filed_lengths: set[int] = set()
        self._typos: dict[str, list[str]] = {}

    def _file_words(self) -> dict[str, list[str]]:
        words: dict[str, list[str]] = {}
        by_length = self._by_length
        for name in self._names:
            parts = _filed_word_signatures(name)
            if parts is None:
                continue
            joined, found = parts
            for signature in found:
                filed = words.get(signature)
                if filed is None:
                    words[signature] = [name]
                else:
                    filed.append(name)
            if len(joined) >= _MIN_TYPO_LENGTH:
                by_length.setdefault(len(joined), []).append((name, joined))
        self._words = words
        return words

    def _file_typos(self, length: int) -> None:
        if length in self._filed_lengths:
            return
        self._filed_lengths.add(length)
        typos = self._typos
        for name, joined in self._by_length.pop(length, ()):
            for signature in _filed_typo_signatures(joined):
                filed = typos.get(signature)
                if filed is None:
                    typos[signature] = [name]
                else:
                    filed.append(name)

    def candidates(self, name: str) -> list[str]:
        """Known names that ``name`` is a near miss of, closest first."""
        parts = _word_signatures(name)
        if parts is None:
            return []
        words = self._words if self._words is not None else self._file_words()
        joined, word_signatures = parts
        found: set[str] = set()
        for signature in word_signatures:
            found.update(words.get(signature, ()))
        if len(joined) >= _MIN_TYPO_LENGTH:
            for length in (len(joined) - 1, len(joined), len(joined) + 1):
                self._file_typos(length)
            typos = self._typos
            for signature in _typo_signatures(joined):
                found.update(typos.get(signature, ()))
        found.discard(name)
        if not found:
            return []
        from difflib import SequenceMatcher  # only for the few names that have near misses

        upper = name.upper()
        return sorted(
            found,
            key=lambda known: (-SequenceMatcher(None, upper, known.upper()).ratio(), known),
        )
