"""Service schemas from pydantic-settings classes, read by inspecting the class.

A service whose settings are a pydantic-settings ``BaseSettings`` class is named by import
path (``pkg.module:Settings``). driftcheck imports the module and reads the class's fields
and ``model_config``; it never instantiates the class, which would read the live
environment, and whose validation errors can echo secret input. pydantic and
pydantic-settings are imported only when a schema is built, so ``import driftcheck``
stays light.

Names are derived the way the installed pydantic-settings (2.x) environment source reads
them (its ``.env`` source resolves names the same way):

- a field is read as ``env_prefix`` + field name; a ``validation_alias`` (or ``alias``,
  or one from ``alias_generator``) replaces the name and gets no prefix, unless
  ``env_prefix_target`` is ``"alias"`` or ``"all"`` (with ``"alias"``, plain field names
  get none). With ``populate_by_name``/``validate_by_name`` the prefixed field name is
  read too, after the aliases; with ``validate_by_alias=False`` aliases are not read.
- ``AliasChoices``: the first string choice is the canonical name, the other string
  choices are ``deprecated_names`` (pydantic-settings tries them in that order, as
  driftcheck does).
- ``env_nested_delimiter``: a nested model field ``db`` is read as ``PREFIX_DB`` (a JSON
  object for the whole model) and as one key per sub-field, ``PREFIX_DB__HOST``, to any
  depth that ``env_nested_max_split`` allows. Without a delimiter only the JSON key exists.
- ``extra`` does not change which names are read: the environment source ignores
  variables no field reads. (With the default ``extra="forbid"``, pydantic-settings
  rejects unknown keys in the class's own ``env_file``; driftcheck's unknown-key rule
  reports such keys in every file.)

Decisions:

- **Case.** With ``case_sensitive=False`` (the default) pydantic-settings lower-cases both
  sides, so ``APP_PORT``, ``app_port`` and ``App_Port`` are all read. The schema names
  each key once, in its canonical UPPER-case spelling; other spellings are not listed (no
  finite list holds them all, and listing some as ``deprecated_names`` would call them
  deprecated). driftcheck then reports another spelling as a near miss of the canonical
  key, which holds a project to one spelling. A name whose upper-case form pydantic would
  not match (``straße`` upper-cases to ``STRASSE``) keeps its spelling. With
  ``case_sensitive=True`` names are kept exactly.
- **Ports.** An ``int`` field is a ``port`` when its canonical name is ``PORT`` or ends in
  ``_PORT`` (``APP_DB__PORT``), or when its bounds are exactly ``0``/``1`` to ``65535``.
  A port keeps its declared bounds.
- **Required.** As pydantic decides: a field without a default or ``default_factory`` is
  required, so ``Optional[int]`` with no default is required (it accepts ``None``, which
  the environment cannot give unless ``env_parse_none_str`` is set). A sub-field key is
  required when it and every model above it are required; a model's JSON key is
  required only when no key below it is.
- **Defaults** are kept (as text, never shown) only for plain scalar defaults of
  non-masked keys: never a secret's value, a DSN, or a secret-looking name's default.
  ``default_factory`` is never called.
- **Masking.** ``SecretStr``/``SecretBytes``/``Secret[...]`` fields are declared secrets.
  DSN types (``PostgresDsn``, ``RedisDsn``, ... any URL type of a non-web scheme) are
  ``url`` keys that are masked: they carry passwords. Secret-looking names are masked as
  in a TOML schema, and so is the JSON key of a model that holds a secret.

Types: ``bool``, ``int``, ``float`` (and ``Decimal``), ``str``; ``Literal[...]`` and
``Enum`` are ``enum`` with the choices the environment can give (string values; numeric
values of int/float enums; member names too with ``env_parse_enums``; the
``env_parse_none_str`` word for optional ones); URL types are ``url``; IP address types
are ``host``; ``list``/``set``/``tuple`` are ``list`` (their values are JSON arrays);
anything else is ``str``. ``Optional[X]`` is ``X``. ``Field`` constraints become
``minimum``/``maximum`` (exclusive bounds made inclusive: ``gt=0`` on an int is a minimum
of 1, on a float the next float up), ``pattern`` and ``min_length``.

Limitations:

- ``AliasPath`` entries are nested lookups into a JSON value; they are skipped (a field
  reachable only through an ``AliasPath`` has no key). String choices beside them count.
- Keys of ``dict`` fields under a nested delimiter (``PREFIX_MAP__anykey``) cannot be
  listed; only the field's JSON key is. Sub-fields of standard-library dataclasses and of
  unions of several models are not listed either (JSON key only).
- A model field with a default that is set through some of its sub-field keys needs all
  its required sub-fields set (pydantic-settings replaces the default whole unless
  ``nested_model_default_partial_update``); such keys are not marked required.
- Sources other than the environment (``settings_customise_sources``, ``secrets_dir``,
  CLI, JSON/TOML/YAML files) are not inspected.
- A name that two fields read belongs to the first field.
- The class's module is imported: a module that instantiates its settings at import time
  needs its environment, and its error is reported by type only.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import math
import os
import re
import sys
import types
import typing
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from driftcheck.display import looks_secret
from driftcheck.errors import DriftcheckError
from driftcheck.schema import KeySpec, ServiceSchema

if TYPE_CHECKING:
    from pydantic.fields import FieldInfo

_PORT_NAME = re.compile(r"(?:^|[^A-Za-z0-9])PORT$", re.IGNORECASE)
_WEB_SCHEMES = frozenset({"http", "https", "ws", "wss", "file", "ftp"})
_IP_TYPE_NAMES = frozenset(
    {
        "IPv4Address",
        "IPv6Address",
        "IPvAnyAddress",
        "IPv4Interface",
        "IPv6Interface",
        "IPvAnyInterface",
    }
)


def schema_from_settings_class(reference: str, display_path: str | None = None) -> ServiceSchema:
    """The schema of the settings class named ``pkg.module:ClassName``.

    The module is imported with the current working directory on ``sys.path`` (as
    ``python -m`` would put it), and ``sys.path`` is restored afterwards. A reference that
    cannot be resolved raises :class:`DriftcheckError` with one line naming it; errors
    raised by the imported code are reported by type, never by message.
    """
    module_name, _, attribute = reference.partition(":")
    if (
        not attribute
        or ":" in attribute
        or not _is_dotted_identifier(module_name)
        or not _is_dotted_identifier(attribute)
    ):
        raise DriftcheckError(
            f"settings class '{reference}' must be written as 'package.module:ClassName'"
        )
    module = _import(module_name, reference)
    target: object = module
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise DriftcheckError(
                f"settings class '{reference}': '{module_name}' has no attribute '{attribute}'"
            ) from None
        except Exception as exc:
            raise DriftcheckError(
                f"settings class '{reference}': reading '{attribute}' raised {type(exc).__name__}"
            ) from None
    return _schema(target, display_path or reference, reference)


def schema_from_settings(cls: type, display_path: str | None = None) -> ServiceSchema:
    """The schema of a pydantic-settings ``BaseSettings`` subclass, read by inspection.

    ``display_path`` defaults to ``module:QualifiedName``.
    """
    name = f"{getattr(cls, '__module__', '?')}:{getattr(cls, '__qualname__', '?')}"
    return _schema(cls, display_path or name, name)


def _is_dotted_identifier(text: str) -> bool:
    return bool(text) and all(part.isidentifier() for part in text.split("."))


def _import(module_name: str, reference: str) -> types.ModuleType:
    saved = list(sys.path)
    sys.path.insert(0, os.getcwd())
    try:
        importlib.invalidate_caches()
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing and (module_name == missing or module_name.startswith(missing + ".")):
            raise DriftcheckError(
                f"settings class '{reference}': no module named '{module_name}' "
                f"(it is imported from the current directory and sys.path)"
            ) from None
        raise DriftcheckError(
            f"settings class '{reference}': importing '{module_name}' failed "
            f"(ModuleNotFoundError: one of its imports is missing)"
        ) from None
    except SyntaxError as exc:
        where = ""
        if isinstance(exc.filename, str):
            where = f" in {exc.filename}" + (f", line {exc.lineno}" if exc.lineno else "")
        raise DriftcheckError(
            f"settings class '{reference}': importing '{module_name}' failed "
            f"({type(exc).__name__}{where})"
        ) from None
    except (Exception, SystemExit) as exc:
        raise DriftcheckError(
            f"settings class '{reference}': importing '{module_name}' raised "
            f"{type(exc).__name__} (driftcheck imports the module to read the class)"
        ) from None
    finally:
        sys.path[:] = saved


@dataclasses.dataclass(frozen=True)
class _TypeInfo:
    """What a field's annotation means for the values the environment gives it."""

    kind: str = "str"
    secret: bool = False
    dsn: bool = False
    choices: tuple[str, ...] = ()
    #: A nested model (BaseModel or pydantic dataclass) whose sub-fields can be keys.
    model: type | None = None
    #: A model (of any kind, nested or in a union) holding a secret somewhere.
    holds_secret: bool = False
    allows_none: bool = False
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    min_length: int | None = None


@dataclasses.dataclass(frozen=True)
class _Key:
    """One key of the schema before its names are checked against the others."""

    names: list[str]
    info: _TypeInfo
    required: bool
    default: Any
    description: str
    json_of: str | None = None


def _schema(target: object, display_path: str, reference: str) -> ServiceSchema:
    try:
        from pydantic_settings import BaseSettings
    except ImportError:
        raise DriftcheckError(
            f"settings class '{reference}': pydantic-settings is not installed"
        ) from None
    if not isinstance(target, type):
        raise DriftcheckError(f"settings class '{reference}' is not a class")
    if not issubclass(target, BaseSettings):
        raise DriftcheckError(
            f"settings class '{reference}' is not a pydantic-settings BaseSettings subclass"
        )
    reader = _Reader(dict(target.model_config))
    keys: dict[str, KeySpec] = {}
    aliases: dict[str, str] = {}
    for field_name, field in target.model_fields.items():
        for key in reader.field_keys(field_name, field):
            spec = _key_spec(key, reader, keys, aliases)
            if spec is None:
                continue
            keys[spec.name] = spec
            for old in spec.deprecated_names:
                aliases[old] = spec.name
    return ServiceSchema(keys=keys, display_path=display_path, aliases=aliases)


def _key_spec(
    key: _Key, reader: _Reader, keys: dict[str, KeySpec], aliases: dict[str, str]
) -> KeySpec | None:
    spelled = list(dict.fromkeys(reader.spell(name) for name in key.names))
    free = [name for name in spelled if name not in keys and name not in aliases]
    if not free:
        return None
    canonical, *others = free
    info = key.info
    key_type = info.kind
    if key_type == "int" and (
        _PORT_NAME.search(canonical) is not None
        or (info.maximum == 65535 and info.minimum in (0, 1))
    ):
        key_type = "port"
    masked = info.secret or info.dsn or info.holds_secret or looks_secret(canonical)
    return KeySpec(
        name=canonical,
        type=key_type,
        secret=info.secret,
        masked=masked,
        required=key.required,
        default=None if masked or key.required else _default_text(key.default),
        deprecated_names=tuple(others),
        minimum=info.minimum,
        maximum=info.maximum,
        pattern=info.pattern,
        min_length=info.min_length,
        choices=info.choices,
        description=key.description,
    )


def _default_text(value: object) -> str | None:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    return None


def _field_default(field: FieldInfo) -> Any:
    if field.default_factory is not None:
        return None
    return field.default


class _Reader:
    """Names and types of a settings class's fields, as its environment source reads them."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.case_sensitive = bool(config.get("case_sensitive", False))
        self.prefix = config.get("env_prefix") or ""
        self.prefix_target = config.get("env_prefix_target") or "variable"
        self.by_name = _by_name(config)
        self.by_alias = config.get("validate_by_alias", True) is not False
        self.delimiter: str = config.get("env_nested_delimiter") or ""
        self.max_split: int | None = config.get("env_nested_max_split") or None
        self.parse_enums = bool(config.get("env_parse_enums"))
        self.none_word: str | None = config.get("env_parse_none_str")

    def spell(self, name: str) -> str:
        """The canonical spelling of a name the source reads."""
        if self.case_sensitive:
            return name
        # pydantic-settings compares lower-cased names: a character is upper-cased only
        # where that lower-cases back to the same name ("ß" would become "SS").
        upper = "".join(c.upper() if c.upper().lower() == c.lower() else c for c in name)
        return upper if upper.lower() == name.lower() else name

    def top_names(self, field_name: str, field: FieldInfo) -> list[str]:
        """The variables read for a field, in the order they are tried."""
        names: list[str] = []
        alias = field.validation_alias
        if alias and self.by_alias:
            prefix = self.prefix if self.prefix_target in ("alias", "all") else ""
            names.extend(prefix + choice for choice in _alias_strings(alias))
        if not alias or self.by_name:
            prefix = self.prefix if self.prefix_target in ("variable", "all") else ""
            names.append(prefix + field_name)
        return names

    def field_keys(self, field_name: str, field: FieldInfo) -> Iterator[_Key]:
        names = self.top_names(field_name, field)
        if not names:
            return
        info = _analyse(field.annotation, list(field.metadata), self)
        required = field.is_required()
        description = field.description or ""
        if info.model is None:
            yield _Key(names, info, required, _field_default(field), description)
            return
        below: list[_Key] = []
        if self.delimiter:
            remap = not self.case_sensitive and _remapped_model(field.annotation) is not None
            parents = [(name, remap) for name in names]
            below = list(self._sub_keys(parents, info.model, 1, required))
        yield self._json_key(names, info, required, below, field_name, description)
        yield from below

    def _json_key(
        self,
        names: list[str],
        info: _TypeInfo,
        required: bool,
        below: list[_Key],
        field_name: str,
        description: str,
    ) -> _Key:
        json_info = _TypeInfo(holds_secret=info.holds_secret)
        json_required = required and not any(key.required for key in below)
        return _Key(
            names,
            json_info,
            json_required,
            None,
            description or f"the whole of {field_name}, as a JSON object",
            json_of=field_name,
        )

    def _sub_keys(
        self, parents: list[tuple[str, bool]], model: type, depth: int, required: bool
    ) -> Iterator[_Key]:
        """The keys of a nested model's fields, below ``parents``.

        Each parent name carries whether pydantic-settings matches the keys below it back
        to the model's field names case-insensitively (see :meth:`_sub_names`).
        """
        fields = _model_fields(model)
        last_level = self.max_split is not None and depth >= self.max_split
        for sub_name, sub_field in fields.items():
            named: list[tuple[str, bool]] = []
            for parent, remap in parents:
                for name, child_remap in self._sub_names(sub_name, sub_field, model, remap):
                    if last_level or self.delimiter not in name:
                        named.append((parent + self.delimiter + name, child_remap))
            if not named:
                continue
            names = [name for name, _ in named]
            info = _analyse(sub_field.annotation, list(sub_field.metadata), self)
            sub_required = required and sub_field.is_required()
            description = sub_field.description or ""
            if info.model is None or last_level:
                if info.model is not None:
                    info = _TypeInfo(holds_secret=info.holds_secret)
                yield _Key(names, info, sub_required, _field_default(sub_field), description)
                continue
            below = list(self._sub_keys(named, info.model, depth + 1, sub_required))
            yield self._json_key(names, info, sub_required, below, sub_name, description)
            yield from below

    def _sub_names(
        self, sub_name: str, sub_field: FieldInfo, model: type, remap: bool
    ) -> list[tuple[str, bool]]:
        """The names under which a nested model's validation takes ``sub_field``, each
        with whether the keys below it are matched back case-insensitively.

        The environment source puts the rest of the variable name in the model's dict as
        it is, lower-cased when case-insensitive. Then, for a model under a name that was
        matched back (``remap``), it replaces each lower-cased key by the first field
        alias (or name) equal to it up to case; a key it cannot match stays lower-cased.
        The model's validation takes the key only if it is one of the field's names.
        """
        accepted = _validation_keys(sub_name, sub_field, _model_config(model))
        if self.case_sensitive:
            return [(name, False) for name in accepted]
        kept: list[tuple[str, bool]] = []
        for name in accepted:
            key = name.lower()
            matched = _case_insensitive_match(key, model) if remap else None
            if matched is not None:
                key = matched
            if key == name:
                below = matched is not None and _remapped_model(sub_field.annotation) is not None
                kept.append((name, below))
        return kept


def _alias_strings(alias: object) -> list[str]:
    """The plain names of a validation alias; ``AliasPath`` entries are skipped."""
    if isinstance(alias, str):
        return [alias]
    choices = getattr(alias, "choices", None)
    if isinstance(choices, list):
        return [choice for choice in choices if isinstance(choice, str)]
    return []


def _by_name(config: dict[str, Any]) -> bool:
    """Whether a model's validation takes a field by its name, as pydantic resolves it."""
    for option in ("validate_by_name", "populate_by_name"):
        if config.get(option) is not None:
            return bool(config[option])
    return config.get("validate_by_alias") is False


def _validation_keys(name: str, field: FieldInfo, config: dict[str, Any]) -> list[str]:
    """The input keys a model's validation accepts for one field."""
    alias = field.validation_alias
    keys: list[str] = []
    if alias and config.get("validate_by_alias", True) is not False:
        keys.extend(_alias_strings(alias))
    if not alias or _by_name(config):
        keys.append(name)
    return list(dict.fromkeys(keys))


def _case_insensitive_match(key: str, model: type) -> str | None:
    """The name pydantic-settings puts a lower-cased key of ``model``'s dict back under."""
    by_alias = _model_config(model).get("validate_by_alias", True) is not False
    for name, field in _model_fields(model).items():
        for candidate in _lookup_names(name, field, by_alias):
            if candidate.lower() == key:
                return candidate
    return None


def _lookup_names(name: str, field: FieldInfo, by_alias: bool) -> list[str]:
    """A field's names as pydantic-settings matches keys back to them: its validation
    alias (else its alias), or the head of its first ``AliasPath`` when it has no plain
    alias, or its name when it has no alias at all or aliases are not validated."""
    alias = field.validation_alias if field.validation_alias is not None else field.alias
    if not by_alias or alias is None:
        return [name]
    names = _alias_strings(alias)
    if not names:
        head = _first_path_name(alias)
        if head is not None:
            names.append(head)
    return names


def _first_path_name(alias: object) -> str | None:
    paths = [alias, *getattr(alias, "choices", [])]
    for path in paths:
        steps = getattr(path, "path", None)
        if isinstance(steps, list) and steps and isinstance(steps[0], str):
            return steps[0]
    return None


def _model_fields(model: type) -> dict[str, FieldInfo]:
    fields = getattr(model, "__pydantic_fields__", None)
    if isinstance(fields, dict):
        return fields
    return {}


def _model_config(model: type) -> dict[str, Any]:
    config = getattr(model, "model_config", None)
    if config is None:
        config = getattr(model, "__pydantic_config__", None)
    return dict(config) if isinstance(config, dict) else {}


def _is_model_class(annotation: object) -> bool:
    from pydantic import BaseModel

    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _remapped_model(annotation: object) -> type | None:
    """The model whose keys pydantic-settings matches back case-insensitively.

    It does so for a model (or pydantic dataclass) field, also ``Optional`` (a union of
    the model and ``None``, in either order) and ``Annotated`` outside it.
    """
    if _is_union(annotation):
        members = typing.get_args(annotation)
        if len(members) == 2 and type(None) in members:
            annotation = next(member for member in members if member is not type(None))
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if not isinstance(annotation, type):
        return None
    if _is_model_class(annotation) or (
        dataclasses.is_dataclass(annotation) and hasattr(annotation, "__pydantic_fields__")
    ):
        return annotation
    return None


def _is_union(annotation: object) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def _resolve_alias_type(annotation: object) -> object:
    if type(annotation).__name__ == "TypeAliasType":
        return getattr(annotation, "__value__", annotation)
    origin = typing.get_origin(annotation)
    if origin is not None and type(origin).__name__ == "TypeAliasType":
        return getattr(origin, "__value__", annotation)
    return annotation


def _analyse(annotation: object, metadata: list[Any], reader: _Reader) -> _TypeInfo:
    """The driftcheck type of an annotation, with its constraints."""
    annotation = _resolve_alias_type(annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        return _analyse(inner, [*metadata, *extra], reader)
    if _is_union(annotation):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        allows_none = len(members) < len(typing.get_args(annotation))
        infos = [_analyse(member, metadata, reader) for member in members]
        return _union_info(infos, allows_none, reader)
    info = _plain_info(annotation, origin, reader)
    return _constrained(info, _constraints(metadata))


def _union_info(infos: list[_TypeInfo], allows_none: bool, reader: _Reader) -> _TypeInfo:
    if len(infos) == 1:
        info = infos[0]
    elif infos and all(i.kind == "enum" for i in infos):
        choices = tuple(dict.fromkeys(c for i in infos for c in i.choices))
        info = _TypeInfo(kind="enum", choices=choices)
    elif infos and len({(i.kind, i.secret, i.dsn, i.model) for i in infos}) == 1:
        info = infos[0]
    else:
        holds = any(i.holds_secret or i.secret for i in infos)
        info = _TypeInfo(secret=all(i.secret for i in infos), holds_secret=holds)
        if info.secret:
            info = dataclasses.replace(info, kind="secret")
    if allows_none:
        info = dataclasses.replace(info, allows_none=True)
        if info.kind == "enum" and reader.none_word is not None:
            info = dataclasses.replace(info, choices=(*info.choices, reader.none_word))
    return info


def _plain_info(annotation: object, origin: object, reader: _Reader) -> _TypeInfo:
    import pydantic
    from pydantic import BaseModel, RootModel, SecretBytes, SecretStr

    if origin is typing.Literal:
        return _enum_info(_literal_choices(typing.get_args(annotation)))
    generic_secret = getattr(pydantic, "Secret", None)
    if generic_secret is not None and origin is not None and _subclass(origin, generic_secret):
        return _TypeInfo(kind="secret", secret=True)
    if origin is not None:
        if _subclass(origin, (list, set, frozenset, tuple)) or _subclass(
            origin, _abstract_sequences()
        ):
            return _TypeInfo(kind="list", holds_secret=_holds_secret(annotation, set()))
        return _TypeInfo(holds_secret=_holds_secret(annotation, set()))
    if not isinstance(annotation, type):
        return _TypeInfo()
    if issubclass(annotation, (SecretStr, SecretBytes)) or (
        generic_secret is not None and issubclass(annotation, generic_secret)
    ):
        return _TypeInfo(kind="secret", secret=True)
    if issubclass(annotation, enum.Enum):
        return _enum_info(_enum_choices(annotation, reader.parse_enums))
    if issubclass(annotation, bool):
        return _TypeInfo(kind="bool")
    if issubclass(annotation, int):
        return _TypeInfo(kind="int")
    if issubclass(annotation, float) or annotation.__name__ == "Decimal":
        return _TypeInfo(kind="float")
    if issubclass(annotation, (str, bytes)):
        return _TypeInfo()
    url = _url_kind(annotation)
    if url is not None:
        return _TypeInfo(kind="url", dsn=url == "dsn")
    if annotation.__name__ in _IP_TYPE_NAMES and annotation.__module__ in (
        "ipaddress",
        "pydantic.networks",
    ):
        return _TypeInfo(kind="host")
    if issubclass(annotation, RootModel) and annotation is not RootModel:
        root = annotation.model_fields["root"]
        return _analyse(root.annotation, list(root.metadata), reader)
    holds = _holds_secret(annotation, set())
    if issubclass(annotation, BaseModel) or (
        dataclasses.is_dataclass(annotation) and hasattr(annotation, "__pydantic_fields__")
    ):
        return _TypeInfo(model=annotation, holds_secret=holds)
    if issubclass(annotation, (list, set, frozenset, tuple)):
        return _TypeInfo(kind="list", holds_secret=holds)
    return _TypeInfo(holds_secret=holds)


def _abstract_sequences() -> tuple[type, ...]:
    import collections.abc

    return (collections.abc.Sequence, collections.abc.Set)


def _subclass(candidate: object, bases: type | tuple[type, ...]) -> bool:
    return isinstance(candidate, type) and issubclass(candidate, bases)


def _url_kind(annotation: type) -> str | None:
    """``"url"`` or ``"dsn"`` for pydantic's URL types, else None."""
    bases = {base.__name__ for base in annotation.__mro__}
    from_pydantic = any(
        base.__module__.startswith(("pydantic.", "pydantic_core")) for base in annotation.__mro__
    )
    if not from_pydantic or not bases & {"_BaseUrl", "_BaseMultiHostUrl", "Url", "MultiHostUrl"}:
        return None
    if annotation.__name__.endswith("Dsn") or bases & {"_BaseMultiHostUrl", "MultiHostUrl"}:
        return "dsn"
    constraints = getattr(annotation, "_constraints", None)
    schemes = getattr(constraints, "allowed_schemes", None) or ()
    if any(scheme not in _WEB_SCHEMES for scheme in schemes):
        return "dsn"
    return "url"


def _literal_choices(values: tuple[Any, ...]) -> list[str]:
    choices: list[str] = []
    for value in values:
        if isinstance(value, enum.Enum):
            member = value.value
            if isinstance(value, str) and isinstance(member, str):
                choices.append(member)
            elif isinstance(value, (int, float)) and isinstance(member, (int, float)):
                choices.append(str(member))
        elif isinstance(value, str):
            # Only strings: the environment gives text, and Literal[1] takes no "1".
            choices.append(value)
    return choices


def _enum_choices(annotation: type[enum.Enum], by_name: bool) -> list[str]:
    choices: list[str] = []
    numeric = issubclass(annotation, (int, float))
    for member in annotation:
        value = member.value
        if isinstance(value, str) or (numeric and isinstance(value, (int, float))):
            choices.append(str(value))
    if by_name:
        choices.extend(annotation.__members__)
    return list(dict.fromkeys(choices))


def _enum_info(choices: list[str]) -> _TypeInfo:
    if not choices:
        return _TypeInfo()
    return _TypeInfo(kind="enum", choices=tuple(choices))


def _holds_secret(annotation: object, seen: set[int]) -> bool:
    """Whether a value of this annotation can carry a secret (a model's secret field)."""
    import pydantic
    from pydantic import SecretBytes, SecretStr

    if id(annotation) in seen:
        return False
    seen.add(id(annotation))
    secret_types: tuple[type, ...] = (SecretStr, SecretBytes)
    generic_secret = getattr(pydantic, "Secret", None)
    if isinstance(generic_secret, type):
        secret_types = (*secret_types, generic_secret)
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return False
    if origin is not None:
        return _subclass(origin, secret_types) or any(
            _holds_secret(arg, seen) for arg in typing.get_args(annotation)
        )
    if not isinstance(annotation, type):
        return False
    if issubclass(annotation, secret_types) or _url_kind(annotation) == "dsn":
        return True
    fields = _model_fields(annotation).values()
    return any(_holds_secret(field.annotation, seen) for field in fields)


@dataclasses.dataclass
class _Bounds:
    ge: list[float] = dataclasses.field(default_factory=list)
    gt: list[float] = dataclasses.field(default_factory=list)
    le: list[float] = dataclasses.field(default_factory=list)
    lt: list[float] = dataclasses.field(default_factory=list)
    min_length: list[int] = dataclasses.field(default_factory=list)
    pattern: list[str] = dataclasses.field(default_factory=list)


def _constraints(metadata: list[Any]) -> _Bounds:
    from pydantic.fields import FieldInfo

    bounds = _Bounds()
    pending = list(metadata)
    while pending:
        item = pending.pop(0)
        if isinstance(item, FieldInfo):
            pending[:0] = item.metadata
            continue
        for name in ("ge", "gt", "le", "lt"):
            value = getattr(item, name, None)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                getattr(bounds, name).append(float(value))
        min_length = getattr(item, "min_length", None)
        if isinstance(min_length, int) and not isinstance(min_length, bool):
            bounds.min_length.append(min_length)
        pattern = getattr(item, "pattern", None)
        if isinstance(pattern, re.Pattern):
            pattern = pattern.pattern
        if isinstance(pattern, str):
            bounds.pattern.append(pattern)
    return bounds


def _constrained(info: _TypeInfo, bounds: _Bounds) -> _TypeInfo:
    changes: dict[str, Any] = {}
    if info.kind in ("int", "float"):
        integer = info.kind == "int"
        minima = list(bounds.ge)
        minima.extend(
            float(math.floor(gt) + 1) if integer else math.nextafter(gt, math.inf)
            for gt in bounds.gt
        )
        maxima = list(bounds.le)
        maxima.extend(
            float(math.ceil(lt) - 1) if integer else math.nextafter(lt, -math.inf)
            for lt in bounds.lt
        )
        if minima:
            changes["minimum"] = max(minima)
        if maxima:
            changes["maximum"] = min(maxima)
    if info.kind in ("str", "secret"):
        if bounds.min_length:
            changes["min_length"] = max(bounds.min_length)
        for pattern in bounds.pattern:
            try:
                re.compile(pattern)
            except re.error:
                continue  # a pattern only pydantic's Rust engine reads
            changes["pattern"] = pattern
            break
    return dataclasses.replace(info, **changes) if changes else info
