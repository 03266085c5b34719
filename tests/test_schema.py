"""Loading service schemas: the quick path and the caches never change what loads.

``driftcheck.schema`` reads most schema files table by table, looking up tables it has read
before (a large project's services share most of theirs), and hands every file it is not
certain about to :func:`schema_from_toml`, which reads field by field and says what is wrong
where. Whatever the quick path reads, the slow one must read the same; a schema must load to
the same keys, or fail with the same error, whatever was loaded before it in the process.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftcheck import schema as schema_module
from driftcheck.errors import DriftcheckError
from driftcheck.schema import ServiceSchema, _quick_schema, load_schema, schema_from_toml
from driftcheck.tomlfile import parse_toml, tomllib
from tests.benchmarks import generate

REPOSITORY = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def cold_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts with nothing remembered."""
    monkeypatch.setattr(schema_module, "_SHAPES", {})
    monkeypatch.setattr(schema_module, "_TABLE_SPECS", {})


def _forget() -> None:
    schema_module._SHAPES.clear()
    schema_module._TABLE_SPECS.clear()


def exactly(schema: ServiceSchema) -> str:
    """All of a schema, told apart where ``==`` is not (``1 == 1.0 == True``)."""
    return repr(
        (
            [tuple(spec) for spec in schema.keys.values()],
            [schema.line_of(name) for name in schema.keys],
            schema.listen_port_key,
            dict(schema.aliases),
            type(schema.aliases),
            schema.display_path,
        )
    )


def outcome(path: Path, environments: tuple[str, ...] = ()) -> str:
    try:
        return exactly(load_schema(path, path.name, environments))
    except DriftcheckError as error:
        return f"error: {error}"


def slow_outcome(path: Path, environments: tuple[str, ...]) -> str:
    """What the field-by-field reader makes of the file."""
    text = path.read_text(encoding="utf-8")
    try:
        return exactly(schema_from_toml(parse_toml(text, path.name, path), environments))
    except DriftcheckError as error:
        return f"error: {error}"


#: Key tables that are equal as Python values but mean something else.
LOOK_ALIKE = [
    ('type = "int"\ndefault = true\n', 'type = "int"\ndefault = 1\n'),
    ('type = "float"\ndefault = 1\n', 'type = "float"\ndefault = 1.0\n'),
    ('type = "float"\ndefault = 0.0\n', 'type = "float"\ndefault = -0.0\n'),
    ('type = "float"\nmin = 0.0\n', 'type = "float"\nmin = -0.0\n'),
    ('type = "int"\nmin = 1\n', 'type = "int"\nmin = 1.0\n'),
    ('type = "str"\nsecret = true\n', 'type = "str"\nsecret = 1\n'),
    ('type = "str"\nrequired = false\n', 'type = "str"\nrequired = 0\n'),
]


@pytest.mark.parametrize(("first", "second"), LOOK_ALIKE + [(b, a) for a, b in LOOK_ALIKE])
@pytest.mark.parametrize("quick", [True, False], ids=["quick", "slow"])
def test_a_key_table_never_gets_the_spec_of_one_equal_to_it(
    tmp_path: Path, first: str, second: str, quick: bool
) -> None:
    # A multi-line string, valid but outside the subset, sends a file down the slow path.
    top = "" if quick else 'description = """not read quickly"""\n'
    before, after = tmp_path / "before.toml", tmp_path / "after.toml"
    before.write_text(f"{top}[keys.A]\n{first}", encoding="utf-8")
    after.write_text(f"{top}[keys.A]\n{second}", encoding="utf-8")
    alone = outcome(after)
    if not quick:
        assert _quick_schema(after.read_text(), "after.toml", after, ()) is None
    _forget()
    outcome(before)
    assert outcome(after) == alone


# -- the quick path against the slow one, on generated schemas --------------------------------

_TOP_LINES = st.one_of(
    st.sampled_from(
        [
            "# What app reads.",
            "",
            'listen_port_key = "PORT"',
            'service = "app"',
            "description = 'The app'",
            '"service" = "app"',
        ]
    ),
    st.sampled_from(
        [
            'listen_port_key = "NOPE"',
            "listen_port_key = 8000",
            "service = 1",
            "description = ['a']",
            'descripton = "typo"',
            "keys = 1",
            "  [keys.PORT]",
            'service = """app"""',
        ]
    ),
)
_NAMES = st.sampled_from(["PORT", "API_TOKEN", "OLD", "DB_PASSWORD", "LOG-LEVEL", "A"])
_HEADERS = st.sampled_from(
    [
        "[keys.{}]",
        "[keys.{}]",
        "[keys.{}]",
        '[keys."{}"]',
        "[ keys . {} ]",
        "[keys.{}] # a comment",
        "  [keys.{}]",
        "[keys.{}.x]",
        "[keys]",
        "[other.{}]",
        "[[keys.{}]]",
        "[keys.{}]\r",
    ]
)
#: Fields of key tables: mostly valid ones, so that many files take the quick path.
_GOOD_FIELDS = st.sampled_from(
    [
        'type = "port"',
        'type = "enum"\nchoices = ["a", "b"]',
        'type = "secret"',
        'type = "str"',
        'type = "int"',
        'type = "float"',
        'type = "bool"',
        'type = "list"',
        'type = "url"',
        "default = 1",
        "default = true",
        "default = false",
        "default = 1.0",
        "default = -0.0",
        'default = "x"',
        'default = ["a", "b"]',
        "secret = true",
        "secret = false",
        "required = true",
        "required = false",
        'required = ["dev"]',
        'required = "prod"',
        'environments = ["dev"]',
        'environments = "prod"',
        'deprecated_names = ["OLD"]',
        'deprecated_names = "A"',
        'deprecated_names = ["OLD_NAME"]',
        "min = 1",
        "min = 0.5",
        "max = 64",
        'pattern = "^[a-z]+$"',
        "min_length = 8",
        'separator = ";"',
        'targets = "db"',
        'shared = "db_url"',
        'description = "d"',
        "# a comment",
        "",
    ]
)
#: Fields that are wrong, or wrong in some projects, or written unusually.
_ODD_FIELDS = st.sampled_from(
    [
        'type = "enum"',
        'type = "bogus"',
        "type = 1",
        "choices = []",
        'choices = "a"',
        'choices = ["a", "b"]',
        "choices = [1]",
        "default = [1]",
        "default = { a = 1 }",
        "secret = 1",
        'required = ["qa"]',
        "required = 0",
        'environments = ["qa"]',
        'deprecated_names = ["PORT"]',
        'deprecated_names = ["OLD_NAME", "OLD_NAME"]',
        "min = true",
        'min = "1"',
        'pattern = "(["',
        "pattern = 1",
        "min_length = 8.0",
        'description = """\n[keys.FAKE]\ntype = "int"\n"""',
        "typo = 1",
        'tpye = "str"',
        'type = "int" ',
        'type = "int"\r',
        'type="int"#c',
    ]
)
_FIELDS = st.one_of(*[_GOOD_FIELDS] * 7, _ODD_FIELDS)


#: True once in ten (hypothesis would draw the 0 of ``integers(0, 9)`` far more often).
_NOW_AND_THEN = st.sampled_from([False] * 9 + [True])


def _field_name(line: str) -> str:
    return line.split("=")[0].strip()


@st.composite
def schema_texts(draw: st.DrawFn) -> str:
    lines = draw(st.lists(_TOP_LINES, max_size=3, unique_by=_field_name))
    names = draw(st.lists(_NAMES, max_size=5, unique=True))
    if names and draw(_NOW_AND_THEN):
        names.append(draw(st.sampled_from(names)))  # a table declared twice
    for name in names:
        header = draw(_HEADERS) if draw(_NOW_AND_THEN) else "[keys.{}]"
        fields = draw(st.lists(_FIELDS, max_size=4, unique_by=_field_name))
        if fields and draw(_NOW_AND_THEN):
            fields.append(draw(st.sampled_from(fields)))  # a field set twice
        lines += [header.format(name), *fields, ""]
    return "\n".join(lines) + draw(st.sampled_from(["", "\n"]))


@pytest.fixture(scope="module")
def schema_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("schemas") / "app.toml"


@settings(max_examples=2000, deadline=None)
@given(schema_texts(), st.permutations([(), ("dev", "prod")]))
def test_whatever_the_quick_path_reads_the_slow_path_reads_the_same(
    schema_file: Path, text: str, projects: list[tuple[str, ...]]
) -> None:
    # Caches are kept from one example to the next, as from one schema to the next; each
    # text is read for two projects, whose environments make different tables valid.
    schema_file.write_text(text, encoding="utf-8", newline="")
    for environments in projects:
        slow = slow_outcome(schema_file, environments)
        quick = _quick_schema(text, schema_file.name, schema_file, environments)
        if quick is not None:
            assert exactly(quick) == slow, (text, environments)
        assert outcome(schema_file, environments) == slow, (text, environments)


def test_shipped_and_generated_schemas_take_the_quick_path(tmp_path: Path) -> None:
    """The quick path must actually serve the files it exists for."""
    generate.write(tmp_path, 25)
    projects = [*REPOSITORY.glob("examples/*/driftcheck.toml"), tmp_path / "driftcheck.toml"]
    paths = 0
    for config in projects:
        declared = tuple(tomllib.loads(config.read_text(encoding="utf-8"))["environments"])
        for path in sorted((config.parent / "schemas").glob("*.toml")):
            paths += 1
            text = path.read_text(encoding="utf-8")
            for environments in ((), declared):
                quick = _quick_schema(text, path.name, path, environments)
                assert quick is not None, path
                assert exactly(quick) == slow_outcome(path, environments), path
    assert paths > 25


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__]))
