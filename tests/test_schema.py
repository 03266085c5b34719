"""Loading service schemas: what the caches of the schema loader must never change.

``driftcheck.schema`` remembers key tables it has read, so that the many keys of a large
project that share a shape are checked once. A schema must load to the same keys, or fail
with the same error, whatever was loaded before it in the same process.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from driftcheck import schema as schema_module
from driftcheck.errors import DriftcheckError
from driftcheck.schema import ServiceSchema, load_schema


@pytest.fixture(autouse=True)
def cold_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts, and may start again, with nothing remembered."""
    monkeypatch.setattr(schema_module, "_SHAPES", {})


def _forget() -> None:
    schema_module._SHAPES.clear()


def exactly(schema: ServiceSchema) -> str:
    """The keys as they are, told apart where ``==`` is not (``1 == 1.0 == True``)."""
    return repr(
        (
            [tuple(spec) for spec in schema.keys.values()],
            schema.listen_port_key,
            dict(schema.aliases),
            schema.display_path,
        )
    )


def outcome(path: Path, environments: tuple[str, ...] = ()) -> str:
    try:
        return exactly(load_schema(path, path.name, environments))
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
def test_a_key_table_never_gets_the_spec_of_one_equal_to_it(
    tmp_path: Path, first: str, second: str
) -> None:
    before, after = tmp_path / "before.toml", tmp_path / "after.toml"
    before.write_text(f"[keys.A]\n{first}", encoding="utf-8")
    after.write_text(f"[keys.A]\n{second}", encoding="utf-8")
    alone = outcome(after)
    _forget()
    outcome(before)
    assert outcome(after) == alone


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__]))
