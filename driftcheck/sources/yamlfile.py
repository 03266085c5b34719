"""YAML documents read safely, with the line of every value.

PyYAML (imported only when a YAML source is read) composes the text into nodes, which
carry their position; this module turns the nodes into a small tree of :class:`YamlNode`
that keeps the line of every mapping key and sequence item, so that every entry a
manifest delivers has a file and a line.

Only YAML's own tags are accepted (the safe subset: no Python objects). Merge keys
(``<<: *defaults``) are applied as YAML 1.1 defines them: the mapping's own keys win, and
of several merged mappings the first wins. Aliases are shared, not copied, so an alias
"bomb" costs no memory here; a document whose aliases would still expand to more than
:data:`MAX_ALIAS_EXPANSION` nodes, or an alias inside its own anchor, is refused all the
same, since any consumer walking it naively would never finish.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from driftcheck.errors import DriftcheckError

if TYPE_CHECKING:
    import yaml

#: How many nodes aliases may add to a document when expanded (the "billion laughs"
#: document adds a billion).
MAX_ALIAS_EXPANSION = 1_000_000

_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"


@dataclass(slots=True, eq=False)
class YamlNode:
    """A mapping, a sequence or a scalar, and its line (from 1).

    A scalar keeps its text as written (``text``) and its YAML type (``tag``); a mapping
    keeps its members in document order with the line of each key (merged members
    included, at the line of their anchor), a sequence its items.
    """

    kind: str  # "mapping", "sequence" or "scalar"
    line: int
    tag: str = _STR
    text: str = field(default="", repr=False)
    members: list[tuple[str, int, YamlNode]] = field(default_factory=list, repr=False)
    items: list[YamlNode] = field(default_factory=list, repr=False)
    #: Keys that a mapping's own text gives more than once, with the line of each repeat.
    repeated: list[tuple[str, int]] = field(default_factory=list, repr=False)
    _index: dict[str, YamlNode] | None = field(default=None, repr=False)

    @property
    def is_mapping(self) -> bool:
        return self.kind == "mapping"

    @property
    def is_sequence(self) -> bool:
        return self.kind == "sequence"

    @property
    def is_scalar(self) -> bool:
        return self.kind == "scalar"

    @property
    def is_null(self) -> bool:
        return self.kind == "scalar" and self.tag == _NULL

    @property
    def is_string(self) -> bool:
        return self.kind == "scalar" and self.tag == _STR

    def get(self, key: str) -> YamlNode | None:
        """A mapping's value for ``key`` (the last, if the text repeats it)."""
        if self.kind != "mapping":
            return None
        if self._index is None:
            self._index = {name: node for name, _, node in self.members}
        return self._index.get(key)

    def child(self, key: str, kind: str, what: str, display_path: str) -> YamlNode | None:
        """The value of ``key`` when it is there and not null, else None; an error naming
        ``what`` (and the file and line) when it is not a ``kind``: "mapping" or
        "sequence"."""
        found = self.get(key)
        if found is None or found.is_null:
            return None
        if found.kind != kind:
            expected = "a mapping" if kind == "mapping" else "a list"
            raise DriftcheckError(
                f"{what} is {found.kind_phrase}, expected {expected}", display_path, found.line
            )
        return found

    def key_line(self, key: str) -> int:
        """The line of ``key`` in a mapping (of the mapping itself when it is absent)."""
        for name, line, _ in reversed(self.members):
            if name == key:
                return line
        return self.line

    def scalar_text(self) -> str:
        """A scalar as the string a process would be given: booleans as ``true`` /
        ``false``, numbers as YAML reads them (``0x1F`` is ``31``), others as written."""
        if self.tag == _STR:
            return self.text
        if self.tag == _BOOL:
            return "true" if self.text.lower() in ("y", "yes", "true", "on") else "false"
        if self.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
            value = _construct_scalar(self)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return str(value)
        return self.text

    @property
    def kind_phrase(self) -> str:
        if self.kind == "mapping":
            return "a mapping"
        if self.kind == "sequence":
            return "a list"
        if self.tag == _NULL:
            return "null"
        if self.tag == _STR:
            return "a string"
        return f"a {self.tag.rsplit(':', 1)[-1]}"


@dataclass(slots=True)
class YamlDocument:
    """One document of a YAML stream: its root node (None for an empty document)."""

    root: YamlNode | None
    line: int


def load_yaml_documents(text: str, display_path: str) -> list[YamlDocument]:
    """Every document of a YAML stream, or a one-line error naming the file and line.

    The error says what is wrong (PyYAML's "problem") but never quotes the text, which
    may hold a secret.
    """
    import yaml

    loader_class: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    documents: list[YamlDocument] = []
    problem: DriftcheckError | None = None
    try:
        loader = loader_class(text)
        try:
            while loader.check_node():
                node = loader.get_node()
                if node is None:  # pragma: no cover - check_node said there is one
                    break
                _check_expansion(node, display_path)
                root = _Converter(display_path).convert(node)
                # A document of nothing (or only comments, as helm writes) is null.
                documents.append(YamlDocument(None if root.is_null else root, _line(node)))
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        problem = _yaml_error(error, display_path)
    except yaml.YAMLError as error:
        problem = DriftcheckError(f"invalid YAML: {type(error).__name__}", display_path)
    except RecursionError:
        # PyYAML's pure-Python parser recurses once per nesting level.
        problem = DriftcheckError("invalid YAML: nested too deeply", display_path)
    if problem is not None:
        # Raised outside the except block: PyYAML's marks hold the whole text.
        raise problem
    return documents


def _yaml_error(error: yaml.MarkedYAMLError, display_path: str) -> DriftcheckError:
    mark = error.problem_mark or error.context_mark
    problem = error.problem or error.context or "cannot be parsed"
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    return DriftcheckError(f"invalid YAML: {problem}", display_path, line, column)


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _check_expansion(root: yaml.Node, display_path: str) -> None:
    """Refuse a document whose aliases expand too far, or that contains itself.

    Counts, for every distinct node once, how many nodes it stands for when every alias
    is expanded: linear in the size of the document, whatever the aliases do.
    """
    sizes: dict[int, int] = {}
    distinct = 0
    # (node, children pushed?) pairs: an explicit stack, so deep nesting cannot overflow.
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    open_nodes: set[int] = set()
    while stack:
        node, expanded = stack.pop()
        identity = id(node)
        children = _children(node)
        if expanded:
            open_nodes.discard(identity)
            sizes[identity] = 1 + sum(sizes[id(child)] for child in children)
            continue
        if identity in sizes:
            continue
        if identity in open_nodes:
            raise DriftcheckError(
                "YAML alias refers to the node that contains it (a recursive structure)",
                display_path,
                _line(node),
            )
        distinct += 1
        open_nodes.add(identity)
        stack.append((node, True))
        for child in children:
            if id(child) in open_nodes:
                raise DriftcheckError(
                    "YAML alias refers to the node that contains it (a recursive structure)",
                    display_path,
                    _line(child),
                )
            if id(child) not in sizes:
                stack.append((child, False))
    if sizes[id(root)] - distinct > MAX_ALIAS_EXPANSION:
        raise DriftcheckError(
            f"YAML aliases expand this document by more than {MAX_ALIAS_EXPANSION:,} nodes "
            "(an alias bomb?); refusing to read it",
            display_path,
            _line(root),
        )


def _children(node: yaml.Node) -> list[yaml.Node]:
    value = node.value
    if isinstance(value, list):
        if value and isinstance(value[0], tuple):
            return [part for pair in value for part in pair]
        return list(value)
    return []


class _Converter:
    """Turns composed PyYAML nodes into :class:`YamlNode`, each distinct node once."""

    def __init__(self, display_path: str) -> None:
        self.display_path = display_path
        self.done: dict[int, YamlNode] = {}

    def convert(self, root: yaml.Node) -> YamlNode:
        # Children before parents, with an explicit stack (no recursion limit to hit).
        stack: list[tuple[yaml.Node, bool]] = [(root, False)]
        while stack:
            node, ready = stack.pop()
            if id(node) in self.done:
                continue
            if not ready:
                stack.append((node, True))
                stack.extend((child, False) for child in _children(node))
                continue
            self.done[id(node)] = self._build(node)
        return self.done[id(root)]

    def _build(self, node: yaml.Node) -> YamlNode:
        import yaml

        line = _line(node)
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _MERGE or (
                node.tag in _safe_constructor().yaml_constructors and node.tag not in (_MAP, _SEQ)
            ):
                converted = YamlNode("scalar", line, node.tag, node.value)
                if node.tag not in (_STR, _MERGE):
                    # A bad !!int or !!binary fails here, at its line.
                    _construct_scalar(converted, self.display_path)
                return converted
            raise self._error(f"unsupported YAML tag {node.tag!r}", line)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise self._error(f"unsupported YAML tag {node.tag!r}", line)
            return YamlNode(
                "sequence", line, node.tag, items=[self.done[id(i)] for i in node.value]
            )
        if not isinstance(node, yaml.MappingNode) or node.tag != _MAP:
            raise self._error(f"unsupported YAML tag {node.tag!r}", line)
        return self._mapping(node, line)

    def _mapping(self, node: yaml.MappingNode, line: int) -> YamlNode:
        own: dict[str, tuple[int, YamlNode]] = {}
        order: list[str] = []
        repeated: list[tuple[str, int]] = []
        merged: list[YamlNode] = []
        for key_node, value_node in node.value:
            value = self.done[id(value_node)]
            if key_node.tag == _MERGE:
                merged.extend(self._merge_sources(value))
                continue
            key = self.done[id(key_node)]
            if key.kind != "scalar":
                raise self._error("a mapping key must be a plain value", key.line)
            name = key.text if key.tag != _BOOL else key.scalar_text()
            if name in own:
                repeated.append((name, key.line))
                order.remove(name)
            own[name] = (key.line, value)
            order.append(name)
        members: list[tuple[str, int, YamlNode]] = []
        if merged:
            seen = set(own)
            for source in merged:
                for name, key_line, value in source.members:
                    if name not in seen:
                        seen.add(name)
                        members.append((name, key_line, value))
        members.extend((name, *own[name]) for name in order)
        return YamlNode("mapping", line, _MAP, members=members, repeated=repeated)

    def _merge_sources(self, value: YamlNode) -> Iterator[YamlNode]:
        if value.is_mapping:
            yield value
            return
        if value.is_sequence and all(item.is_mapping for item in value.items):
            yield from value.items
            return
        raise self._error("'<<' must merge a mapping or a list of mappings", value.line)

    def _error(self, message: str, line: int) -> DriftcheckError:
        return DriftcheckError(f"invalid YAML: {message}", self.display_path, line)


def _construct_scalar(node: YamlNode, display_path: str | None = None) -> object:
    """The Python value PyYAML's safe loader gives a scalar (raises on a malformed one)."""
    import yaml

    constructor = _safe_constructor()
    build = constructor.yaml_constructors[node.tag]
    scalar = yaml.ScalarNode(node.tag, node.text)
    try:
        return build(constructor, scalar)
    except (ValueError, yaml.YAMLError, TypeError):
        raise DriftcheckError(
            f"invalid YAML: not a valid {node.tag.rsplit(':', 1)[-1]}", display_path, node.line
        ) from None


_CONSTRUCTOR: list[Any] = []


def _safe_constructor() -> Any:
    if not _CONSTRUCTOR:
        import yaml

        _CONSTRUCTOR.append(yaml.constructor.SafeConstructor())
    return _CONSTRUCTOR[0]
