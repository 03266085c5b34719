"""The YAML reader: lines of keys and items, merge keys, safe tags, errors, alias bombs."""

from __future__ import annotations

import pytest

from driftcheck.errors import DriftcheckError
from driftcheck.sources.yamlfile import MAX_ALIAS_EXPANSION, load_yaml_documents


def _root(text: str):  # type: ignore[no-untyped-def]
    (document,) = load_yaml_documents(text, "f.yaml")
    return document.root


def test_keys_and_items_keep_their_lines() -> None:
    root = _root("a: 1\nb:\n  - x\n  - y\nc: {d: 2}\n")
    assert [(key, line) for key, line, _ in root.members] == [("a", 1), ("b", 2), ("c", 5)]
    assert [item.line for item in root.get("b").items] == [3, 4]


def test_scalars_read_as_a_process_gets_them() -> None:
    root = _root("i: 0x1F\nf: 1.50\nb: yes\nq: 'yes'\nn: ~\ns: text\n")
    assert {key: node.scalar_text() for key, _, node in root.members} == {
        "i": "31",
        "f": "1.5",
        "b": "true",
        "q": "yes",
        "n": "~",
        "s": "text",
    }
    assert root.get("n").is_null


def test_merge_keys_own_keys_win_and_merged_ones_keep_the_anchor_line() -> None:
    root = _root("base: &b {A: 1, B: 2}\nother: &o {C: 3, A: 9}\nx:\n  <<: [*b, *o]\n  B: 5\n")
    x = root.get("x")
    assert [(k, line, n.scalar_text()) for k, line, n in x.members] == [
        ("A", 1, "1"),
        ("C", 2, "3"),
        ("B", 5, "5"),
    ]


def test_a_repeated_key_is_noted_and_the_last_wins() -> None:
    root = _root("a: 1\na: 2\n")
    assert root.get("a").scalar_text() == "2"
    assert root.repeated == [("a", 2)]


def test_several_documents_and_empty_ones() -> None:
    documents = load_yaml_documents("---\n# only a comment\n---\na: 1\n---\n", "f.yaml")
    assert [document.root is None for document in documents] == [True, False, True]
    assert documents[1].line == 4


@pytest.mark.parametrize(
    ("text", "where"),
    [
        pytest.param("a: [1,\n", "f.yaml:2:1", id="unclosed-flow"),
        pytest.param("a: b: c\n", "f.yaml:1:5", id="nested-mapping-on-one-line"),
        pytest.param("\ta: 1\n", "f.yaml:1:1", id="tab"),
        pytest.param('a: "unterminated\n', "f.yaml:2:1", id="unterminated-quote"),
        pytest.param("a: !!python/object:os.system x\n", "f.yaml:1", id="python-tag"),
        pytest.param("a: !Ref x\n", "f.yaml:1", id="custom-tag"),
        pytest.param("a: !!int zz\n", "f.yaml:1", id="bad-int"),
        pytest.param("a: *nothing\n", "f.yaml:1", id="undefined-alias"),
        pytest.param("? [a]\n: 1\n", "f.yaml:1", id="complex-key"),
    ],
)
def test_invalid_yaml_names_file_and_line(text: str, where: str) -> None:
    with pytest.raises(DriftcheckError) as caught:
        load_yaml_documents(text, "f.yaml")
    assert str(caught.value).startswith(where + ":")
    assert "YAML" in str(caught.value)


def test_an_error_does_not_quote_the_text() -> None:
    canary = "CANARYsecretVALUE"
    with pytest.raises(DriftcheckError) as caught:
        load_yaml_documents(f"a: {canary}\nb: [{canary}\n", "f.yaml")
    assert canary not in str(caught.value)
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None


def test_billion_laughs_is_refused() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    with pytest.raises(DriftcheckError, match="alias bomb"):
        load_yaml_documents("\n".join(lines) + "\n", "bomb.yaml")


def test_merge_key_bomb_is_refused() -> None:
    lines = ["l0: &l0 {k: v}"]
    for level in range(1, 40):
        lines.append(f"l{level}: &l{level} {{<<: [*l{level - 1}, *l{level - 1}]}}")
    with pytest.raises(DriftcheckError, match="alias bomb"):
        load_yaml_documents("\n".join(lines) + "\n", "bomb.yaml")


def test_ordinary_aliases_are_fine() -> None:
    text = "x: &common {A: 1}\n" + "".join(f"s{i}: *common\n" for i in range(1000))
    assert _root(text).get("s999").get("A").scalar_text() == "1"
    assert MAX_ALIAS_EXPANSION > 1000


def test_a_recursive_alias_is_refused() -> None:
    with pytest.raises(DriftcheckError, match="recursive"):
        load_yaml_documents("a: &a [1, *a]\n", "f.yaml")


def test_deep_nesting_does_not_overflow_the_stack() -> None:
    depth = 900
    (document,) = load_yaml_documents("[" * depth + "]" * depth + "\n", "deep.yaml")
    assert document.root is not None
    # Deeper still, the parser itself refuses: an error at the place, not a crash.
    with pytest.raises(DriftcheckError, match=r"^deep.yaml:1:\d+: invalid YAML"):
        load_yaml_documents("[" * 50_000 + "]" * 50_000 + "\n", "deep.yaml")


def test_without_libyaml_the_same_documents_read_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    text = "x: &a {A: 1, B: [1, 2]}\ny:\n  <<: *a\n  C: 0x1F\n"
    expected = [(k, line) for k, line, _ in _root(text).get("y").members]
    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    assert [(k, line) for k, line, _ in _root(text).get("y").members] == expected
    with pytest.raises(DriftcheckError, match=r"^deep.yaml(:1:\d+)?: invalid YAML"):
        load_yaml_documents("[" * 50_000 + "]" * 50_000 + "\n", "deep.yaml")
