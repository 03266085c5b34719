"""Contract tests: the names driftcheck derives from a pydantic-settings class are exactly
the names the installed pydantic-settings reads.

Every settings class below is inspected by driftcheck, then instantiated by the real
pydantic-settings with a made-up environment (``os.environ`` replaced, no ``.env`` file):

- every derived name, canonical or deprecated, set alone (with the other required keys)
  changes exactly the field it stands for, to the value given;
- the required keys alone are enough, and leaving out any one of them fails;
- near names (no prefix, another prefix, a suffix, another case where case matters) are
  not read;
- the names, types and flags are the ones expected, written out by hand per class.

Then the import path: bad references, modules that fail to import, and canaries that
must appear in no error and no ``repr()``.
"""

from __future__ import annotations

import contextlib
import enum
import ipaddress
import json
import math
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, Optional, Union

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import (
    AliasChoices,
    AliasPath,
    AnyUrl,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    IPvAnyAddress,
    MySQLDsn,
    PostgresDsn,
    RedisDsn,
    SecretBytes,
    SecretStr,
    ValidationError,
    create_model,
)
from pydantic.alias_generators import to_camel
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from driftcheck.errors import DriftcheckError
from driftcheck.schema import KeySpec, ServiceSchema
from driftcheck.settings_class import schema_from_settings, schema_from_settings_class

HAS_PREFIX_TARGET = "env_prefix_target" in SettingsConfigDict.__annotations__
HAS_VALIDATE_BY_ALIAS = "validate_by_alias" in ConfigDict.__annotations__

CANARY = "CANARYQZXWVJ"


# --- instantiating the real thing -------------------------------------------------------


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """``os.environ`` holding exactly ``values`` (pydantic-settings reads it afresh)."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def load(cls: type[BaseSettings], env: dict[str, str]) -> BaseSettings:
    with environment(env):
        return cls(_env_file=None)  # type: ignore[call-arg]


def norm(value: Any) -> str:
    """A parsed value as comparable text."""
    if isinstance(value, (SecretStr, SecretBytes)):
        value = value.get_secret_value()
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, set, tuple, frozenset)):
        return json.dumps(sorted(norm(item) for item in value))
    if isinstance(value, float):
        return repr(value)
    return str(value)


def flatten(model: Any, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], str]:
    """Every leaf of a settings instance, by field path, as text."""
    leaves: dict[tuple[str, ...], str] = {}
    fields = getattr(type(model), "__pydantic_fields__", None)
    if not isinstance(fields, dict) or isinstance(model, type):
        return {path: norm(model)}
    for name in fields:
        leaves.update(flatten(getattr(model, name), (*path, name)))
    return leaves


def changed(before: dict[tuple[str, ...], str], after: dict[tuple[str, ...], str]) -> set[Any]:
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


# --- values for keys ----------------------------------------------------------------------


def samples(spec: KeySpec, overrides: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """Two different valid values for a key, the first different from its default."""
    if spec.name in overrides:
        return overrides[spec.name]
    kind = spec.type
    if kind == "secret":
        pad = "x" * max(24, spec.min_length or 0)
        return f"one-{pad}", f"two-{pad}"
    if kind == "bool":
        return ("false", "true") if spec.default == "true" else ("true", "false")
    if kind in ("int", "port"):
        low = math.ceil(spec.minimum) if spec.minimum is not None else 1
        high = math.floor(spec.maximum) if spec.maximum is not None else low + 1000
        ints = [str(n) for n in range(low + (high - low) // 3, high + 1) if str(n) != spec.default]
        return ints[0], ints[1]
    if kind == "float":
        low = spec.minimum if spec.minimum is not None else 0.25
        high = spec.maximum if spec.maximum is not None else 100.0
        floats = [repr(low + (high - low) * k / 7) for k in range(1, 7)]
        floats = [f for f in floats if spec.default is None or float(f) != float(spec.default)]
        return floats[0], floats[1]
    if kind == "enum":
        choices = [c for c in spec.choices if c != spec.default]
        return choices[0], choices[-1] if len(choices) > 1 else spec.choices[0]
    if kind == "url":
        assert not spec.masked, f"{spec.name}: a DSN needs a sample in the case's overrides"
        return "https://one.example.com/", "https://two.example.com/"
    if kind == "host":
        return "10.1.2.3", "10.1.2.4"
    if kind == "list":
        return '["one"]', '["two", "three"]'
    assert spec.pattern is None, f"{spec.name}: a pattern needs a sample in the overrides"
    pad = "v" * (spec.min_length or 0)
    return f"one-{pad}", f"two-{pad}"


def expected_text(spec: KeySpec, text: str) -> str | None:
    """What the field holds after reading ``text``, where that is simple to say."""
    if spec.type in ("str", "secret"):
        return text
    if spec.type in ("int", "port"):
        return str(int(text))
    if spec.type == "float":
        return repr(float(text))
    if spec.type == "bool":
        return text
    if spec.type == "list":
        return json.dumps(sorted(json.loads(text)))
    return None


# --- the cases ----------------------------------------------------------------------------


@dataclass
class Case:
    """A settings class and what driftcheck must derive from it, written out by hand.

    ``keys`` maps each canonical name to the field path it feeds and its deprecated names.
    """

    cls: type[BaseSettings]
    keys: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]
    overrides: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: Names derived for a key whose value pydantic-settings reads another way.
    skip_value_check: frozenset[str] = frozenset()


class Plain(BaseSettings):
    port: int = 8000
    debug: bool = False
    name: str
    ratio: float = 0.5


class Prefixed(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_")

    host: str = "localhost"
    port: int
    timeout: float = 1.5
    signing_secret: SecretStr
    token: Optional[SecretStr] = None  # noqa: UP045 (the Optional spelling is under test)
    maybe: int | None = None
    raw: SecretBytes = SecretBytes(b"dev-bytes-0123456789abcdef")


class CaseSensitive(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="Svc_", case_sensitive=True)

    mixedCase: str = "a"
    lower: int = 1
    UPPER: str = "x"


class Aliased(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_")

    a: str = Field("x", alias="SERVICE_A")
    b: int = Field(0, validation_alias="B_VAR")
    c: str = Field("c", validation_alias=AliasChoices("C_NEW", "C_OLD", "c_legacy"))
    d: int = Field(0, validation_alias=AliasChoices(AliasPath("blob", "d"), "D_PLAIN"))
    e: int = Field(0, validation_alias=AliasPath("cfg", "e"))
    plain: str = "p"


class PopulateByName(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_", populate_by_name=True)

    f: str = Field("x", alias="F_ALIAS")
    g: int = Field(0, validation_alias=AliasChoices("G_ONE", "G_TWO"))
    h: str = "h"


class Generated(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SVC_", alias_generator=to_camel)

    db_host: str = "h"
    read_timeout: int = 3


class Pool(BaseModel):
    size: int = 5
    token: SecretStr = SecretStr("pool-token-0123456789abcdef")


class Database(BaseModel):
    host: str
    port: int = 5432
    pool: Pool = Pool()


class Cache(BaseModel):
    url: RedisDsn = RedisDsn("redis://localhost:6379/0")
    ttl: int = 60


class Nested(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_", env_nested_delimiter="__")

    db: Database
    cache: Optional[Cache] = None  # noqa: UP045
    name: str = "svc"


class NestedMaxSplit(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="APP_", env_nested_delimiter="__", env_nested_max_split=1
    )

    db: Database


class NestedJsonOnly(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_")

    db: Database
    cache: Cache = Cache()


class AliasedSub(BaseModel):
    host_name: str = Field("h", validation_alias="HostName")
    level: int = Field(1, validation_alias=AliasChoices("Level", "lvl"))
    mixedCase: str = "m"


class NestedAliases(BaseSettings):
    model_config = SettingsConfigDict(env_nested_delimiter="__")

    sub: AliasedSub = AliasedSub()
    other: AliasedSub = Field(AliasedSub(), validation_alias="ALT")


class NestedAliasesSensitive(BaseSettings):
    model_config = SettingsConfigDict(env_nested_delimiter="__", case_sensitive=True)

    sub: AliasedSub = AliasedSub()


class Mode(str, enum.Enum):
    fast = "FAST"
    slow = "SLOW"


class Level(enum.IntEnum):
    low = 1
    high = 2


class Mixed(enum.Enum):
    word = "word"
    number = 7  # the environment cannot give it: "7" is not 7


class Types(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="T_")

    mode: Mode = Mode.fast
    level: Level = Level.low
    mixed: Mixed = Mixed.number
    log_level: Literal["debug", "info", "warning"] = "info"
    numeric_literal: Literal["a", "b", 3] = "a"
    either: Union[Literal["x"], Literal["y"]] = "x"  # noqa: UP007
    workers: int = Field(4, ge=1, lt=65)
    ratio: float = Field(0.5, gt=0, le=1)
    code: str = Field("abc", pattern=r"^[a-z]+$", min_length=3)
    api_key: Annotated[SecretStr, Field(min_length=32)]
    admin_port: int = 9000
    listen: Annotated[int, Field(ge=1, le=65535)] = 8080
    port: int | None = None
    count: int = Field(0, ge=0, le=65535)
    hosts: list[str] = []
    tags: set[str] = set()
    site: HttpUrl = HttpUrl("https://example.com/")
    anything: AnyUrl = AnyUrl("https://example.com/")
    database_url: PostgresDsn
    cache_dsn: Optional[RedisDsn] = None  # noqa: UP045
    mysql: MySQLDsn = MySQLDsn("mysql://u@localhost:3306/db")
    address: IPvAnyAddress = ipaddress.ip_address("127.0.0.1")
    amount: Decimal = Decimal("1.5")
    required_optional: Optional[int]  # noqa: UP045 (still required: no default)
    from_factory: list[int] = Field(default_factory=lambda: [1, 2])
    path: Path = Path("/tmp")
    mapping: dict[str, int] = {}


class ParseEnums(BaseSettings):
    model_config = SettingsConfigDict(env_parse_enums=True, env_parse_none_str="null")

    level: Level = Level.low
    mode: Optional[Mode] = None  # noqa: UP045


class Unicode(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_")

    straße: str = "s"
    café: int = 1


class Base(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BASE_")

    inherited: str = "i"


class Child(Base):
    own: int = 1


CASES: dict[str, Case] = {
    "plain": Case(
        Plain,
        {
            "PORT": (("port",), ()),
            "DEBUG": (("debug",), ()),
            "NAME": (("name",), ()),
            "RATIO": (("ratio",), ()),
        },
    ),
    "prefixed": Case(
        Prefixed,
        {
            "APP_HOST": (("host",), ()),
            "APP_PORT": (("port",), ()),
            "APP_TIMEOUT": (("timeout",), ()),
            "APP_SIGNING_SECRET": (("signing_secret",), ()),
            "APP_TOKEN": (("token",), ()),
            "APP_MAYBE": (("maybe",), ()),
            "APP_RAW": (("raw",), ()),
        },
    ),
    "case-sensitive": Case(
        CaseSensitive,
        {
            "Svc_mixedCase": (("mixedCase",), ()),
            "Svc_lower": (("lower",), ()),
            "Svc_UPPER": (("UPPER",), ()),
        },
    ),
    "aliases": Case(
        Aliased,
        {
            "SERVICE_A": (("a",), ()),
            "B_VAR": (("b",), ()),
            "C_NEW": (("c",), ("C_OLD", "C_LEGACY")),
            "D_PLAIN": (("d",), ()),
            "APP_PLAIN": (("plain",), ()),
        },
    ),
    "populate-by-name": Case(
        PopulateByName,
        {
            "F_ALIAS": (("f",), ("APP_F",)),
            "G_ONE": (("g",), ("G_TWO", "APP_G")),
            "APP_H": (("h",), ()),
        },
    ),
    "alias-generator": Case(
        Generated,
        {"DBHOST": (("db_host",), ()), "READTIMEOUT": (("read_timeout",), ())},
    ),
    "nested": Case(
        Nested,
        {
            "APP_DB": (("db",), ()),
            "APP_DB__HOST": (("db", "host"), ()),
            "APP_DB__PORT": (("db", "port"), ()),
            "APP_DB__POOL": (("db", "pool"), ()),
            "APP_DB__POOL__SIZE": (("db", "pool", "size"), ()),
            "APP_DB__POOL__TOKEN": (("db", "pool", "token"), ()),
            "APP_CACHE": (("cache",), ()),
            "APP_CACHE__URL": (("cache", "url"), ()),
            "APP_CACHE__TTL": (("cache", "ttl"), ()),
            "APP_NAME": (("name",), ()),
        },
        overrides={
            "APP_DB": ('{"host": "j1", "port": 6001}', '{"host": "j2", "port": 6002}'),
            "APP_DB__POOL": ('{"size": 11}', '{"size": 12}'),
            "APP_CACHE": ('{"ttl": 5}', '{"ttl": 6}'),
            "APP_CACHE__URL": ("redis://one:6379/1", "redis://two:6379/2"),
        },
    ),
    "nested-max-split": Case(
        NestedMaxSplit,
        {
            "APP_DB": (("db",), ()),
            "APP_DB__HOST": (("db", "host"), ()),
            "APP_DB__PORT": (("db", "port"), ()),
            "APP_DB__POOL": (("db", "pool"), ()),
        },
        overrides={
            "APP_DB": ('{"host": "j1", "port": 6001}', '{"host": "j2", "port": 6002}'),
            "APP_DB__POOL": ('{"size": 11}', '{"size": 12}'),
        },
    ),
    "nested-json-only": Case(
        NestedJsonOnly,
        {"APP_DB": (("db",), ()), "APP_CACHE": (("cache",), ())},
        overrides={
            "APP_DB": ('{"host": "j1", "port": 6001}', '{"host": "j2", "port": 6002}'),
            "APP_CACHE": ('{"ttl": 5}', '{"ttl": 6}'),
        },
    ),
    "nested-aliases": Case(
        NestedAliases,
        {
            "SUB": (("sub",), ()),
            "SUB__HOSTNAME": (("sub", "host_name"), ()),
            "SUB__LEVEL": (("sub", "level"), ("SUB__LVL",)),
            "SUB__MIXEDCASE": (("sub", "mixedCase"), ()),
            "ALT": (("other",), ()),
            "ALT__HOSTNAME": (("other", "host_name"), ()),
            "ALT__LEVEL": (("other", "level"), ("ALT__LVL",)),
            "ALT__MIXEDCASE": (("other", "mixedCase"), ()),
        },
        overrides={
            "SUB": ('{"HostName": "json-one"}', '{"HostName": "json-two"}'),
            "ALT": ('{"HostName": "json-one"}', '{"HostName": "json-two"}'),
        },
    ),
    "nested-aliases-case-sensitive": Case(
        NestedAliasesSensitive,
        {
            "sub": (("sub",), ()),
            "sub__HostName": (("sub", "host_name"), ()),
            "sub__Level": (("sub", "level"), ("sub__lvl",)),
            "sub__mixedCase": (("sub", "mixedCase"), ()),
        },
        overrides={"sub": ('{"HostName": "json-one"}', '{"HostName": "json-two"}')},
    ),
    "types": Case(
        Types,
        {
            "T_MODE": (("mode",), ()),
            "T_LEVEL": (("level",), ()),
            "T_MIXED": (("mixed",), ()),
            "T_LOG_LEVEL": (("log_level",), ()),
            "T_NUMERIC_LITERAL": (("numeric_literal",), ()),
            "T_EITHER": (("either",), ()),
            "T_WORKERS": (("workers",), ()),
            "T_RATIO": (("ratio",), ()),
            "T_CODE": (("code",), ()),
            "T_API_KEY": (("api_key",), ()),
            "T_ADMIN_PORT": (("admin_port",), ()),
            "T_LISTEN": (("listen",), ()),
            "T_PORT": (("port",), ()),
            "T_COUNT": (("count",), ()),
            "T_HOSTS": (("hosts",), ()),
            "T_TAGS": (("tags",), ()),
            "T_SITE": (("site",), ()),
            "T_ANYTHING": (("anything",), ()),
            "T_DATABASE_URL": (("database_url",), ()),
            "T_CACHE_DSN": (("cache_dsn",), ()),
            "T_MYSQL": (("mysql",), ()),
            "T_ADDRESS": (("address",), ()),
            "T_AMOUNT": (("amount",), ()),
            "T_REQUIRED_OPTIONAL": (("required_optional",), ()),
            "T_FROM_FACTORY": (("from_factory",), ()),
            "T_PATH": (("path",), ()),
            "T_MAPPING": (("mapping",), ()),
        },
        overrides={
            "T_CODE": ("abcd", "wxyz"),
            "T_DATABASE_URL": (
                "postgresql://app:pw-one@db1.internal:5432/app",
                "postgresql://app:pw-two@db2.internal:5432/app",
            ),
            "T_CACHE_DSN": ("redis://cache1:6379/0", "redis://:pw@cache2:6379/1"),
            "T_MYSQL": ("mysql://u:p@m1:3306/db", "mysql://u:p@m2:3306/db"),
            "T_FROM_FACTORY": ("[7]", "[8, 9]"),
            "T_PATH": ("/srv/one", "/srv/two"),
            "T_MAPPING": ('{"a": 1}', '{"b": 2}'),
        },
        skip_value_check=frozenset({"T_FROM_FACTORY", "T_AMOUNT", "T_MAPPING"}),
    ),
    "parse-enums": Case(
        ParseEnums,
        {"LEVEL": (("level",), ()), "MODE": (("mode",), ())},
    ),
    "unicode": Case(
        Unicode,
        {"APP_STRAßE": (("straße",), ()), "APP_CAFÉ": (("café",), ())},
    ),
    "inherited": Case(
        Child,
        {"BASE_INHERITED": (("inherited",), ()), "BASE_OWN": (("own",), ())},
    ),
}

if HAS_PREFIX_TARGET:

    class PrefixAll(BaseSettings):
        model_config = SettingsConfigDict(env_prefix="APP_", env_prefix_target="all")

        a: str = Field("x", alias="A_ALIAS")
        b: str = "b"

    class PrefixAlias(BaseSettings):
        model_config = SettingsConfigDict(env_prefix="APP_", env_prefix_target="alias")

        a: str = Field("x", alias="A_ALIAS")
        b: str = "b"

    CASES["prefix-target-all"] = Case(
        PrefixAll, {"APP_A_ALIAS": (("a",), ()), "APP_B": (("b",), ())}
    )
    CASES["prefix-target-alias"] = Case(
        PrefixAlias, {"APP_A_ALIAS": (("a",), ()), "B": (("b",), ())}
    )

if HAS_VALIDATE_BY_ALIAS:

    class ByNameOnly(BaseSettings):
        model_config = SettingsConfigDict(
            env_prefix="APP_", validate_by_alias=False, validate_by_name=True
        )

        g: int = Field(0, alias="G_ALIAS")

    CASES["validate-by-name-only"] = Case(ByNameOnly, {"APP_G": (("g",), ())})


def case_ids() -> list[str]:
    return sorted(CASES)


# --- the contract, checked for any class --------------------------------------------------


def required_env(
    schema: ServiceSchema, overrides: dict[str, tuple[str, str]], leave_out: str | None = None
) -> dict[str, str]:
    return {
        spec.name: samples(spec, overrides)[0]
        for spec in schema.keys.values()
        if spec.required is True and spec.name != leave_out
    }


def find_path(
    cls: type[BaseSettings],
    schema: ServiceSchema,
    spec: KeySpec,
    name: str,
    overrides: dict[str, tuple[str, str]],
) -> tuple[set[Any], dict[tuple[str, ...], str], dict[tuple[str, ...], str]]:
    """The field paths that setting ``name`` changes, and the leaves before and after."""
    base = required_env(schema, overrides, leave_out=spec.name)
    first, second = samples(spec, overrides)
    if spec.required is True:
        before = flatten(load(cls, {**base, name: second}))
    else:
        before = flatten(load(cls, base))
    after = flatten(load(cls, {**base, name: first}))
    return changed(before, after), before, after


def assert_every_name_is_read(
    cls: type[BaseSettings],
    schema: ServiceSchema,
    expected_path: dict[str, tuple[str, ...]],
    overrides: dict[str, tuple[str, str]] | None = None,
    skip_value_check: frozenset[str] = frozenset(),
) -> int:
    overrides = overrides or {}
    checked = 0
    for spec in schema.keys.values():
        path = expected_path[spec.name]
        for name in (spec.name, *spec.deprecated_names):
            paths, before, leaves = find_path(cls, schema, spec, name, overrides)
            assert paths, f"{name} is derived but pydantic-settings does not read it"
            # Under the field, or under a model that was None before and now exists.
            roots = [path] + [q for q in before if before[q] == "None" and path[: len(q)] == q]
            assert all(any(p[: len(q)] == q for q in roots) for p in paths), (name, paths)
            want = expected_text(spec, samples(spec, overrides)[0])
            if want is not None and path in leaves and spec.name not in skip_value_check:
                assert leaves[path] == want, (name, leaves[path], want)
            checked += 1
    return checked


def near_names(name: str, prefix: str, case_sensitive: bool) -> list[str]:
    names = [f"X{name}", f"{name}_X", f"{name}X"]
    if prefix and name.lower().startswith(prefix.lower()):
        names.append(name[len(prefix) :])
        names.append(f"{prefix}{prefix}{name[len(prefix) :]}")
    if case_sensitive and name.swapcase() != name:
        names.append(name.swapcase())
    return names


def assert_near_names_are_not_read(
    cls: type[BaseSettings],
    schema: ServiceSchema,
    overrides: dict[str, tuple[str, str]] | None = None,
) -> int:
    overrides = overrides or {}
    config = cls.model_config
    prefix = config.get("env_prefix") or ""
    case_sensitive = bool(config.get("case_sensitive"))
    fold = (lambda n: n) if case_sensitive else str.lower
    known = {fold(n) for spec in schema.keys.values() for n in (spec.name, *spec.deprecated_names)}
    checked = 0
    for spec in schema.keys.values():
        base = required_env(schema, overrides, leave_out=spec.name)
        first, _second = samples(spec, overrides)
        for near in near_names(spec.name, prefix, case_sensitive):
            if fold(near) in known or any(fold(near).startswith(k + "__") for k in known):
                continue
            if spec.required is True:
                with pytest.raises(ValidationError) as caught:
                    load(cls, {**base, near: first})
                assert {error["type"] for error in caught.value.errors()} == {"missing"}, near
            else:
                before = flatten(load(cls, base))
                after = flatten(load(cls, {**base, near: first}))
                assert changed(before, after) == set(), f"{near} is read, like {spec.name}"
            checked += 1
    return checked


def assert_required_keys_suffice(
    cls: type[BaseSettings],
    schema: ServiceSchema,
    overrides: dict[str, tuple[str, str]] | None = None,
) -> None:
    overrides = overrides or {}
    load(cls, required_env(schema, overrides))
    for spec in schema.keys.values():
        if spec.required is True:
            with pytest.raises(ValidationError):
                load(cls, required_env(schema, overrides, leave_out=spec.name))


# --- the hand-written cases ---------------------------------------------------------------


@pytest.mark.parametrize("case_id", case_ids())
def test_derived_names_are_the_expected_ones(case_id: str) -> None:
    case = CASES[case_id]
    schema = schema_from_settings(case.cls)
    derived = {name: spec.deprecated_names for name, spec in schema.keys.items()}
    assert derived == {name: deprecated for name, (_, deprecated) in case.keys.items()}
    assert schema.aliases == {
        old: name for name, (_, deprecated) in case.keys.items() for old in deprecated
    }


@pytest.mark.parametrize("case_id", case_ids())
def test_pydantic_settings_reads_every_derived_name(case_id: str) -> None:
    case = CASES[case_id]
    schema = schema_from_settings(case.cls)
    paths = {name: path for name, (path, _) in case.keys.items()}
    checked = assert_every_name_is_read(
        case.cls, schema, paths, case.overrides, case.skip_value_check
    )
    assert checked == sum(1 + len(deprecated) for _, deprecated in case.keys.values())


@pytest.mark.parametrize("case_id", case_ids())
def test_pydantic_settings_reads_no_near_name(case_id: str) -> None:
    case = CASES[case_id]
    schema = schema_from_settings(case.cls)
    assert assert_near_names_are_not_read(case.cls, schema, case.overrides) > 0


@pytest.mark.parametrize("case_id", case_ids())
def test_required_keys_are_exactly_what_instantiation_needs(case_id: str) -> None:
    case = CASES[case_id]
    assert_required_keys_suffice(case.cls, schema_from_settings(case.cls), case.overrides)


def test_case_insensitive_names_are_upper_case_and_other_spellings_are_read_too() -> None:
    schema = schema_from_settings(Prefixed)
    assert all(name == name.upper() for name in schema.keys)
    required = required_env(schema, {})
    for spelling in ("app_host", "App_Host", "aPP_hOST"):
        assert load(Prefixed, {**required, spelling: "elsewhere"}).host == "elsewhere"  # type: ignore[attr-defined]


def test_case_sensitive_names_keep_their_spelling_and_no_other_is_read() -> None:
    schema = schema_from_settings(CaseSensitive)
    assert set(schema.keys) == {"Svc_mixedCase", "Svc_lower", "Svc_UPPER"}
    for spelling in ("SVC_MIXEDCASE", "svc_mixedcase", "Svc_mixedcase"):
        assert load(CaseSensitive, {spelling: "other"}).mixedCase == "a"  # type: ignore[attr-defined]


def test_names_whose_upper_case_pydantic_would_not_match_keep_their_letters() -> None:
    schema = schema_from_settings(Unicode)
    assert "APP_STRASSE" not in schema.keys
    assert load(Unicode, {"APP_STRASSE": "x"}).straße == "s"  # type: ignore[attr-defined]
    assert load(Unicode, {"APP_STRAßE": "x"}).straße == "x"  # type: ignore[attr-defined]


def test_alias_path_entries_are_skipped() -> None:
    schema = schema_from_settings(Aliased)
    assert not any(spec.name in ("BLOB", "CFG", "E", "APP_E") for spec in schema.keys.values())
    # What the skipped entry reads: a JSON object under the path's first name.
    assert load(Aliased, {"cfg": '{"e": 5}'}).e == 5  # type: ignore[attr-defined]


def spec_of(cls: type[BaseSettings], name: str) -> KeySpec:
    return schema_from_settings(cls).keys[name]


def test_secret_types_are_declared_secrets_and_masked() -> None:
    for cls, name in (
        (Prefixed, "APP_SIGNING_SECRET"),
        (Prefixed, "APP_TOKEN"),
        (Prefixed, "APP_RAW"),
        (Types, "T_API_KEY"),
        (Nested, "APP_DB__POOL__TOKEN"),
    ):
        spec = spec_of(cls, name)
        assert (spec.type, spec.secret, spec.masked, spec.default) == ("secret", True, True, None)
    assert spec_of(Types, "T_API_KEY").min_length == 32
    assert spec_of(Prefixed, "APP_SIGNING_SECRET").required is True
    assert spec_of(Prefixed, "APP_TOKEN").required is False


def test_dsn_types_are_masked_urls_and_web_urls_are_not() -> None:
    for name in ("T_DATABASE_URL", "T_CACHE_DSN", "T_MYSQL"):
        spec = spec_of(Types, name)
        assert (spec.type, spec.secret, spec.masked, spec.default) == ("url", False, True, None)
    for name in ("T_SITE", "T_ANYTHING"):
        spec = spec_of(Types, name)
        assert (spec.type, spec.masked) == ("url", False)
    assert spec_of(Nested, "APP_CACHE__URL").masked


def test_a_model_holding_a_secret_has_a_masked_json_key() -> None:
    assert spec_of(Nested, "APP_DB").masked
    assert spec_of(Nested, "APP_DB__POOL").masked
    assert not spec_of(Nested, "APP_DB__POOL").secret
    assert spec_of(Nested, "APP_CACHE").masked  # a DSN carries a password


def test_secret_looking_names_are_masked_and_keep_no_default() -> None:
    class Named(BaseSettings):
        api_token: str = f"{CANARY}-token"
        password_hint: str = "plain"

    spec = spec_of(Named, "API_TOKEN")
    assert spec.masked
    assert not spec.secret
    assert spec.default is None
    assert spec_of(Named, "PASSWORD_HINT").masked


def test_scalar_types_and_defaults() -> None:
    keys = schema_from_settings(Plain).keys
    assert [(s.type, s.required, s.default) for s in keys.values()] == [
        ("port", False, "8000"),
        ("bool", False, "false"),
        ("str", True, None),
        ("float", False, "0.5"),
    ]
    types = schema_from_settings(Types).keys
    assert types["T_MODE"].default == "FAST"
    assert types["T_LEVEL"].default == "1"
    assert types["T_AMOUNT"].type == "float"
    assert types["T_AMOUNT"].default is None  # a Decimal is not a plain scalar
    assert types["T_ADDRESS"].type == "host"
    assert types["T_PATH"].type == "str"
    assert types["T_MAPPING"].type == "str"
    assert types["T_FROM_FACTORY"].required is False
    assert types["T_FROM_FACTORY"].default is None


def test_optional_without_default_is_still_required() -> None:
    types = schema_from_settings(Types).keys
    assert types["T_REQUIRED_OPTIONAL"].required is True
    assert types["T_REQUIRED_OPTIONAL"].type == "int"
    assert types["T_CACHE_DSN"].required is False
    with pytest.raises(ValidationError):
        load(Types, {"T_API_KEY": "k" * 32, "T_DATABASE_URL": "postgresql://h/db"})


def test_enum_and_literal_choices_are_what_the_environment_can_give() -> None:
    types = schema_from_settings(Types).keys
    assert types["T_MODE"].choices == ("FAST", "SLOW")
    assert types["T_LEVEL"].choices == ("1", "2")
    assert types["T_MIXED"].choices == ("word",)
    assert types["T_LOG_LEVEL"].choices == ("debug", "info", "warning")
    assert types["T_NUMERIC_LITERAL"].choices == ("a", "b")
    assert types["T_EITHER"].choices == ("x", "y")
    assert all(types[n].type == "enum" for n in ("T_MODE", "T_LEVEL", "T_MIXED", "T_EITHER"))
    parse = schema_from_settings(ParseEnums).keys
    assert parse["LEVEL"].choices == ("1", "2", "low", "high")
    assert parse["MODE"].choices == ("FAST", "SLOW", "fast", "slow", "null")


@pytest.mark.parametrize(
    ("cls", "name", "choice", "path"),
    [
        (Types, "T_LEVEL", "2", "level"),
        (Types, "T_MIXED", "word", "mixed"),
        (Types, "T_EITHER", "y", "either"),
        (ParseEnums, "LEVEL", "high", "level"),
        (ParseEnums, "MODE", "slow", "mode"),
        (ParseEnums, "MODE", "null", "mode"),
    ],
)
def test_every_enum_choice_is_accepted(
    cls: type[BaseSettings], name: str, choice: str, path: str
) -> None:
    schema = schema_from_settings(cls)
    assert choice in schema.keys[name].choices
    load(cls, {**required_env(schema, CASES["types"].overrides), name: choice})


@pytest.mark.parametrize(
    ("name", "value"), [("T_MIXED", "7"), ("T_NUMERIC_LITERAL", "3"), ("T_LEVEL", "high")]
)
def test_values_left_out_of_choices_are_refused(name: str, value: str) -> None:
    schema = schema_from_settings(Types)
    assert value not in schema.keys[name].choices
    with pytest.raises(ValidationError):
        load(Types, {**required_env(schema, CASES["types"].overrides), name: value})


def test_constraints_become_bounds_pattern_and_length() -> None:
    types = schema_from_settings(Types).keys
    assert (types["T_WORKERS"].minimum, types["T_WORKERS"].maximum) == (1, 64)
    assert types["T_RATIO"].minimum == math.nextafter(0, 1)
    assert types["T_RATIO"].maximum == 1
    assert (types["T_CODE"].pattern, types["T_CODE"].min_length) == (r"^[a-z]+$", 3)


@pytest.mark.parametrize(
    ("name", "value", "accepted"),
    [
        ("T_WORKERS", "1", True),
        ("T_WORKERS", "64", True),
        ("T_WORKERS", "0", False),
        ("T_WORKERS", "65", False),
        ("T_RATIO", "0", False),
        ("T_RATIO", "1", True),
        ("T_RATIO", "1.01", False),
        ("T_CODE", "ab", False),
        ("T_CODE", "ABC", False),
        ("T_CODE", "abc", True),
    ],
)
def test_constraints_agree_with_pydantic(name: str, value: str, accepted: bool) -> None:
    schema = schema_from_settings(Types)
    spec = schema.keys[name]
    number_ok = spec.type not in ("int", "float") or (
        (spec.minimum is None or float(value) >= spec.minimum)
        and (spec.maximum is None or float(value) <= spec.maximum)
    )
    import re

    text_ok = (spec.pattern is None or re.search(spec.pattern, value) is not None) and (
        spec.min_length is None or len(value) >= spec.min_length
    )
    assert (number_ok and text_ok) == accepted
    env = {**required_env(schema, CASES["types"].overrides), name: value}
    if accepted:
        load(Types, env)
    else:
        with pytest.raises(ValidationError):
            load(Types, env)


def test_ports_by_name_or_by_bounds() -> None:
    types = schema_from_settings(Types).keys
    assert types["T_ADMIN_PORT"].type == "port"
    assert types["T_PORT"].type == "port"
    assert types["T_PORT"].required is False
    assert types["T_LISTEN"].type == "port"
    assert (types["T_LISTEN"].minimum, types["T_LISTEN"].maximum) == (1, 65535)
    assert types["T_COUNT"].type == "port"
    assert types["T_WORKERS"].type == "int"
    assert schema_from_settings(Nested).keys["APP_DB__PORT"].type == "port"
    assert schema_from_settings(Plain).keys["PORT"].type == "port"


def test_lists_and_sets_are_lists_read_as_json() -> None:
    types = schema_from_settings(Types).keys
    assert types["T_HOSTS"].type == types["T_TAGS"].type == "list"
    required = required_env(schema_from_settings(Types), CASES["types"].overrides)
    with pytest.raises(Exception, match="error parsing value"):
        load(Types, {**required, "T_HOSTS": "a,b"})


def test_nested_keys_need_their_required_parents() -> None:
    keys = schema_from_settings(Nested).keys
    assert keys["APP_DB__HOST"].required is True
    assert keys["APP_DB"].required is False  # APP_DB__HOST is
    assert keys["APP_CACHE__TTL"].required is False
    assert keys["APP_DB__POOL__SIZE"].required is False
    only_json = schema_from_settings(NestedJsonOnly).keys
    assert only_json["APP_DB"].required is True
    assert only_json["APP_DB"].type == "str"
    assert only_json["APP_DB"].masked  # its pool holds a token


def test_nested_json_key_is_required_when_no_key_below_is() -> None:
    class Sub(BaseModel):
        a: int = 1

    class Outer(BaseSettings):
        model_config = SettingsConfigDict(env_nested_delimiter="__")
        sub: Sub

    keys = schema_from_settings(Outer).keys
    assert (keys["SUB"].required, keys["SUB__A"].required) == (True, False)
    with pytest.raises(ValidationError):
        load(Outer, {})
    assert load(Outer, {"SUB": "{}"}).sub.a == 1  # type: ignore[attr-defined]


def test_nested_delimiter_other_than_double_underscore() -> None:
    class Sub(BaseModel):
        port: int = 1

    class Dotted(BaseSettings):
        model_config = SettingsConfigDict(env_prefix="X_", env_nested_delimiter=".")
        sub: Sub = Sub()

    schema = schema_from_settings(Dotted)
    assert set(schema.keys) == {"X_SUB", "X_SUB.PORT"}
    assert schema.keys["X_SUB.PORT"].type == "port"
    assert assert_every_name_is_read(
        Dotted,
        schema,
        {"X_SUB": ("sub",), "X_SUB.PORT": ("sub", "port")},
        {"X_SUB": ('{"port": 2}', '{"port": 3}')},
    )


def test_a_name_two_fields_read_belongs_to_the_first() -> None:
    class Clash(BaseSettings):
        first: str = Field("a", validation_alias=AliasChoices("SHARED", "FIRST"))
        second: str = Field("b", validation_alias=AliasChoices("SHARED", "SECOND"))

    schema = schema_from_settings(Clash)
    assert schema.keys["SHARED"].deprecated_names == ("FIRST",)
    assert schema.keys["SECOND"].deprecated_names == ()
    both = load(Clash, {"SHARED": "x"})
    assert (both.first, both.second) == ("x", "x")  # type: ignore[attr-defined]


def test_schema_records_what_a_schema_file_would() -> None:
    schema = schema_from_settings(Plain)
    assert schema.display_path == f"{__name__}:Plain"
    assert schema_from_settings(Plain, display_path="svc").display_path == "svc"
    assert schema.listen_port_key is None
    assert schema.reads("PORT")
    assert not schema.reads("port")


# --- generated classes --------------------------------------------------------------------

_IDENT = st.from_regex(r"[a-z][a-zA-Z0-9]{0,5}(_[a-zA-Z0-9]{1,4})?", fullmatch=True)


@st.composite
def settings_classes(draw: st.DrawFn) -> type[BaseSettings]:
    prefix = draw(
        st.one_of(st.just(""), st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,4}_?", fullmatch=True))
    )
    case_sensitive = draw(st.booleans())
    by_name = draw(st.booleans())
    names = draw(st.lists(_IDENT, min_size=1, max_size=5, unique_by=str.lower))
    fields: dict[str, Any] = {}
    for index, name in enumerate(names):
        kind = draw(st.sampled_from(["plain", "alias", "choices", "required"]))
        if kind == "plain":
            fields[f"f{name}"] = (str, "default")
        elif kind == "required":
            fields[f"f{name}"] = (str, ...)
        elif kind == "alias":
            alias = draw(st.from_regex(rf"Q{index}[A-Za-z0-9_]{{0,6}}", fullmatch=True))
            fields[f"f{name}"] = (str, Field("default", validation_alias=alias))
        else:
            choices = draw(
                st.lists(
                    st.from_regex(rf"Q{index}[A-Za-z0-9]{{0,6}}", fullmatch=True),
                    min_size=1,
                    max_size=3,
                    unique_by=str.lower,
                )
            )
            fields[f"f{name}"] = (str, Field("default", validation_alias=AliasChoices(*choices)))
    base = type(
        "GeneratedBase",
        (BaseSettings,),
        {
            "model_config": SettingsConfigDict(
                env_prefix=prefix, case_sensitive=case_sensitive, populate_by_name=by_name
            )
        },
    )
    return create_model("GeneratedSettings", __base__=base, **fields)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(settings_classes())
def test_generated_classes_keep_the_contract(cls: type[BaseSettings]) -> None:
    schema = schema_from_settings(cls)
    config = cls.model_config
    fold = (lambda n: n) if config.get("case_sensitive") else str.lower
    names = [n for spec in schema.keys.values() for n in (spec.name, *spec.deprecated_names)]
    assume(len({fold(n) for n in names}) == len(names))
    prefix = config.get("env_prefix") or ""
    expected: dict[str, tuple[str, ...]] = {}
    for field_name, info in cls.model_fields.items():
        alias = info.validation_alias
        choices = [alias] if isinstance(alias, str) else list(getattr(alias, "choices", []))
        if not alias or config.get("populate_by_name"):
            choices.append(prefix + field_name)
        spelled = choices if config.get("case_sensitive") else [c.upper() for c in choices]
        spec = schema.keys[spelled[0]]
        assert spec.deprecated_names == tuple(spelled[1:])
        assert spec.required is info.is_required()
        expected[spec.name] = (field_name,)
    assert set(expected) == set(schema.keys)
    assert_every_name_is_read(cls, schema, expected)
    assert_near_names_are_not_read(cls, schema)


# --- references, imports and what never leaks ---------------------------------------------


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory holding a uniquely named package, as ``python -m`` sees it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


_package_counter = iter(range(10**6))


def write_module(root: Path, body: str) -> str:
    package = f"dcsettings{next(_package_counter)}_{os.getpid()}"
    (root / package).mkdir()
    (root / package / "__init__.py").write_text("")
    (root / package / "config.py").write_text(textwrap.dedent(body))
    return f"{package}.config"


GOOD_MODULE = """
    from pydantic import SecretStr
    from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

    class Settings(BaseSettings):
        model_config = SettingsConfigDict(env_prefix="SVC_")
        port: int = 8000
        token: SecretStr = SecretStr("CANARYQZXWVJ-default")

    class Outer:
        class Inner(BaseSettings):
            name: str = "n"

    def not_a_class():
        return None

    NOT_A_CLASS = 3
    """


def test_a_reference_is_imported_from_the_working_directory(project: Path) -> None:
    module = write_module(project, GOOD_MODULE)
    path_before = list(sys.path)
    schema = schema_from_settings_class(f"{module}:Settings")
    assert sys.path == path_before
    assert set(schema.keys) == {"SVC_PORT", "SVC_TOKEN"}
    assert schema.display_path == f"{module}:Settings"
    assert schema_from_settings_class(f"{module}:Settings", "x.py").display_path == "x.py"
    assert set(schema_from_settings_class(f"{module}:Outer.Inner").keys) == {"NAME"}


@pytest.mark.parametrize(
    "reference",
    ["pkg.settings", "pkg:", ":Settings", "a:b:c", "pkg-x:Settings", "pkg.:Settings", ""],
)
def test_malformed_references(reference: str) -> None:
    with pytest.raises(DriftcheckError, match=r"package\.module:ClassName") as caught:
        schema_from_settings_class(reference)
    assert f"'{reference}'" in str(caught.value)


def assert_clean_error(error: DriftcheckError, reference: str, *words: str) -> None:
    text = str(error)
    assert reference in text
    assert "\n" not in text
    assert CANARY not in text
    assert CANARY not in repr(error)
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__
    for word in words:
        assert word in text


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("import dc_no_such_dependency_xyz\n", ("ModuleNotFoundError",)),
        (f"raise RuntimeError('{CANARY} at import')\n", ("RuntimeError",)),
        (f"raise SystemExit('{CANARY}')\n", ("SystemExit",)),
        (f"X = '{CANARY}' +\n", ("SyntaxError", "config.py", "line 1")),
        (f"import os\nos.environ['{CANARY}']\n", ("KeyError",)),
        (f"raise ImportError('{CANARY}')\n", ("ImportError",)),
        (
            "from pydantic_settings import BaseSettings\n"
            "class Settings(BaseSettings):\n"
            "    port: int\n"
            "settings = Settings(_env_file=None)\n",
            ("ValidationError",),
        ),
    ],
)
def test_modules_that_fail_to_import(
    project: Path, monkeypatch: pytest.MonkeyPatch, body: str, words: tuple[str, ...]
) -> None:
    monkeypatch.setenv("PORT", f"{CANARY}-not-a-number")
    module = write_module(project, body)
    reference = f"{module}:Settings"
    path_before = list(sys.path)
    with pytest.raises(DriftcheckError) as caught:
        schema_from_settings_class(reference)
    assert sys.path == path_before
    assert_clean_error(caught.value, reference, *words)


def test_a_module_that_does_not_exist(project: Path) -> None:
    with pytest.raises(DriftcheckError) as caught:
        schema_from_settings_class("dc_missing_pkg_xyz.config:Settings")
    assert_clean_error(caught.value, "dc_missing_pkg_xyz.config:Settings", "no module named")
    module = write_module(project, GOOD_MODULE)
    missing = module.replace(".config", ".other")
    with pytest.raises(DriftcheckError) as caught:
        schema_from_settings_class(f"{missing}:Settings")
    assert_clean_error(caught.value, f"{missing}:Settings", "no module named")


@pytest.mark.parametrize(
    ("attribute", "words"),
    [
        ("Missing", ("has no attribute 'Missing'",)),
        ("Outer.Missing", ("has no attribute 'Outer.Missing'",)),
        ("not_a_class", ("is not a class",)),
        ("NOT_A_CLASS", ("is not a class",)),
        ("Outer", ("is not a pydantic-settings BaseSettings subclass",)),
        ("SecretStr", ("is not a pydantic-settings BaseSettings subclass",)),
        ("BaseSettings", ()),
    ],
)
def test_attributes_that_are_not_settings_classes(
    project: Path, attribute: str, words: tuple[str, ...]
) -> None:
    module = write_module(project, GOOD_MODULE)
    reference = f"{module}:{attribute}"
    if not words:
        assert schema_from_settings_class(reference).keys == {}
        return
    with pytest.raises(DriftcheckError) as caught:
        schema_from_settings_class(reference)
    assert_clean_error(caught.value, reference, *words)


def test_a_module_getattr_that_raises(project: Path) -> None:
    module = write_module(project, f"def __getattr__(name):\n    raise ValueError('{CANARY}')\n")
    with pytest.raises(DriftcheckError) as caught:
        schema_from_settings_class(f"{module}:Settings")
    assert_clean_error(caught.value, f"{module}:Settings", "ValueError")


def test_a_base_model_is_not_a_settings_class() -> None:
    with pytest.raises(DriftcheckError, match="not a pydantic-settings BaseSettings"):
        schema_from_settings(Database)
    with pytest.raises(DriftcheckError, match="is not a class"):
        schema_from_settings(object())  # type: ignore[arg-type]


class Canaries(BaseSettings):
    model_config = SettingsConfigDict(env_nested_delimiter="__")

    token: SecretStr = SecretStr(f"{CANARY}-secret-default")
    raw: SecretBytes = SecretBytes(f"{CANARY}-bytes".encode())
    maybe: Optional[SecretStr] = SecretStr(f"{CANARY}-optional")  # noqa: UP045
    api_key: str = f"{CANARY}-looks-secret"
    database_url: PostgresDsn = PostgresDsn(f"postgresql://u:{CANARY}@localhost/db")
    dsn_text: PostgresDsn = f"postgresql://u:{CANARY}@localhost/db"  # type: ignore[assignment]
    pool: Pool = Pool(token=SecretStr(f"{CANARY}-nested"))


def test_no_canary_in_the_schema() -> None:
    schema = schema_from_settings(Canaries)
    assert CANARY not in repr(schema)
    assert CANARY not in str(schema)
    for spec in schema.keys.values():
        assert spec.default is None or CANARY not in spec.default
        assert CANARY not in repr(spec)
    assert [name for name, spec in schema.keys.items() if not spec.masked] == ["POOL__SIZE"]


def test_no_canary_from_a_module_that_instantiates_its_settings(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SVC_PORT", f"{CANARY}-live-value")
    module = write_module(project, GOOD_MODULE + "\n    settings = Settings(_env_file=None)\n")
    with pytest.raises(DriftcheckError) as caught:
        schema_from_settings_class(f"{module}:Settings")
    assert_clean_error(caught.value, f"{module}:Settings", "ValidationError")


def test_importing_driftcheck_does_not_import_pydantic() -> None:
    code = (
        "import sys, driftcheck, driftcheck.schema, driftcheck.settings_class\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pydantic', 'pydantic_settings', 'pydantic_core'))\n"
        "print(loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# --- generated nested classes: derived names against every candidate spelling -------------

_SUB_IDENT = st.from_regex(r"[a-zA-Z][a-zA-Z0-9]{0,4}(_[a-zA-Z0-9]{1,3})?", fullmatch=True)


@st.composite
def sub_models(draw: st.DrawFn, depth: int, tag: str) -> type[BaseModel]:
    names = draw(st.lists(_SUB_IDENT, min_size=1, max_size=3, unique_by=str.lower))
    fields: dict[str, Any] = {}
    for index, name in enumerate(names):
        kind = draw(st.sampled_from(["plain", "alias", "choices"]))
        field_name = f"s{name}"
        if kind == "plain":
            fields[field_name] = (str, "d")
        elif kind == "alias":
            fields[field_name] = (str, Field("d", validation_alias=f"{tag}A{index}{name}"))
        else:
            fields[field_name] = (
                str,
                Field("d", validation_alias=AliasChoices(f"{tag}C{index}", f"{tag}c{index}x")),
            )
    if depth < 2 and draw(st.booleans()):
        inner = draw(sub_models(depth + 1, f"{tag}i"))
        if draw(st.booleans()):
            fields["deeper"] = (inner, inner())
        else:
            fields["deeper"] = (Optional[inner], None)  # noqa: UP045
    config = ConfigDict(populate_by_name=draw(st.booleans()))
    return create_model(f"Sub{tag}", __config__=config, **fields)


@st.composite
def nested_settings_classes(draw: st.DrawFn) -> type[BaseSettings]:
    sub = draw(sub_models(1, "K"))
    wrap = draw(st.sampled_from(["plain", "optional", "none-first", "alias"]))
    if wrap == "plain":
        top: Any = (sub, sub())
    elif wrap == "optional":
        top = (Optional[sub], None)  # noqa: UP045
    elif wrap == "none-first":
        top = (Union[None, sub], None)  # noqa: UP007
    else:
        top = (sub, Field(sub(), validation_alias=AliasChoices("TopA", "topB")))
    base = type(
        "NestedBase",
        (BaseSettings,),
        {
            "model_config": SettingsConfigDict(
                env_prefix=draw(st.sampled_from(["", "APP_", "Svc"])),
                case_sensitive=draw(st.booleans()),
                env_nested_delimiter=draw(st.sampled_from(["__", "_", "."])),
                populate_by_name=draw(st.booleans()),
            )
        },
    )
    return create_model("NestedGenerated", __base__=base, top=top)


def spellings(name: str) -> set[str]:
    return {name, name.upper(), name.lower()}


def candidate_names(cls: type[BaseSettings]) -> tuple[set[str], set[str]]:
    """Names a nested key might be spelled as: every alias and name, in three cases.

    The names of leaves, and the names of models (read as JSON).
    """
    config = cls.model_config
    delimiter = config["env_nested_delimiter"]
    prefix = config.get("env_prefix") or ""
    top = cls.model_fields["top"]
    tops = {
        s
        for n in (prefix + "top", "top", *_alias_names(top.validation_alias))
        for s in spellings(n)
    }
    leaves: set[str] = set()
    models: set[str] = set(tops)

    def walk(model: Any, above: set[str]) -> None:
        for name, info in model.model_fields.items():
            inner = _model_in(info.annotation)
            names = {
                parent + delimiter + spelled
                for parent in above
                for own in (name, *_alias_names(info.validation_alias))
                for spelled in spellings(own)
            }
            if inner is None:
                leaves.update(names)
            else:
                models.update(names)
                walk(inner, names)

    model = _model_in(top.annotation)
    walk(model, tops)
    return leaves, models


def _model_in(annotation: Any) -> Any:
    for member in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(member, type) and issubclass(member, BaseModel):
            return member
    return None


def _alias_names(alias: Any) -> list[str]:
    if isinstance(alias, str):
        return [alias]
    return [c for c in getattr(alias, "choices", []) if isinstance(c, str)]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nested_settings_classes())
def test_generated_nested_classes_keep_the_contract(cls: type[BaseSettings]) -> None:
    schema = schema_from_settings(cls)
    case_sensitive = bool(cls.model_config.get("case_sensitive"))
    fold = (lambda n: n) if case_sensitive else str.lower
    delimiter = cls.model_config["env_nested_delimiter"]
    leaf_candidates, model_candidates = candidate_names(cls)
    model_names = {fold(n) for n in model_candidates}
    names = {spec.name: (spec.name, *spec.deprecated_names) for spec in schema.keys.values()}
    json_keys = {key for key, all_names in names.items() if fold(key) in model_names}
    assert all(fold(n) in model_names for key in json_keys for n in names[key])
    derived = {fold(n): key for key in names if key not in json_keys for n in names[key]}
    every = {fold(n) for key in names for n in names[key]}
    assert load(cls, {}) is not None  # the class loads with an empty environment
    # Every derived leaf name is read, into one leaf; all names of a key into the same leaf.
    path_of: dict[str, tuple[str, ...]] = {}
    for key, all_names in names.items():
        if key in json_keys:
            continue
        for name in all_names:
            after = flatten(load(cls, {name: "zz-sample"}))
            hit = [path for path, value in after.items() if value == "zz-sample"]
            assert len(hit) == 1, f"{name} ({key}) is derived but reads {hit}"
            assert path_of.setdefault(key, hit[0]) == hit[0]
    assert len(set(path_of.values())) == len(path_of)
    # Every candidate spelling pydantic-settings reads is derived (up to case, if folded).
    for candidate in leaf_candidates | model_candidates:
        try:
            after = flatten(load(cls, {candidate: "zz-sample"}))
        except (ValidationError, SettingsError):
            # Read and refused: as JSON for a model, or as a key below a leaf (the name of
            # a field holding the delimiter is split at it, so it reaches another field).
            spelled = fold(candidate)
            below_leaf = any(spelled.startswith(leaf + fold(delimiter)) for leaf in derived)
            assert spelled in every or below_leaf, f"{candidate} is read as JSON, not derived"
            continue
        hit = [path for path, value in after.items() if value == "zz-sample"]
        if hit:
            assert fold(candidate) in derived, f"{candidate} is read into {hit}, not derived"
            assert path_of[derived[fold(candidate)]] == hit[0]
