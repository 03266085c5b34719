"""One walk over all the values of a project, for every rule that looks at values.

A large project holds hundreds of thousands of values, scattered through memory: fetching
them is most of what a rule on values costs, and each rule fetching them again costs as
much again. So the walk takes each layer once, and while its values are at hand works out
what every rule will ask about them:

* a screen of all the layer's values at once (:class:`ValueScreen`), which lets the rules
  about a few odd values (empty, padded, control characters) skip the layers without any;
* the verdicts of the rules' value checks (:class:`ValueCheck`: invalid-value,
  constraint-violation, invalid-port), judging each distinct value once per question.

The walk runs on the first question about a project, and the project keeps the answers.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from itertools import compress, count, repeat
from operator import is_not, itemgetter
from typing import Any, NamedTuple

from driftcheck.display import show_plain
from driftcheck.findings import Problem
from driftcheck.project import Layer, Project
from driftcheck.schema import KeySpec
from driftcheck.values import Entry, Origin


class ValueScreen(NamedTuple):
    """What one look at all of a layer's values together tells.

    The flags are screens: True means "look closer", never "found". They come from the
    layer's values (snapshots' digests included) joined by line breaks, which a few
    scans of one string answer far faster than a look at each value.
    """

    #: Keys named without a value or a reference (a bare ``KEY`` line): not set.
    unset: frozenset[str]
    #: Some value holds a character other than printable ones, tabs and line feeds
    #: (every whitespace character but space, tab and line feed is unprintable).
    unusual_characters: bool
    #: Some value may be empty, or start or end with a line feed.
    break_at_edge: bool
    #: Some value may start or end with a space or a tab.
    blank_at_edge: bool


#: A check's questions for all of a service's keys (deprecated names included), from the
#: project, the service, the keys' names and their specs: for each key, what a verdict on
#: its values depends on besides the value (its type, its bounds...), or None when the
#: check does not test the key.
Questions = Callable[[Project, str, Sequence[str], Sequence[KeySpec]], Iterable[Hashable]]


class ValueCheck(NamedTuple):
    """A rule's test of values against their keys' specs.

    The same values come back in every environment and service, so each is judged once
    per question. The questions are asked of all a service's keys at once, and are best
    worked out in C (``map``, ``attrgetter``) as far as can be: a large project has a
    hundred thousand keys.
    """

    questions: Questions
    #: Why a value fails the question (in words that do not quote it), or None.
    judge: Callable[[Project, Any, str], str | None]


#: Every rule's value check, declared with :func:`value_check`: the walk runs them all.
VALUE_CHECKS: list[ValueCheck] = []


def value_check(
    questions: Questions, judge: Callable[[Project, Any, str], str | None]
) -> ValueCheck:
    """Declare a rule's value check (when its module is imported)."""
    check = ValueCheck(questions, judge)
    VALUE_CHECKS.append(check)
    return check


class Flagged(NamedTuple):
    """A value a check finds fault with, and why (in words that do not quote it)."""

    layer: Layer
    key: str
    entry: Entry
    value: str
    spec: KeySpec
    reason: str

    def __repr__(self) -> str:  # the value may be a secret: never shown
        return f"Flagged(key={self.key!r}, value=<masked>, reason={self.reason!r})"


class _Walked(NamedTuple):
    screens: dict[tuple[str, str], ValueScreen]
    flagged: dict[ValueCheck, list[Flagged]]


def value_screen(project: Project, layer: Layer) -> ValueScreen:
    """The screen of all of ``layer``'s values (see :class:`ValueScreen`)."""
    return _walked(project).screens[(layer.service, layer.environment)]


def set_keys(project: Project, layer: Layer) -> AbstractSet[str]:
    """The keys set in ``layer`` (as :meth:`Layer.is_set` says), for set arithmetic: its
    keys, less the few named without a value, found without looking at each entry."""
    unset = value_screen(project, layer).unset
    return layer.values.keys() - unset if unset else layer.values.keys()


def flagged_values(project: Project, check: ValueCheck) -> list[Flagged]:
    """The values of its ``wanted`` keys that ``check`` finds fault with: service by
    service and environment by environment, in each the keys in schema order and then
    their deprecated names."""
    return _walked(project).flagged[check]


def flagged_problem(project: Project, flagged: Flagged, hint: str) -> Problem:
    """The problem a value check reports for a flagged value: the key, the value unless
    it is a secret's, and why it fails."""
    layer, key = flagged.layer, flagged.key
    shown = "" if project.is_secret(layer.service, key) else f" {show_plain(flagged.value)}"
    return Problem(
        f"{key}{shown} {flagged.reason}",
        service=layer.service,
        environment=layer.environment,
        key=key,
        origin=flagged.entry.origin,
        hint=hint,
    )


def _walked(project: Project) -> _Walked:
    walked: _Walked | None = project.rule_cache.get("walk")
    if walked is None:
        walked = project.rule_cache["walk"] = _walk(project, tuple(VALUE_CHECKS))
    return walked


_VALUE = itemgetter(1)  # an Entry's value, read in C
#: Stands for a key a layer does not set, in lookups made in C.
_NO_ENTRY = Entry("", None, Origin(""))
#: What a value may hold and be plain: printable ASCII, tabs and inner line feeds.
_PLAIN_ASCII = bytes(c for c in range(128) if chr(c).isprintable() or chr(c) in "\t\n")
#: A line break next to a space or a tab, in the values joined by line breaks: some
#: value starts or ends with one.
_SPACED_BREAKS = ("\n ", " \n", "\n\t", "\t\n")


#: Stands for a value not judged yet, in a table of verdicts.
_UNJUDGED = "<not judged yet>"


class _Block(NamedTuple):
    """What one check asks of one service's values: one item per key it tests, in the
    order of :func:`flagged_values` (keys, then deprecated names)."""

    names: list[str]
    specs: list[KeySpec]
    questions: list[Hashable]
    #: The verdicts found so far on each item's question (None: the value passes).
    tables: list[dict[str | None, str | None]]
    judge: Callable[[Project, Any, str], str | None]
    found: list[Flagged]

    def __repr__(self) -> str:  # the tables hold values, which may be secrets
        return f"_Block(names={self.names!r}, tables=<{len(self.tables)} masked>)"


class _Verdicts(dict[Hashable, dict[str | None, str | None]]):
    """One check's verdicts, per question: a table for a new question is made on first
    use, knowing that None (the value of a key named without one) passes."""

    def __missing__(self, question: Hashable) -> dict[str | None, str | None]:
        table: dict[str | None, str | None] = {None: None}
        self[question] = table
        return table

    def __repr__(self) -> str:  # the tables hold values, which may be secrets
        return f"_Verdicts(<{len(self)} questions, values masked>)"


def _walk(project: Project, checks: tuple[ValueCheck, ...]) -> _Walked:
    walked = _Walked({}, {check: [] for check in checks})
    verdicts = {check: _Verdicts() for check in checks}
    for service in project.services:
        blocks = _blocks(project, service, checks, verdicts, walked.flagged)
        for layer in project.layers_of(service):
            walked.screens[(service, layer.environment)] = _screen(layer)
            for block in blocks:
                _judge_layer(project, layer, block)
    return walked


def _blocks(
    project: Project,
    service: str,
    checks: tuple[ValueCheck, ...],
    verdicts: dict[ValueCheck, _Verdicts],
    flagged: dict[ValueCheck, list[Flagged]],
) -> list[_Block]:
    schema = project.schemas[service]
    names = [*schema.keys, *schema.aliases]
    specs = [*schema.keys.values(), *map(schema.keys.__getitem__, schema.aliases.values())]
    blocks = []
    for check in checks:
        questions = list(check.questions(project, service, names, specs))
        tested = list(map(is_not, questions, repeat(None)))
        if not any(tested):
            continue
        questions = list(compress(questions, tested))
        blocks.append(
            _Block(
                list(compress(names, tested)),
                list(compress(specs, tested)),
                questions,
                list(map(verdicts[check].__getitem__, questions)),
                check.judge,
                flagged[check],
            )
        )
    return blocks


def _judge_layer(project: Project, layer: Layer, block: _Block) -> None:
    # Each tested key's entry and the verdict already found on its value, looked up in
    # C: nearly every value has been met before, and passed.
    entries = list(map(layer.values.get, block.names, repeat(_NO_ENTRY)))
    verdicts = list(map(dict.get, block.tables, map(_VALUE, entries), repeat(_UNJUDGED)))
    if not any(verdicts):
        return
    for index in compress(count(), verdicts):  # values new to their question, or failing
        entry, reason = entries[index], verdicts[index]
        value = entry.value
        assert value is not None  # None passes every question
        if reason is _UNJUDGED:
            table = block.tables[index]
            reason = table.get(value, _UNJUDGED)  # judged since, for another key?
            if reason is _UNJUDGED:
                reason = table[value] = block.judge(project, block.questions[index], value)
            if reason is None:
                continue
        assert reason is not None
        if not entry.fingerprinted:  # a snapshot's digest is judged, but is not the value
            found = Flagged(layer, block.names[index], entry, value, block.specs[index], reason)
            block.found.append(found)


def _screen(layer: Layer) -> ValueScreen:
    values = list(map(_VALUE, layer.values.values()))
    unset: frozenset[str] = frozenset()
    try:
        text = "\n".join(values)
    except TypeError:  # a value is None: rare, so found only when join meets it
        unset = frozenset(
            key for key, e in layer.values.items() if e.value is None and e.reference is None
        )
        text = "\n".join(value for value in values if value is not None)
    if text.isascii():
        # Deleting every plain character leaves the others (bytes.translate is one pass
        # in C; str.isprintable needs tabs and line feeds replaced first).
        unusual = bool(text.encode("ascii").translate(None, _PLAIN_ASCII))
    else:
        unusual = not text.replace("\t", " ").replace("\n", " ").isprintable()
    # An empty value makes two line breaks meet (or one end the text); so does a line
    # feed starting or ending a value.
    break_at_edge = not text or "\n\n" in text or text[0] == "\n" or text[-1] == "\n"
    blank_at_edge = text.startswith((" ", "\t")) or text.endswith((" ", "\t"))
    blank_at_edge = blank_at_edge or any(pair in text for pair in _SPACED_BREAKS)
    return ValueScreen(unset, unusual, break_at_edge, blank_at_edge)
