"""The JSON Schemas in schemas/ are current, and describe the files driftcheck reads and
writes: the examples' configs and schemas, and its JSON reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from driftcheck.jsonschemas import SCHEMAS, main, render
from driftcheck.tomlfile import tomllib
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(path.parent for path in (ROOT / "examples").glob("*/driftcheck.toml"))


def _validator(name: str) -> jsonschema.Draft7Validator:
    schema = json.loads((ROOT / "schemas" / name).read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def _errors(name: str, document: Any) -> list[str]:
    return [error.message for error in _validator(name).iter_errors(document)]


def test_schemas_are_current() -> None:
    assert main(["--check"]) == 0, "run: python -m driftcheck.jsonschemas"
    for name in SCHEMAS:
        assert (ROOT / "schemas" / name).read_text(encoding="utf-8") == render(name)


@pytest.mark.parametrize("example", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_example_configs_and_schemas_validate(example: Path) -> None:
    config = tomllib.loads((example / "driftcheck.toml").read_text(encoding="utf-8"))
    assert _errors("config.json", config) == []
    for schema_file in sorted((example / "schemas").glob("*.toml")):
        schema = tomllib.loads(schema_file.read_text(encoding="utf-8"))
        assert _errors("service-schema.json", schema) == [], schema_file


@pytest.mark.parametrize("example", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_json_reports_validate(example: Path) -> None:
    run = run_cli("check", "--format", "json", cwd=example)
    assert _errors("report.json", json.loads(run.stdout)) == []


def test_the_schemas_reject_what_driftcheck_rejects() -> None:
    config = tomllib.loads((ROOT / "examples" / "minimal" / "driftcheck.toml").read_text())
    config["services"]["api"]["prot"] = 8000  # a typo driftcheck reports as an unknown key
    assert _errors("config.json", config)
    assert _errors("service-schema.json", {"keys": {"PORT": {"type": "portt"}}})
    assert _errors("report.json", {"schema_version": 1})
