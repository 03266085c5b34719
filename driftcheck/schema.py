"""Service schemas: the keys one service reads, their types, and the rules on their values."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from driftcheck.display import looks_secret
from driftcheck.errors import DriftcheckError
from driftcheck.tomlfile import Table, TomlFile, dotted, load_toml

KEY_TYPES = ("str", "int", "float", "bool", "port", "url", "host", "secret", "enum", "list")
DEFAULT_SECRET_MIN_LENGTH = 16


@dataclass(frozen=True, slots=True)
class KeySpec:
    """What a service expects of one key.

    ``required`` is True (always), False (never) or the environments it is required in.
    ``environments`` is empty when the key may appear anywhere.
    """

    name: str
    type: str = "str"
    #: Declared a secret (type secret or ``secret = true``): held to the secret rules.
    secret: bool = False
    #: Shown only as a fingerprint: declared secrets, and secret-looking names unless
    #: the schema says ``secret = false``.
    masked: bool = False
    required: bool | tuple[str, ...] = True
    default: str | None = field(default=None, repr=False)
    environments: tuple[str, ...] = ()
    deprecated_names: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    min_length: int | None = None
    choices: tuple[str, ...] = ()
    separator: str = ","
    targets: str | None = None
    #: The shared setting this key holds, for checks without the project config (start-up
    #: validation against peers' snapshots).
    shared: str | None = None
    description: str = ""
    line: int | None = None

    def required_in(self, environment: str) -> bool:
        if isinstance(self.required, bool):
            required = self.required
        else:
            required = environment in self.required
        return required and self.allowed_in(environment)

    def allowed_in(self, environment: str) -> bool:
        return not self.environments or environment in self.environments

    @property
    def secret_min_length(self) -> int:
        if self.min_length is not None:
            return self.min_length
        return DEFAULT_SECRET_MIN_LENGTH


@dataclass(frozen=True, slots=True)
class ServiceSchema:
    """The keys one service reads, by canonical name."""

    keys: dict[str, KeySpec]
    display_path: str
    listen_port_key: str | None = None
    #: Other names the service still accepts, mapped to the canonical key.
    aliases: dict[str, str] = field(default_factory=dict)

    def spec_for(self, name: str) -> KeySpec | None:
        """The spec of a canonical name or of a deprecated alternative."""
        spec = self.keys.get(name)
        if spec is None:
            canonical = self.aliases.get(name)
            if canonical is not None:
                spec = self.keys[canonical]
        return spec

    def reads(self, name: str) -> bool:
        return name in self.keys or name in self.aliases


def _read_key(name: str, table: Table, environments: tuple[str, ...]) -> KeySpec:
    key_type = table.get("type", str, "str")
    if key_type not in KEY_TYPES:
        raise table.error(
            f"'{table.name('type')}' is '{key_type}'; expected one of {', '.join(KEY_TYPES)}",
            "type",
        )
    declared_secret = table.get("secret", bool, None)
    secret = key_type == "secret" if declared_secret is None else declared_secret
    # Undeclared, a secret-looking name is masked in output (never held to secret rules).
    masked = secret or (declared_secret is None and looks_secret(name))
    default_value = table.raw("default")
    default: str | None = None
    if default_value is not None:
        if isinstance(default_value, bool):
            default = "true" if default_value else "false"
        elif isinstance(default_value, (str, int, float)):
            default = str(default_value)
        elif isinstance(default_value, list) and all(isinstance(v, str) for v in default_value):
            default = ",".join(default_value)
        else:
            raise table.error(f"'{table.name('default')}' must be a value", "default")
    required_value = table.raw("required")
    required: bool | tuple[str, ...]
    if required_value is None:
        required = default is None
    elif isinstance(required_value, bool):
        required = required_value
    else:
        required = table.strings("required")
    scoped = table.strings("environments")
    for label, names in (
        ("required", () if isinstance(required, bool) else required),
        ("environments", scoped),
    ):
        for env in names:
            if environments and env not in environments:
                raise table.error(
                    f"'{table.name(label)}' names environment '{env}', "
                    f"which is not one of {', '.join(environments)}",
                    label,
                )
    pattern = table.get("pattern", str, None)
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise table.error(
                f"'{table.name('pattern')}' is not a valid regular expression: {exc}",
                "pattern",
            ) from None
    choices = table.strings("choices")
    if key_type == "enum" and not choices:
        raise table.error(f"'{dotted(table.path)}' is an enum and needs 'choices'", "type")
    minimum = table.get("min", float, None)
    maximum = table.get("max", float, None)
    min_length = table.get("min_length", int, None)
    spec = KeySpec(
        name=name,
        type=key_type,
        secret=secret,
        masked=masked,
        required=required,
        default=default,
        environments=scoped,
        deprecated_names=table.strings("deprecated_names"),
        minimum=minimum,
        maximum=maximum,
        pattern=pattern,
        min_length=min_length,
        choices=choices,
        separator=table.get("separator", str, ","),
        targets=table.get("targets", str, None),
        shared=table.get("shared", str, None),
        description=table.get("description", str, ""),
        line=table.file.lines.line_of(table.path),
    )
    table.finish()
    return spec


def schema_from_toml(file: TomlFile, environments: tuple[str, ...] = ()) -> ServiceSchema:
    """Build a schema from a parsed schema file (unknown keys are errors)."""
    top = Table(file, file.data, ())
    top.get("service", str, "")
    top.get("description", str, "")
    listen = top.get("listen_port_key", str, None)
    keys: dict[str, KeySpec] = {}
    aliases: dict[str, str] = {}
    for name, key_table in top.subtables("keys"):
        spec = _read_key(name, key_table, environments)
        keys[name] = spec
        for old in spec.deprecated_names:
            if old in keys or old in aliases:
                raise key_table.error(
                    f"'{old}' is declared twice (as a key or a deprecated name)",
                    "deprecated_names",
                )
            aliases[old] = name
    clash = set(keys) & set(aliases)
    if clash:
        name = sorted(clash)[0]
        raise file.error(("keys", name), f"'{name}' is both a key and a deprecated name")
    if listen is not None and listen not in keys:
        raise top.error(
            f"'listen_port_key' names '{listen}', which is not under [keys]", "listen_port_key"
        )
    top.finish()
    file.raise_problems()
    return ServiceSchema(
        keys=keys, display_path=file.display_path, listen_port_key=listen, aliases=aliases
    )


def load_schema(path: Path, display_path: str, environments: tuple[str, ...] = ()) -> ServiceSchema:
    """Read a TOML service schema file."""
    if path.suffix != ".toml":
        raise DriftcheckError("a schema file must be a .toml file", display_path)
    return schema_from_toml(load_toml(path, display_path), environments)
