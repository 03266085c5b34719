"""JSON Schemas of driftcheck's own file formats, generated from the code.

``python -m driftcheck.jsonschemas`` writes them to ``schemas/``; ``--check`` fails when
the files there are stale (a test runs it). Editors use them to validate users' files:
Even Better TOML (taplo) for ``driftcheck.toml`` and schema files, VS Code for JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from driftcheck.config import SEVERITIES, SOURCE_FORMATS
from driftcheck.findings import Severity
from driftcheck.platform import PRESETS
from driftcheck.schema import KEY_TYPES
from driftcheck.values import DIGEST_PREFIX, FINGERPRINT_PREFIX

DRAFT = "http://json-schema.org/draft-07/schema#"
BASE_URI = "https://github.com/driftcheck/driftcheck/raw/main/schemas/"
SNAPSHOT_VERSION = 1

Schema = dict[str, Any]


def _strings(description: str = "") -> Schema:
    schema: Schema = {"type": "array", "items": {"type": "string"}}
    if description:
        schema["description"] = description
    return schema


def _closed(properties: Schema, description: str = "", required: list[str] | None = None) -> Schema:
    schema: Schema = {"type": "object", "additionalProperties": False, "properties": properties}
    if description:
        schema["description"] = description
    if required:
        schema["required"] = required
    return schema


def _one_or_per_environment(item: Schema, description: str) -> Schema:
    return {
        "description": description + " Once for all environments, or a table per environment.",
        "oneOf": [item, {"type": "object", "additionalProperties": item}],
    }


def config_schema() -> Schema:
    port: Schema = {"type": "integer", "minimum": 1, "maximum": 65535}
    source: Schema = {
        "oneOf": [
            {"type": "string", "description": "A path template with {service} and {env}."},
            _closed(
                {
                    "path": {
                        "description": "A path template; manifest formats take a list, "
                        "merged in order (compose -f a -f b).",
                        "oneOf": [{"type": "string"}, {**_strings(), "minItems": 1}],
                    },
                    "format": {"enum": list(SOURCE_FORMATS)},
                    "optional": {"type": "boolean"},
                    "service": {
                        "type": "string",
                        "description": "compose, cloudrun: the compose or Cloud Run service "
                        "(default: this service's name).",
                    },
                    "workload": {
                        "type": "string",
                        "description": "kubernetes: the workload, name or Kind/name "
                        "(default: this service's name).",
                    },
                    "container": {
                        "type": "string",
                        "description": "kubernetes, cloudrun: the container (default: the "
                        "only one).",
                    },
                    "project_env": {
                        "type": "string",
                        "description": "compose: the file to interpolate from, as "
                        "--env-file (default: .env beside the first file).",
                    },
                }
            ),
        ]
    }
    source_list: Schema = {"oneOf": [source, {"type": "array", "items": source}]}
    sources: Schema = {
        "description": "Sources layered in order, later ones winning; or a table per environment.",
        "oneOf": [source_list, {"type": "object", "additionalProperties": source_list}],
    }
    environment_table = _closed(
        {
            "development": {"type": "boolean", "description": "Weak secrets allowed here."},
            "single_host": {"type": "boolean", "description": "Services share one host."},
        }
    )
    return {
        "$schema": DRAFT,
        "$id": BASE_URI + "config.json",
        "title": "driftcheck project config (driftcheck.toml, or [tool.driftcheck])",
        **_closed(
            {
                "environments": {
                    "oneOf": [
                        {**_strings(), "minItems": 1, "uniqueItems": True},
                        {"type": "object", "additionalProperties": environment_table},
                    ]
                },
                "defaults": _closed({"schema": {"type": "string"}, "sources": sources}),
                "services": {
                    "type": "object",
                    "minProperties": 1,
                    "additionalProperties": _closed(
                        {
                            "schema": {"type": "string"},
                            "sources": sources,
                            "port": _one_or_per_environment(port, "The port it listens on."),
                            "public_url": _one_or_per_environment(
                                {"type": "string", "format": "uri"}, "Its public URL."
                            ),
                            "listen_port_key": {"type": "string"},
                        }
                    ),
                },
                "shared": {
                    "type": "object",
                    "additionalProperties": _closed(
                        {
                            "members": {
                                "type": "object",
                                "minProperties": 1,
                                "additionalProperties": {"type": "string"},
                                "description": "service = KEY, for each service holding it.",
                            },
                            "secret": {"type": "boolean"},
                            "equal_within_environment": {"type": "boolean"},
                            "distinct_across_environments": {"type": "boolean"},
                        },
                        required=["members"],
                    ),
                },
                "endpoints": {
                    "type": "object",
                    "additionalProperties": _closed(
                        {"port": _one_or_per_environment(port, "The endpoint's port.")},
                        required=["port"],
                    ),
                },
                "discovery": _closed({"sources": _strings("Discovery files; {env} allowed.")}),
                "platform": _closed(
                    {
                        "presets": {"type": "array", "items": {"enum": sorted(PRESETS)}},
                        "keys": _strings("More platform keys (shell patterns)."),
                    }
                ),
                "rules": _closed(
                    {
                        "select": _strings("Codes, names, code prefixes or ALL."),
                        "ignore": _strings("Codes, names or code prefixes."),
                        "severity": {
                            "type": "object",
                            "additionalProperties": {"enum": list(SEVERITIES)},
                        },
                    }
                ),
            },
            required=["environments", "services"],
        ),
    }


def service_schema_schema() -> Schema:
    scalar: Schema = {"type": ["string", "number", "boolean"]}
    key = _closed(
        {
            "type": {"enum": list(KEY_TYPES), "default": "str"},
            "secret": {"type": "boolean"},
            "required": {
                "oneOf": [{"type": "boolean"}, _strings()],
                "description": "true, false, or the environments it is required in. "
                "Default: true unless a default is given.",
            },
            "default": {"oneOf": [scalar, {"type": "array", "items": {"type": "string"}}]},
            "environments": _strings("The only environments the key may appear in."),
            "deprecated_names": _strings("Old names still accepted."),
            "min": {"type": "number"},
            "max": {"type": "number"},
            "pattern": {"type": "string", "format": "regex"},
            "min_length": {"type": "integer", "minimum": 0},
            "choices": _strings("For type enum."),
            "separator": {"type": "string"},
            "targets": {"type": "string", "description": "A service or endpoint it reaches."},
            "shared": {"type": "string", "description": "The shared setting it holds."},
            "description": {"type": "string"},
        }
    )
    return {
        "$schema": DRAFT,
        "$id": BASE_URI + "service-schema.json",
        "title": "driftcheck service schema",
        **_closed(
            {
                "service": {"type": "string"},
                "description": {"type": "string"},
                "listen_port_key": {"type": "string"},
                "keys": {"type": "object", "additionalProperties": key},
            }
        ),
    }


def snapshot_schema() -> Schema:
    digest: Schema = {"type": "string", "pattern": f"^{DIGEST_PREFIX}[0-9a-f]{{64}}$"}
    return {
        "$schema": DRAFT,
        "$id": BASE_URI + "snapshot.json",
        "title": "driftcheck snapshot",
        **_closed(
            {
                "driftcheck_snapshot": {"const": SNAPSHOT_VERSION},
                "service": {"type": "string"},
                "environment": {"type": "string"},
                "created": {"type": "string", "format": "date-time"},
                "fingerprints": _closed(
                    {
                        "algorithm": {"const": "hmac-sha256"},
                        "keyed": {"type": "boolean"},
                        "key_id": {"type": ["string", "null"]},
                    }
                ),
                "shared": {
                    "type": "object",
                    "additionalProperties": {"oneOf": [digest, {"type": "null"}]},
                },
                "values": {
                    "type": "object",
                    "additionalProperties": {
                        "oneOf": [
                            {"type": ["string", "null"]},
                            _closed({"fingerprint": digest}, required=["fingerprint"]),
                        ]
                    },
                },
            },
            required=["driftcheck_snapshot", "values"],
        ),
    }


def report_schema() -> Schema:
    from driftcheck.formatters.json import SCHEMA_VERSION
    from driftcheck.rules import RULES

    nullable_string: Schema = {"type": ["string", "null"]}
    location: Schema = {
        "oneOf": [
            {"type": "null"},
            _closed(
                {"path": {"type": "string"}, "line": {"type": ["integer", "null"], "minimum": 1}},
                required=["path", "line"],
            ),
        ]
    }
    finding_fields = [
        "code",
        "name",
        "severity",
        "message",
        "hint",
        "service",
        "environment",
        "key",
        "location",
        "related",
    ]
    related_fields = ["location", "service", "environment", "key", "value", "note"]
    count: Schema = {"type": "integer", "minimum": 0}
    return {
        "$schema": DRAFT,
        "$id": BASE_URI + "report.json",
        "title": "driftcheck JSON report (driftcheck check --format json)",
        **_closed(
            {
                "schema_version": {"const": SCHEMA_VERSION},
                "tool": _closed(
                    {"name": {"const": "driftcheck"}, "version": {"type": "string"}},
                    required=["name", "version"],
                ),
                "config": {"type": "string"},
                "fingerprints": _closed(
                    {"algorithm": {"const": "hmac-sha256"}, "keyed": {"type": "boolean"}},
                    required=["algorithm", "keyed"],
                ),
                "services": _strings(),
                "environments": _strings(),
                "summary": _closed(
                    {"total": count, **{str(s): count for s in Severity}},
                    required=["total", *(str(s) for s in Severity)],
                ),
                "findings": {
                    "type": "array",
                    "items": _closed(
                        {
                            "code": {"enum": [rule.code for rule in RULES]},
                            "name": {"enum": [rule.name for rule in RULES]},
                            "severity": {"enum": [str(s) for s in Severity]},
                            "message": {"type": "string"},
                            "hint": nullable_string,
                            "service": nullable_string,
                            "environment": nullable_string,
                            "key": nullable_string,
                            "location": location,
                            "related": {
                                "type": "array",
                                "items": _closed(
                                    {
                                        "location": location,
                                        "service": nullable_string,
                                        "environment": nullable_string,
                                        "key": nullable_string,
                                        "value": {
                                            **nullable_string,
                                            "description": "A fingerprint ("
                                            + FINGERPRINT_PREFIX
                                            + "...) for secrets, a quoted value otherwise.",
                                        },
                                        "note": nullable_string,
                                    },
                                    required=related_fields,
                                ),
                            },
                        },
                        required=finding_fields,
                    ),
                },
            },
            required=[
                "schema_version",
                "tool",
                "config",
                "fingerprints",
                "services",
                "environments",
                "summary",
                "findings",
            ],
        ),
    }


SCHEMAS = {
    "config.json": config_schema,
    "service-schema.json": service_schema_schema,
    "snapshot.json": snapshot_schema,
    "report.json": report_schema,
}


def render(name: str) -> str:
    return json.dumps(SCHEMAS[name](), indent=2, sort_keys=False) + "\n"


def main(argv: list[str]) -> int:
    directory = Path(__file__).resolve().parent.parent / "schemas"
    check = argv == ["--check"]
    if argv not in ([], ["--check"]):
        print("usage: python -m driftcheck.jsonschemas [--check]", file=sys.stderr)
        return 2
    stale = []
    for name in SCHEMAS:
        path = directory / name
        text = render(name)
        if check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            directory.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for name in stale:
        print(f"schemas/{name} is stale: run python -m driftcheck.jsonschemas", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
