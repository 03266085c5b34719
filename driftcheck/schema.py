"""Service schemas: the keys one service reads, their types, and the rules on their values."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from driftcheck.display import looks_secret
from driftcheck.errors import DriftcheckError
from driftcheck.sources.textfile import read_text
from driftcheck.tomlfile import (
    LazyLines,
    Table,
    TomlFile,
    dotted,
    parse_simple_table,
    parse_simple_toml,
    parse_toml,
    split_tables,
)

KEY_TYPES = ("str", "int", "float", "bool", "port", "url", "host", "secret", "enum", "list")
DEFAULT_SECRET_MIN_LENGTH = 16


class KeySpec(NamedTuple):
    """What a service expects of one key.

    ``required`` is True (always), False (never) or the environments it is required in.
    ``environments`` is empty when the key may appear anywhere. A named tuple, not a
    dataclass, because a large project has a hundred thousand of them.
    """

    name: str
    type: str = "str"
    #: Declared a secret (type secret or ``secret = true``): held to the secret rules.
    secret: bool = False
    #: Shown only as a fingerprint: declared secrets, and secret-looking names unless
    #: the schema says ``secret = false``.
    masked: bool = False
    required: bool | tuple[str, ...] = True
    #: Never shown: a default can be a secret's (a key marked secret after the fact).
    default: str | None = None
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

    def __repr__(self) -> str:
        shown = "None" if self.default is None else "<masked>"
        return f"KeySpec(name={self.name!r}, type={self.type!r}, default={shown})"

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


class ServiceSchema(NamedTuple):
    """The keys one service reads, by canonical name."""

    keys: dict[str, KeySpec]
    display_path: str
    listen_port_key: str | None = None
    #: Other names the service still accepts, mapped to the canonical key.
    aliases: Mapping[str, str] = MappingProxyType({})
    #: Where the keys are declared in the schema file; None for a schema read from a class.
    lines: LazyLines | None = None

    def line_of(self, key: str) -> int | None:
        """The line that declares ``key`` in the schema file, where there is one."""
        return None if self.lines is None else self.lines.line_of(("keys", key))

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


#: The fields of a key's table, and the exact types each may have (True is no number here).
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "type": (str,),
    "secret": (bool,),
    "default": (str, int, float, bool, list),
    "required": (bool, list, str),
    "environments": (list, str),
    "deprecated_names": (list, str),
    "pattern": (str,),
    "choices": (list, str),
    "min": (int, float),
    "max": (int, float),
    "min_length": (int,),
    "separator": (str,),
    "targets": (str,),
    "shared": (str,),
    "description": (str,),
}
_PATTERNS_COMPILE: dict[str, bool] = {}


def _compiles(pattern: str) -> bool:
    known = _PATTERNS_COMPILE.get(pattern)
    if known is None:
        try:
            re.compile(pattern)
            known = True
        except re.error:
            known = False
        _PATTERNS_COMPILE[pattern] = known
    return known


def _plain_key_table(data: dict[str, object], environments: tuple[str, ...]) -> bool:
    """Whether a key's table is certainly valid, so that it needs no checking field by field.

    A large project has a hundred thousand keys; :func:`_check_key_table` says precisely
    what is wrong, but costs several times as much.
    """
    for name, value in data.items():
        allowed = _FIELD_TYPES.get(name)
        if allowed is None or type(value) not in allowed:
            return False
        if isinstance(value, list) and not all(type(item) is str for item in value):
            return False
    key_type = data.get("type", "str")
    if key_type not in KEY_TYPES or (key_type == "enum" and not data.get("choices")):
        return False
    pattern = data.get("pattern")
    if pattern is not None and not _compiles(pattern):  # type: ignore[arg-type]
        return False
    if environments:
        for field in ("required", "environments"):
            names = data.get(field)
            if isinstance(names, str):
                names = [names]
            if isinstance(names, list) and not set(names) <= set(environments):
                return False
    return True


def _check_key_table(table: Table, environments: tuple[str, ...]) -> None:
    """Raise the error of an invalid key table, naming the field and its line; record its
    unknown fields as problems of the file."""
    key_type = table.get("type", str, "str")
    if key_type not in KEY_TYPES:
        raise table.error(
            f"'{table.name('type')}' is '{key_type}'; expected one of {', '.join(KEY_TYPES)}",
            "type",
        )
    table.get("secret", bool, None)
    default_value = table.raw("default")
    if default_value is not None and not (
        isinstance(default_value, (str, int, float))
        or (isinstance(default_value, list) and all(isinstance(v, str) for v in default_value))
    ):
        raise table.error(f"'{table.name('default')}' must be a value", "default")
    required_value = table.raw("required")
    required: tuple[str, ...] = ()
    if required_value is not None and not isinstance(required_value, bool):
        required = table.strings("required")
    for label, names in (("required", required), ("environments", table.strings("environments"))):
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
    if key_type == "enum" and not table.strings("choices"):
        raise table.error(f"'{dotted(table.path)}' is an enum and needs 'choices'", "type")
    table.strings("choices")
    table.strings("deprecated_names")
    table.get("min", float, None)
    table.get("max", float, None)
    table.get("min_length", int, None)
    for text_field in ("separator", "targets", "shared", "description"):
        table.get(text_field, str, None)
    table.finish()


def _strings(value: str | list[str] | None) -> tuple[str, ...]:
    """An array of strings, where a lone string is an array of one."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _key_spec(name: str, data: dict[str, Any]) -> KeySpec:
    """The spec of a key whose table is valid (unknown fields are left out)."""
    key_type = data.get("type", "str")
    declared_secret = data.get("secret")
    secret = key_type == "secret" if declared_secret is None else declared_secret
    # Undeclared, a secret-looking name is masked in output (never held to secret rules).
    masked = secret or (declared_secret is None and looks_secret(name))
    default_value = data.get("default")
    default: str | None = None
    if isinstance(default_value, bool):
        default = "true" if default_value else "false"
    elif isinstance(default_value, list):
        default = ",".join(default_value)
    elif default_value is not None:
        default = str(default_value)
    required_value = data.get("required")
    required: bool | tuple[str, ...]
    if required_value is None:
        required = default is None
    elif isinstance(required_value, bool):
        required = required_value
    else:
        required = _strings(required_value)
    return KeySpec(
        name=name,
        type=key_type,
        secret=secret,
        masked=masked,
        required=required,
        default=default,
        environments=_strings(data.get("environments")),
        deprecated_names=_strings(data.get("deprecated_names")),
        minimum=data.get("min"),
        maximum=data.get("max"),
        pattern=data.get("pattern"),
        min_length=data.get("min_length"),
        choices=_strings(data.get("choices")),
        separator=data.get("separator", ","),
        targets=data.get("targets"),
        shared=data.get("shared"),
        description=data.get("description", ""),
    )


#: Key tables already read, by their content: most keys of a large project share a few
#: shapes (``type = "port"``, an int with the same bounds...), so each shape is checked
#: and built once, and only the name differs. A shape is the table's repr, not its
#: values: ``1 == 1.0 == True`` and ``0.0 == -0.0`` in Python, and ``default = 1`` must
#: not get the spec of ``default = true``, nor ``secret = 1`` pass as ``secret = true``.
_SHAPES: dict[tuple[tuple[str, ...], str], KeySpec] = {}
#: Shapes kept at most, so that a long-running process does not grow without end.
_SHAPES_KEPT = 100_000
_NAMELESS = ""


def _read_key(
    name: str, data: dict[str, Any], file: TomlFile, environments: tuple[str, ...]
) -> KeySpec:
    shape = (environments, repr(data))
    template = _SHAPES.get(shape)
    if template is None:
        plain = _plain_key_table(data, environments)
        if not plain:
            # Raises, or records unknown fields.
            _check_key_table(Table(file, data, ("keys", name)), environments)
        template = _key_spec(_NAMELESS, data)
        if plain and len(_SHAPES) < _SHAPES_KEPT:
            _SHAPES[shape] = template
    # What depends on the name: whether an undeclared key looks secret.
    masked = template.secret or ("secret" not in data and looks_secret(name))
    return _new_tuple(KeySpec, (name, template.type, template.secret, masked, *template[4:]))


_new_tuple = tuple.__new__


def schema_from_toml(file: TomlFile, environments: tuple[str, ...] = ()) -> ServiceSchema:
    """Build a schema from a parsed schema file (unknown keys are errors)."""
    top = Table(file, file.data, ())
    top.get("service", str, "")
    top.get("description", str, "")
    listen = top.get("listen_port_key", str, None)
    keys: dict[str, KeySpec] = {}
    aliases: dict[str, str] = {}
    keys_table = top.table("keys") or Table(file, {}, ("keys",))
    for name in keys_table:
        data = keys_table.raw(name)
        if not isinstance(data, dict):
            raise keys_table.error(f"'{keys_table.name(name)}' must be a table", name)
        spec = _read_key(name, data, file, environments)
        keys[name] = spec
        for old in spec.deprecated_names:
            if old in keys or old in aliases:
                raise Table(file, data, ("keys", name)).error(
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
        keys=keys,
        display_path=file.display_path,
        listen_port_key=listen,
        aliases=aliases,
        lines=LazyLines(path=file.path),
    )


#: The specs of whole key tables, by their text as :func:`split_tables` cuts it (the
#: header and its lines) and the project's environments. The keys of a large project
#: recur across its services with the same tables, so most of a schema is read by
#: looking its tables up. Only tables certainly valid are kept, and at most so many, so
#: that a long-running process does not grow without end.
_TABLE_SPECS: dict[tuple[str, ...], dict[str, KeySpec]] = {}
_TABLE_SPECS_KEPT = 100_000
#: The top-level fields of a schema; all are strings.
_TOP_FIELDS = frozenset({"service", "description", "listen_port_key"})


def _table_spec(part: str, environments: tuple[str, ...]) -> KeySpec | None:
    """The spec of a ``[keys.NAME]`` table that is certainly valid, else None."""
    parsed = parse_simple_table(part)
    if parsed is None:
        return None
    path, data = parsed
    if len(path) != 2 or path[0] != "keys" or not _plain_key_table(data, environments):
        return None
    return _key_spec(path[1], data)


def _quick_schema(
    text: str, display_path: str, path: Path, environments: tuple[str, ...]
) -> ServiceSchema | None:
    """The schema :func:`schema_from_toml` reads from ``text``, when it is certainly valid
    and plain (top-level strings, then ``[keys.NAME]`` tables); otherwise None, and the
    whole file is read field by field, which says what is wrong and where.
    """
    if text.startswith("\ufeff"):
        return None
    top_part, *parts = split_tables(text)
    top = parse_simple_toml(top_part)
    if top is None or not _TOP_FIELDS.issuperset(top):
        return None
    for value in top.values():
        if type(value) is not str:
            return None
    known = _TABLE_SPECS.get(environments)
    if known is None:
        known = _TABLE_SPECS[environments] = {}
    keys: dict[str, KeySpec] = {}
    renamed: list[KeySpec] = []
    for part in parts:
        spec = known.get(part)
        if spec is None:
            spec = _table_spec(part, environments)
            if spec is None:
                return None
            if len(known) < _TABLE_SPECS_KEPT:
                known[part] = spec
        name = spec.name
        if name in keys:
            return None  # a table declared twice
        keys[name] = spec
        if spec.deprecated_names:
            renamed.append(spec)
    # schema_from_toml accepts deprecated names only when each is named once, and is no key.
    aliases: dict[str, str] = {}
    for spec in renamed:
        for old in spec.deprecated_names:
            if old in keys or old in aliases:
                return None
            aliases[old] = spec.name
    listen = top.get("listen_port_key")
    if listen is not None and listen not in keys:
        return None
    return ServiceSchema(
        keys=keys,
        display_path=display_path,
        listen_port_key=listen,
        aliases=aliases,
        lines=LazyLines(path=path),
    )


def load_schema(path: Path, display_path: str, environments: tuple[str, ...] = ()) -> ServiceSchema:
    """Read a TOML service schema file."""
    if path.suffix != ".toml":
        raise DriftcheckError("a schema file must be a .toml file", display_path)
    text = read_text(path, display_path)
    quick = _quick_schema(text, display_path, path, environments)
    if quick is not None:
        return quick
    return schema_from_toml(parse_toml(text, display_path, path), environments)
