"""What the values say: each service's keys, the settings services share, the endpoints
and services that URLs reach, listen ports and public URLs.

Everything here works on the values as ``check`` reads them (every (service,
environment) layered from its sources), and never lets one out: secrets are compared by
keyed digest, and what is written down are names, types and environments.

Each inference looks for evidence that survives the drift it is meant to expose, since
the repository it reads is the one that has drifted:

* **Type**, from every value of the key in every environment: ``port`` (named like one),
  ``bool`` (true/false words, or 0/1 for a flag's name), ``int``, ``float``, ``url``,
  ``list`` (comma-separated, or a plural name such as ``CORS_ORIGINS``), ``host`` (named
  like one), ``enum`` (a log level, or a mode-like name with a few distinct words),
  else ``str``. One value of three or more that does not fit keeps the type.
* **Secret**: by name (``*SECRET*``, ``*PASSWORD*``, ``*TOKEN*``, ``*_KEY``... unless the
  values are durations or counts, as in ``TOKEN_TTL_SECONDS``), by source (a Kubernetes
  Secret, Secret Manager), by credentials in a URL, or by values that look random
  (unless the name says identifier: ``GIT_SHA``, ``*_ID``).
* **Where it must be set**: everywhere it is set in every environment of its service.
  Set only in development environments, only outside them, only in the last ones, or
  where its name says (``*_STAGING``): scoped to those; a debug flag: scoped to
  development. Missing from some other environment: required everywhere, so that
  ``check`` reports where it is missing; set in one environment of three or more: left
  out (``check`` reports it as unknown). Empty wherever set (twice or more): optional.
* **Deprecated names and misspellings**: near misses (:mod:`driftcheck.namematch`) of
  one service never set in one environment, of one type (or a typo apart): one key and
  its deprecated names (the one in ``.env.example``, else the one set in more
  environments, is the key). Set in one environment beside a near miss set more
  widely: left out as misspelt, so that ``check`` reports the near miss.
* **Shared settings**: the connected groups of keys of different services found equal
  (by digest) or naming one secret: a secret outside development (in development where
  there is at most one other environment), never a placeholder; other text equal in
  every environment where both are set and changing between environments.
* **Targets**: an endpoint by scheme (or host, for HTTP), whose port is the one most of
  its addresses use; else the service an address names (compose or Kubernetes Service
  name, first label of the host) or listens on the port, scored over every
  environment, with the key's name as a tie-breaker; a port key named after a service
  whose port it holds. An https URL on its default port, of an outside host: the
  target's public URL there.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from driftcheck.display import looks_secret
from driftcheck.init.layout import Plan
from driftcheck.namematch import NearMissIndex
from driftcheck.platform import PlatformKeys
from driftcheck.project import Layer
from driftcheck.schema import DEFAULT_SECRET_MIN_LENGTH
from driftcheck.sources.compose import PUBLISHED_HOSTS
from driftcheck.values import Entry, Fingerprinter
from driftcheck.valuetypes import (
    Address,
    InvalidValue,
    parse_host,
    parse_port,
    parse_url,
)

_TOKENS = re.compile(r"[^A-Za-z0-9]+")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,31}")
_CHARACTER_CLASSES = (re.compile("[a-z]"), re.compile("[A-Z]"), re.compile("[0-9]"))
_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_BOOLEAN_WORDS = frozenset({"true", "false", "yes", "no", "on", "off"})
_FLAG_WORDS = frozenset(
    {"DEBUG", "ENABLE", "ENABLED", "DISABLE", "DISABLED", "USE", "IS", "HAS", "ALLOW"}
    | {"VERBOSE", "FLAG", "FEATURE", "STRICT", "DRY", "FORCE", "SKIP", "SECURE"}
)
#: Words after which a secret-looking name holds a quantity, not a secret.
_QUANTITY_WORDS = frozenset(
    {"TTL", "SECONDS", "SECS", "MINUTES", "HOURS", "DAYS", "MS", "EXPIRY", "EXPIRES"}
    | {"EXPIRATION", "TIMEOUT", "LENGTH", "LEN", "SIZE", "COUNT", "LIMIT", "MAX", "MIN"}
    | {"LIFETIME", "AGE", "ROTATION", "INTERVAL", "RETRIES"}
    | _FLAG_WORDS
)
#: Words of names whose random-looking values are identifiers, not secrets (a commit SHA).
_IDENTIFIER_WORDS = frozenset(
    {"SHA", "COMMIT", "REVISION", "REV", "DIGEST", "VERSION", "BUILD", "ID", "UUID"}
    | {"CHECKSUM", "TAG", "IMAGE", "RELEASE", "ETAG"}
)
_HOST_WORDS = frozenset({"HOST", "HOSTNAME", "ADDR", "ADDRESS", "SERVER"})
_LIST_WORDS = frozenset(
    {"ORIGINS", "HOSTS", "URLS", "DOMAINS", "ADDRESSES", "SERVERS", "BROKERS", "IPS"}
    | {"CIDRS", "SCOPES", "QUEUES", "TOPICS", "TAGS", "FEATURES", "EMAILS", "ADMINS"}
    | {"ENDPOINTS", "PEERS", "NODES", "LOCALES", "LANGUAGES"}
)
_ENUM_WORDS = frozenset(
    {"MODE", "ENV", "ENVIRONMENT", "PROFILE", "DRIVER", "BACKEND", "ENGINE", "FORMAT"}
    | {"STRATEGY", "PROVIDER", "TYPE", "KIND", "LEVEL", "STAGE", "TIER", "DIALECT"}
)
_LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
_MORE_LOG_LEVELS = frozenset({"trace", "notice", "warn", "fatal", "verbose", "silly", "off"})
_LISTEN_NAMES = ("PORT", "HTTP_PORT", "LISTEN_PORT", "SERVER_PORT", "APP_PORT", "SERVICE_PORT")
_LOCAL_HOSTS = frozenset({*PUBLISHED_HOSTS, "[::1]"})
#: URL schemes of infrastructure, and the endpoint each reaches.
SCHEME_ENDPOINTS = {
    "postgres": "postgres",
    "postgresql": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
    "redis": "redis",
    "rediss": "redis",
    "mongodb": "mongodb",
    "amqp": "rabbitmq",
    "amqps": "rabbitmq",
    "clickhouse": "clickhouse",
    "clickhouse+native": "clickhouse",
    "clickhouse+http": "clickhouse-http",
    "clickhouse+https": "clickhouse-http",
    "clickhousedb": "clickhouse-http",
    "nats": "nats",
    "kafka": "kafka",
    "memcached": "memcached",
}
#: Infrastructure spoken to over HTTP, by the first label of its host name.
_HTTP_ENDPOINTS = {
    "clickhouse": "clickhouse-http",
    "elasticsearch": "elasticsearch",
    "opensearch": "opensearch",
}
#: The default port of each endpoint kind (for one a compose file runs but no URL names).
_ENDPOINT_PORTS = {
    "postgres": 5432,
    "mysql": 3306,
    "redis": 6379,
    "mongodb": 27017,
    "rabbitmq": 5672,
    "clickhouse": 9000,
    "clickhouse-http": 8123,
    "nats": 4222,
    "kafka": 9092,
    "memcached": 11211,
    "elasticsearch": 9200,
    "opensearch": 9200,
}
#: Words in a port key's name that say which endpoint it reaches.
_ENDPOINT_WORDS = {
    "POSTGRES": "postgres",
    "POSTGRESQL": "postgres",
    "PG": "postgres",
    "MYSQL": "mysql",
    "MARIADB": "mysql",
    "REDIS": "redis",
    "MONGO": "mongodb",
    "MONGODB": "mongodb",
    "RABBITMQ": "rabbitmq",
    "AMQP": "rabbitmq",
    "CLICKHOUSE": "clickhouse",
    "NATS": "nats",
    "KAFKA": "kafka",
    "MEMCACHED": "memcached",
}
#: A value shared by more keys than this is a common constant, not one shared setting.
_MAX_SHARED_BUCKET = 12
#: A port more services than this listen on (in one environment) says nothing about
#: which of them an address reaches.
_MAX_SERVICES_ON_A_PORT = 8


@functools.lru_cache(maxsize=1 << 16)
def _split(name: str) -> tuple[str, ...]:
    return tuple(token for token in _TOKENS.split(name.upper()) if token)


def tokens(name: str) -> list[str]:
    """A name's words, upper case: ``VITE_AUTH_URL`` -> VITE, AUTH, URL."""
    return list(_split(name))


@dataclass(slots=True)
class KeyGuess:
    """One key of a service's schema as inferred; ``why`` becomes its comment."""

    name: str
    type: str = "str"
    #: Written as ``secret = true`` for a type other than ``secret``.
    secret: bool = False
    choices: tuple[str, ...] = ()
    #: None: the default (required where it may appear); False: optional.
    required: bool | None = None
    environments: tuple[str, ...] = ()
    deprecated_names: tuple[str, ...] = ()
    targets: str | None = None
    why: list[str] = field(default_factory=list)
    #: Set in one environment of three or more, for no reason one can see: left out of
    #: the schema, so that check reports it as a key nothing reads.
    stray: bool = False


@dataclass(slots=True)
class ServiceGuess:
    name: str
    #: The environments it has sources in.
    environments: tuple[str, ...]
    keys: dict[str, KeyGuess] = field(default_factory=dict)
    listen_port_key: str | None = None
    #: The port it listens on, per environment.
    ports: dict[str, int] = field(default_factory=dict)
    ports_from: str = ""
    public_urls: dict[str, str] = field(default_factory=dict)
    public_urls_from: dict[str, list[str]] = field(default_factory=dict)
    #: Keys left out of the schema: platform keys.
    left_out: list[str] = field(default_factory=list)
    #: Keys left out as misspellings, so that check reports them: name -> the name.
    misspelt: dict[str, str] = field(default_factory=dict)
    #: Keys left out as set in one environment only: name -> that environment.
    strays: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class SharedGuess:
    name: str
    members: list[tuple[str, str]]
    secret: bool
    why: str


@dataclass(slots=True)
class EndpointGuess:
    name: str
    ports: dict[str, int]
    #: "service KEY" of every key that reaches it.
    used_by: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Inference:
    environments: tuple[str, ...]
    services: dict[str, ServiceGuess]
    shared: list[SharedGuess]
    endpoints: dict[str, EndpointGuess]


# -- values -----------------------------------------------------------------------------


def _entropy(text: str) -> float:
    counts = Counter(text)
    length = len(text)
    return -sum(n / length * math.log2(n / length) for n in counts.values())


def looks_random(value: str) -> bool:
    """A token, key or password: long, no spaces, mixed characters, high entropy."""
    if len(value) < 20 or any(c.isspace() for c in value) or "://" in value:
        return False
    if value.startswith(("/", "./", "~")) or _UUID.fullmatch(value):
        return False
    classes = sum(pattern.search(value) is not None for pattern in _CHARACTER_CLASSES)
    return classes >= 2 and _entropy(value) >= 3.5


def _url(value: str) -> Address | None:
    if "://" not in value:
        return None
    try:
        return parse_url(value)
    except InvalidValue:
        return None


def _has_credentials(value: str) -> bool:
    try:
        return "://" in value and urlsplit(value.strip()).password is not None
    except ValueError:
        return False


def _parses(parse: Callable[[str], object], value: str) -> bool:
    try:
        parse(value)
    except InvalidValue:
        return False
    return True


def _is_port(value: str) -> bool:
    return _parses(parse_port, value)


def _is_host(value: str) -> bool:
    return _parses(parse_host, value)


def _list_items(value: str) -> list[str] | None:
    items = [item.strip() for item in value.split(",")]
    if len(items) < 2 or not all(items) or any(" " in item for item in items):
        return None
    return items


def _log_level_choices(values: list[str]) -> tuple[str, ...] | None:
    lowered = {value.lower() for value in values}
    if not lowered <= {*_LOG_LEVELS, *_MORE_LOG_LEVELS}:
        return None
    upper = all(value.isupper() for value in values)
    choices = [level.upper() if upper else level for level in _LOG_LEVELS]
    choices += sorted({value for value in values if value not in choices})
    return tuple(choices)


Typed = tuple[str, tuple[str, ...], str]


def _typed(
    shown: list[str], fits: Callable[[str], object], kind: str, why: str, tolerant: bool
) -> Typed | None:
    """``kind`` when every value fits; ``tolerant``, also when all but one of three or
    more do: check then reports the one value that drifted, rather than the type being
    lost."""
    misfits = sum(not fits(value) for value in shown)
    if misfits == 0:
        return kind, (), why
    if tolerant and misfits == 1 and len(shown) >= 3:
        return kind, (), f"{why} (one value is not: check reports it)"
    return None


def _scalar_type(words: list[str], shown: list[str], tolerant: bool) -> Typed | None:
    flag = bool(_FLAG_WORDS & set(words))
    for typed in (
        # Named like a port, whole numbers: one out of range is reported as such.
        "PORT" in words and _typed(shown, _INTEGER.fullmatch, "port", "a port", tolerant),
        _typed(shown, lambda v: v.lower() in _BOOLEAN_WORDS, "bool", "true/false values", tolerant),
        flag and _typed(shown, lambda v: v in ("0", "1"), "bool", "0/1 values of a flag", tolerant),
        _typed(shown, _INTEGER.fullmatch, "int", "whole numbers", tolerant),
        _typed(
            shown,
            lambda v: _INTEGER.fullmatch(v) or _FLOAT.fullmatch(v),
            "float",
            "numbers",
            tolerant,
        ),
        tolerant and _typed(shown, _url, "url", "URLs", tolerant),
    ):
        if typed:
            return typed
    return None


def value_type(name: str, values: list[str]) -> Typed:
    """(type, enum choices, why) of a key that is no secret, from its values."""
    words = tokens(name)
    last = words[-1] if words else ""
    shown = [value.strip() for value in values if value.strip()]
    if not shown:
        return "str", (), "no value to tell its type"
    typed = _scalar_type(words, shown, tolerant=False)
    if typed:
        return typed
    lists = [_list_items(v) for v in shown]
    if last in _LIST_WORDS or (
        any(lists) and all(lists[i] or "," not in v for i, v in enumerate(shown))
    ):
        return "list", (), "comma-separated values" if any(lists) else "a plural name"
    if all(_url(v) is not None for v in shown):
        return "url", (), "URLs"
    if _HOST_WORDS & set(words) and all(_is_host(v) for v in shown):
        return "host", (), "host names"
    if "LEVEL" in words and "LOG" in "".join(words):
        choices = _log_level_choices(shown)
        if choices is not None:
            return "enum", choices, "log levels"
    distinct = list(dict.fromkeys(shown))
    if (
        last in _ENUM_WORDS
        and 2 <= len(distinct) <= 6
        and all(_WORD.fullmatch(v) for v in distinct)
    ):
        return "enum", tuple(distinct), "a few distinct words"
    return _scalar_type(words, shown, tolerant=True) or ("str", (), "text")


def secret_reason(name: str, entries: Iterable[Entry], stored: bool) -> str | None:
    """Why a key is a secret, or None. Its values are only looked at, never kept."""
    listed = list(entries)
    if stored or any(entry.from_secret_store for entry in listed):
        return "from a Kubernetes Secret"
    for entry in listed:
        if entry.value is None and entry.reference is not None:
            if entry.reference.kind == "Secret Manager":
                return "from Secret Manager"
            if entry.reference.kind == "Secret":
                return "from a Kubernetes Secret"
    values = [entry.value for entry in listed if entry.value]
    if looks_secret(name):
        quantity = _QUANTITY_WORDS & set(tokens(name))
        plain = all(
            _INTEGER.fullmatch(v.strip()) or v.strip().lower() in _BOOLEAN_WORDS for v in values
        )
        if not (quantity and values and plain):
            return "by its name"
    if any(_has_credentials(value) for value in values):
        return "its URLs carry credentials"
    identifier = _IDENTIFIER_WORDS & set(tokens(name))
    if not identifier and any(looks_random(value) for value in values):
        return "its values look random"
    return None


# -- one service's keys -----------------------------------------------------------------


@dataclass(slots=True)
class _Observed:
    """A key of one service: its entry in each environment it appears in."""

    name: str
    #: Per environment: the entry the process gets (set, or delivered by reference).
    present: dict[str, Entry] = field(default_factory=dict)
    #: Environments where a bare ``KEY`` names it without setting it.
    named: set[str] = field(default_factory=set)
    type: str = "str"
    #: Why it is a secret (None: it is not), from its own entries.
    secret_reason: str | None = None

    def values(self) -> list[str]:
        return [
            entry.value
            for entry in self.present.values()
            if entry.value is not None and not entry.fingerprinted
        ]


def _observe(layers: Mapping[str, Layer], environments: Iterable[str]) -> dict[str, _Observed]:
    observed: dict[str, _Observed] = {}
    for environment in environments:
        for key, entry in layers[environment].values.items():
            seen = observed.setdefault(key, _Observed(key))
            if entry.present:
                seen.present[environment] = entry
            else:
                seen.named.add(environment)
    return observed


def _listen_key(service: str, observed: Mapping[str, _Observed]) -> str | None:
    own = "_".join(tokens(service)) + "_PORT"
    for name in (*_LISTEN_NAMES, own):
        key = observed.get(name)
        values = key.values() if key is not None else []
        if values and all(_is_port(v) for v in values):
            return name
    return None


def _typo(a: str, b: str) -> bool:
    """Near misses a typo apart (REDIS_HSOT, REDIS_HOST), not a word apart
    (JWT_SECRET, JWT_SECRET_KEY): the typo may have changed the inferred type."""
    return difflib.SequenceMatcher(None, a.upper(), b.upper()).ratio() >= 0.85


def _misspellings(
    observed: dict[str, _Observed], preferred: Iterable[str], listen: str | None
) -> dict[str, str]:
    """Keys that look misspelt: set in one environment only, beside a near miss of
    theirs that is set there and elsewhere too. Left out of the schema, check reports
    them (near-miss-key) with the name they miss. Misspelt name -> the name."""
    preferred_names = set(preferred)
    index = NearMissIndex(list(observed))
    found = {}
    for name, seen in observed.items():
        if len(seen.present) != 1 or name in preferred_names or name == listen:
            continue
        (environment,) = seen.present
        for other in index.candidates(name):
            wider = observed[other].present
            alike = _typo(name, other) or observed[other].type == seen.type
            if environment in wider and len(wider) > 1 and alike:
                found[name] = other
                break
    return found


def _group_near_misses(
    observed: dict[str, _Observed], preferred: Iterable[str], listen: str | None
) -> dict[str, list[str]]:
    """Canonical name -> deprecated names, for keys one service holds under near-miss
    names in different environments."""
    preferred_names = set(preferred)
    index = NearMissIndex(list(observed))
    order = sorted(
        observed,
        key=lambda k: (k not in preferred_names, -len(observed[k].present), k),
    )
    grouped: dict[str, list[str]] = {listen: []} if listen is not None else {}
    taken: set[str] = set()
    for name in order:
        if name in taken or name == listen or not observed[name].present:
            continue
        taken.add(name)
        members = [name]
        environments = set(observed[name].present)
        for other in index.candidates(name):
            if other in taken or other == listen or not observed[other].present:
                continue
            if observed[other].type != observed[name].type and not _typo(name, other):
                continue
            if environments & set(observed[other].present):
                continue
            members.append(other)
            taken.add(other)
            environments |= set(observed[other].present)
        grouped[name] = members[1:]
    return grouped


def _scope(
    guess: KeyGuess,
    present: dict[str, Entry],
    own: tuple[str, ...],
    every: tuple[str, ...],
    plan: Plan,
) -> None:
    """Where the key must be set: ``required`` and ``environments`` and why."""
    where = [env for env in own if env in present]
    missing = [env for env in own if env not in present]
    development = {env for env in own if plan.is_development(env)}
    seen = f"set in {', '.join(where)}"
    name_words = {word.lower() for word in tokens(guess.name)}
    empty = all(entry.value == "" for entry in present.values())
    if not missing:
        scope_note = seen
        if own != every:
            guess.environments = own
    elif set(where) <= development or set(missing) <= development:
        guess.environments = tuple(where)
        side = "only in development" if set(where) <= development else "outside development"
        scope_note = f"{seen} ({side}): scoped to them"
    elif tuple(where) == own[len(own) - len(where) :]:
        guess.environments = tuple(where)
        scope_note = f"{seen}, the last environments only: scoped to them"
    elif {w.lower() for w in where} <= name_words:
        guess.environments = tuple(where)
        scope_note = f"{seen}, as its name says: scoped to them"
    elif "DEBUG" in tokens(guess.name) and development & set(where):
        guess.environments = tuple(env for env in where if env in development)
        scope_note = f"{seen}; a debug flag: scoped to development, so check reports the others"
    elif len(where) == 1 and len(own) >= 3:
        guess.stray = True
        scope_note = f"{seen} only"
    else:
        if own != every:
            guess.environments = own
        scope_note = (
            f"{seen}, not in {', '.join(missing)}: required, so check reports "
            f"{', '.join(missing)} (or scope it with environments = [...])"
        )
    if empty and len(where) >= 2:
        guess.required = False
        scope_note += "; empty wherever set: optional"
    guess.why.insert(0, scope_note)


def _guess_key(
    observed: _Observed,
    aliases: list[_Observed],
    stored: bool,
    listens: str | None,
    own: tuple[str, ...],
    every: tuple[str, ...],
    plan: Plan,
) -> KeyGuess:
    """``listens``: the service's name, when this is the key it listens on."""
    guess = KeyGuess(observed.name)
    present = dict(observed.present)
    for alias in aliases:
        for env, entry in alias.present.items():
            present.setdefault(env, entry)
    entries = list(present.values())
    values = [e.value for e in entries if e.value is not None and not e.fingerprinted]
    reason = secret_reason(observed.name, entries, stored) if aliases else observed.secret_reason
    if listens is not None:
        guess.type = "port"
        guess.why.append(f"a port: the one {listens} listens on")
    elif reason is not None:
        urls = [v for v in values if v]
        if urls and all(_url(v) is not None for v in urls):
            guess.type, guess.secret = "url", True
            guess.why.append(f"URLs, secret ({reason})")
        else:
            guess.type = "secret"
            guess.why.append(f"a secret ({reason})")
    else:
        guess.type, guess.choices, why = value_type(observed.name, values)
        guess.why.append(why)
        references = {e.reference.kind for e in entries if e.value is None and e.reference}
        if "field" in references:
            guess.why.append("set by Kubernetes from the pod")
    if aliases:
        guess.deprecated_names = tuple(alias.name for alias in aliases)
        for alias in aliases:
            where = ", ".join(env for env in own if env in alias.present)
            guess.why.append(
                f"{alias.name}, a near miss, is set in {where}: taken as an old name of it "
                "(make the key the name your code reads)"
            )
    _scope(guess, present, own, every, plan)
    return guess


# -- addresses --------------------------------------------------------------------------


@dataclass(slots=True)
class _Reach:
    """How one service is reached in one environment."""

    listen: int | None
    #: (hosts, port) of each address its manifests give.
    addresses: list[tuple[frozenset[str], int]]


def _reach(
    services: Mapping[str, ServiceGuess], layers: Mapping[tuple[str, str], Layer]
) -> dict[tuple[str, str], _Reach]:
    reach = {}
    for name, service in services.items():
        for env in service.environments:
            addresses = [
                (frozenset(h.lower() for h in a.hosts), a.port)
                for a in layers[(name, env)].addresses()
            ]
            reach[(name, env)] = _Reach(service.ports.get(env), addresses)
    return reach


def _score(address: Address, target: str, reach: _Reach | None, by_name: bool) -> int:
    """How strongly one address points at ``target`` in one environment (the key's name
    aside): 3 for an address its manifests give, 2 for its name as the host or a local
    host on its port, 1 for its port on another host."""
    if reach is None:
        return 0
    host = address.host.lower()
    if any(host in hosts and port == address.port for hosts, port in reach.addresses):
        return 3
    score = 0
    named = host == target.lower() or host.split(".", 1)[0] == target.lower()
    if (named and (by_name or "." in host)) or any(host in hosts for hosts, _ in reach.addresses):
        score += 2
    if reach.listen is not None and address.port == reach.listen:
        score += 2 if host in _LOCAL_HOSTS else 1 if address.explicit_port else 0
    return score


def _address(key_type: str, value: str) -> Address | None:
    try:
        if key_type == "url":
            return parse_url(value)
        if key_type == "host":
            return parse_host(value)
    except InvalidValue:
        return None
    return None


def _endpoint_of(address: Address) -> str | None:
    """The endpoint a URL reaches by its scheme (``postgres://``), or, over HTTP, by the
    first label of its host (``http://clickhouse.prod.internal:8123``)."""
    scheme = (address.scheme or "").lower()
    if scheme.endswith("+srv"):
        return None
    if scheme in ("http", "https"):
        return _HTTP_ENDPOINTS.get(address.host.lower().split(".", 1)[0])
    return SCHEME_ENDPOINTS.get(scheme, SCHEME_ENDPOINTS.get(scheme.split("+", 1)[0]))


class _Targets:
    """Decides what the url, host and port keys of every service reach."""

    def __init__(
        self,
        services: dict[str, ServiceGuess],
        observed: dict[str, dict[str, _Observed]],
        layers: Mapping[tuple[str, str], Layer],
        plan: Plan,
    ) -> None:
        self.services = services
        self.observed = observed
        self.plan = plan
        self.reach = _reach(services, layers)
        self.compose = {name for name, p in plan.services.items() if p.compose_service}
        self.endpoint_ports: dict[str, dict[str, list[int]]] = {}
        self.endpoint_users: dict[str, list[str]] = {}
        self.public: dict[tuple[str, str], list[tuple[str, str]]] = {}
        # Who an address could point at, looked up by what it says, so that no address
        # is compared with every service.
        self.by_name = {name.lower(): name for name in services}
        self.by_words = {_split(name): name for name in services}
        self.by_host: dict[tuple[str, str], set[str]] = {}
        self.by_port: dict[tuple[str, int], set[str]] = {}
        for (name, env), reach in self.reach.items():
            for hosts, _ in reach.addresses:
                for host in hosts:
                    self.by_host.setdefault((env, host), set()).add(name)
            if reach.listen is not None:
                self.by_port.setdefault((env, reach.listen), set()).add(name)

    def _named_in(self, key: str) -> set[str]:
        """The services whose names are whole words of ``key`` (VITE_AUTH_URL: auth)."""
        words = _split(key)
        return {
            self.by_words[words[start:end]]
            for start in range(len(words))
            for end in range(start + 1, len(words) + 1)
            if words[start:end] in self.by_words
        }

    def _candidates(self, env: str, address: Address, named: set[str]) -> set[str]:
        host = address.host.lower()
        found = set(self.by_host.get((env, host), ())) | named
        for name in (host, host.split(".", 1)[0]):
            if name in self.by_name:
                found.add(self.by_name[name])
        if address.port is not None:
            listening = self.by_port.get((env, address.port), set())
            if len(listening) <= _MAX_SERVICES_ON_A_PORT:
                found |= listening
        return found

    def _values(self, service: str, guess: KeyGuess) -> dict[str, str]:
        observed = self.observed[service]
        result: dict[str, str] = {}
        for name in (guess.name, *guess.deprecated_names):
            seen = observed.get(name)
            for env, entry in seen.present.items() if seen is not None else ():
                if entry.value and not entry.fingerprinted and env not in result:
                    result[env] = entry.value.strip()
        return result

    def assign(self) -> None:
        for service, guess_of in self.services.items():
            for guess in guess_of.keys.values():
                if guess.type in ("url", "host"):
                    self._address_key(service, guess, public=not guess.secret)
                elif guess.type == "port" and guess.name != guess_of.listen_port_key:
                    self._port_key(service, guess)

    def _use_endpoint(self, kind: str, service: str, key: str, ports: dict[str, int]) -> str | None:
        if kind in self.services:
            return None  # an endpoint may not have a service's name
        known = self.endpoint_ports.setdefault(kind, {})
        for env, port in ports.items():
            known.setdefault(env, []).append(port)
        self.endpoint_users.setdefault(kind, []).append(f"{service} {key}")
        return kind

    def _address_key(self, service: str, guess: KeyGuess, public: bool) -> None:
        """``public``: whether its values may give the target's public URL (never a
        secret's: only scheme and host would be written, but a secret's are not used)."""
        addresses = {}
        for env, value in self._values(service, guess).items():
            address = _address(guess.type, value)
            if address is not None:
                addresses[env] = address
        if not addresses:
            return
        # Where the host says nothing (localhost in dev), the other environments decide.
        kinds = {_endpoint_of(a) for a in addresses.values()} - {None}
        infrastructure = {
            self.plan.infrastructure.get(a.host.lower()) for a in addresses.values()
        } - {None}
        kind = kinds.pop() if len(kinds) == 1 else None
        if kind is None and not kinds and len(infrastructure) == 1:
            kind = infrastructure.pop()
        if kind is not None:
            ports = {
                env: a.port if a.port is not None else _ENDPOINT_PORTS.get(kind, 0)
                for env, a in addresses.items()
            }
            ports = {env: port for env, port in ports.items() if port}
            guess.targets = self._use_endpoint(kind, service, guess.name, ports)
            if guess.targets is not None:
                guess.why.append(f"reaches endpoint {kind}")
            return
        named = self._named_in(guess.name)
        evidence: Counter[str] = Counter()
        for env, address in addresses.items():
            for target in self._candidates(env, address, named) - {service}:
                reach = self.reach.get((target, env))
                evidence[target] += _score(address, target, reach, target in self.compose)
        scores: Counter[str] = Counter()
        for target, points in evidence.items():
            if points:
                # The key's name counts once per environment: it breaks ties.
                scores[target] = points + (len(addresses) if target in named else 0)
        ranked = scores.most_common(2)
        if not ranked or ranked[0][1] < 2 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
            return
        target = ranked[0][0]
        guess.targets = target
        guess.why.append(f"reaches {target}")
        if public:
            for env, address in addresses.items():
                self._maybe_public(service, guess.name, target, env, address)

    def _maybe_public(
        self, service: str, key: str, target: str, env: str, address: Address
    ) -> None:
        """An https URL on its default port, of an outside host, where the target does
        not listen: the target's public URL in that environment (TLS ends in front of it)."""
        reach = self.reach.get((target, env))
        if reach is None or address.explicit_port or address.scheme != "https":
            return
        host = address.host.lower()
        if host in _LOCAL_HOSTS or host == target.lower():
            return
        if any(host in hosts for hosts, _ in reach.addresses) or address.port == reach.listen:
            return
        shown = f"[{address.host}]" if ":" in address.host else address.host  # IPv6
        self.public.setdefault((target, env), []).append(
            (f"{address.scheme}://{shown}", f"{service} {key}")
        )

    def _port_key(self, service: str, guess: KeyGuess) -> None:
        words = tokens(guess.name)
        values = {
            env: parse_port(value)
            for env, value in self._values(service, guess).items()
            if _is_port(value)
        }
        # A service its name names, listening on the port somewhere: METRICS_PORT is a
        # service's own metrics port, not the port of a service called metrics.
        named = [
            name
            for name in self._named_in(guess.name) - {service}
            if any(self.services[name].ports.get(env) == port for env, port in values.items())
        ]
        if named:
            # The longest name that is part of the key's: BILLING_API_PORT, billing-api.
            target = min(named, key=lambda name: (-len(_split(name)), name))
            guess.targets = target
            guess.why.append(f"the port of {target}")
            return
        kinds = {_ENDPOINT_WORDS[w] for w in words if w in _ENDPOINT_WORDS}
        if len(kinds) == 1:
            kind = kinds.pop()
            guess.targets = self._use_endpoint(kind, service, guess.name, values)
            if guess.targets is not None:
                guess.why.append(f"the port of endpoint {kind}")

    def endpoints(self, environments: tuple[str, ...]) -> dict[str, EndpointGuess]:
        """One port per endpoint, the one most of its addresses use (the kind's default
        port on a tie), so that an address to another port is reported: where the port
        really differs in an environment, declare it there."""
        found = {}
        for kind, per_env in sorted(self.endpoint_ports.items()):
            seen = Counter(port for ports in per_env.values() for port in ports)
            default = _ENDPOINT_PORTS.get(kind)
            if seen:
                port = max(seen.items(), key=lambda item: (item[1], item[0] == default, -item[0]))[
                    0
                ]
            elif default is not None:
                port = default
            else:
                continue
            found[kind] = EndpointGuess(
                kind, dict.fromkeys(environments, port), sorted(set(self.endpoint_users[kind]))
            )
        return found

    def public_urls(self) -> None:
        for (target, env), candidates in sorted(self.public.items()):
            counted = Counter(url for url, _ in candidates)
            url = min(counted, key=lambda u: (-counted[u], u))
            self.services[target].public_urls[env] = url
            users = sorted({who for candidate, who in candidates if candidate == url})
            self.services[target].public_urls_from[env] = users


# -- shared settings --------------------------------------------------------------------


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(self, node: tuple[str, str]) -> tuple[str, str]:
        self.parent.setdefault(node, node)
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def union(self, a: tuple[str, str], b: tuple[str, str]) -> None:
        self.parent[self.find(a)] = self.find(b)


def _shared_name(keys: list[str], taken: set[str]) -> str:
    """The words the keys share, in kebab case (JWT_SECRET, JWT_SECRET_KEY: jwt-secret)."""
    split = [tokens(key) for key in keys]
    shortest = min(split, key=len)
    best: list[str] = []
    for start in range(len(shortest)):
        for end in range(len(shortest), start, -1):
            run = shortest[start:end]
            if len(run) > len(best) and all(_contains(words, run) for words in split):
                best = run
    base = "-".join(best or shortest).lower() or "shared"
    name, number = base, 2
    while name in taken:
        name, number = f"{base}-{number}", number + 1
    taken.add(name)
    return name


def _contains(words: list[str], run: list[str]) -> bool:
    return any(words[i : i + len(run)] == run for i in range(len(words) - len(run) + 1))


def _shared_settings(
    services: dict[str, ServiceGuess],
    observed: dict[str, dict[str, _Observed]],
    environments: tuple[str, ...],
    plan: Plan,
) -> list[SharedGuess]:
    """Keys of different services that hold one setting, by evidence only: the
    connected groups of keys found equal (by keyed digest) or naming the same secret.

    A secret counts as evidence when it is no placeholder (16 characters or more), in
    an environment outside development; equal in development only, it counts when the
    project has at most one other environment to tell by (dev values are often one
    copied value). Text that is no secret must be equal in every environment where both
    keys are set, and differ from one environment to the next.
    """
    fingerprinter = Fingerprinter()  # a key of this run: digests only compare, here
    candidates: dict[tuple[str, str], bool] = {}  # node -> secret
    for service, guess_of in services.items():
        for name, guess in guess_of.keys.items():
            secret = guess.type == "secret" or guess.secret
            if secret or (guess.type == "str" and name != guess_of.listen_port_key):
                candidates[(service, name)] = secret
    outside_development = [env for env in environments if not plan.is_development(env)]
    development_counts = len(outside_development) <= 1

    # Per environment, what each key holds: a digest, or the secret it names.
    held: dict[str, dict[tuple[str, str], str]] = {env: {} for env in environments}
    links = _UnionFind()
    linked: set[tuple[str, str]] = set()
    for env in environments:
        buckets: dict[tuple[bool, str], list[tuple[str, str]]] = {}
        for node, secret in candidates.items():
            entry = _effective(observed[node[0]], services[node[0]].keys[node[1]], env)
            if entry is None or entry.fingerprinted:
                continue
            if entry.value is None:
                if entry.reference is None:
                    continue
                marker = "ref:" + str(entry.reference)
            elif len(entry.value) < (DEFAULT_SECRET_MIN_LENGTH if secret else 1):
                continue  # a placeholder agrees with anything
            else:
                marker = fingerprinter.digest(entry.value)
            held[env][node] = marker
            buckets.setdefault((secret, marker), []).append(node)
        for (secret, _), nodes in buckets.items():
            if len({service for service, _ in nodes}) < 2:
                continue
            if secret and (development_counts or not plan.is_development(env)):
                group = _one_setting(nodes, plan.is_development(env))
                for node in group[1:]:
                    links.union(group[0], node)
                linked.update(group if len(group) > 1 else ())
            elif not secret and len(nodes) <= _MAX_SHARED_BUCKET:
                pending = [(a, b) for i, a in enumerate(nodes) for b in nodes[i + 1 :]]
                for a, b in pending:
                    if a[0] != b[0] and _equal_and_varying(a, b, held, environments):
                        links.union(a, b)
                        linked.update((a, b))
    components: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for node in sorted(linked):
        components.setdefault(links.find(node), []).append(node)
    taken: set[str] = set()
    shared = []
    for members in sorted(components.values()):
        one_each: dict[str, str] = {}
        for service, key in members:
            one_each.setdefault(service, key)
        if len(one_each) < 2:
            continue
        ordered = [(s, one_each[s]) for s in services if s in one_each]
        shared.append(
            SharedGuess(
                _shared_name([k for _, k in ordered], taken),
                ordered,
                candidates[ordered[0]],
                _agreement(ordered, held, environments),
            )
        )
    return shared


def _one_setting(nodes: list[tuple[str, str]], development: bool) -> list[tuple[str, str]]:
    """Of the keys holding one secret value, those that are one setting: all of them
    outside development; in development, those whose name another of them has too, or
    a near miss of it."""
    if not development:
        return nodes
    names = list(dict.fromkeys(key for _, key in nodes))
    index = NearMissIndex(names)
    counts = Counter(key for _, key in nodes)
    related = {name for name in names if counts[name] > 1 or index.candidates(name)}
    return [node for node in nodes if node[1] in related]


def _equal_and_varying(
    a: tuple[str, str],
    b: tuple[str, str],
    held: dict[str, dict[tuple[str, str], str]],
    environments: tuple[str, ...],
) -> bool:
    """Two text keys equal wherever both are set (two environments at least), with a
    value that changes across environments: one setting, not a common constant."""
    both = [env for env in environments if a in held[env] and b in held[env]]
    equal = all(held[env][a] == held[env][b] for env in both)
    return len(both) >= 2 and equal and len({held[env][a] for env in both}) > 1


def _agreement(
    members: list[tuple[str, str]],
    held: dict[str, dict[tuple[str, str], str]],
    environments: tuple[str, ...],
) -> str:
    """Where the members agree and where they differ, for the comment. A value and a
    reference to a secret store cannot be compared: each is compared with its own kind."""
    equal, differ = [], []
    for env in environments:
        kinds: dict[bool, set[str]] = {}
        for member in members:
            found = held[env].get(member)
            if found is not None:
                kinds.setdefault(found.startswith("ref:"), set()).add(found)
        counted = [m for m in members if m in held[env]]
        if any(len(markers) > 1 for markers in kinds.values()):
            differ.append(env)
        elif len(counted) >= 2 and len({held[env][m] for m in counted}) < len(counted):
            equal.append(env)
    why = f"equal in {', '.join(equal)}" if equal else ""
    if differ:
        why += ("; " if why else "") + f"differs in {', '.join(differ)}"
    return why


def _effective(observed: dict[str, _Observed], guess: KeyGuess, env: str) -> Entry | None:
    for name in (guess.name, *guess.deprecated_names):
        seen = observed.get(name)  # None for a key only an example file names
        entry = seen.present.get(env) if seen is not None else None
        if entry is not None:
            return entry
    return None


# -- the whole project ------------------------------------------------------------------


def infer(
    plan: Plan,
    layers: Mapping[tuple[str, str], Layer],
    stored_secret_keys: Mapping[str, set[str]],
    platform: PlatformKeys,
) -> Inference:
    """Every service's schema, the shared settings, endpoints, ports and public URLs."""
    every = plan.environments
    services: dict[str, ServiceGuess] = {}
    observed_all: dict[str, dict[str, _Observed]] = {}
    for name, service_plan in plan.services.items():
        own = tuple(env for env in every if service_plan.sources.get(env))
        guess_of = ServiceGuess(name, own)
        services[name] = guess_of
        service_layers = {env: layers[(name, env)] for env in own}
        observed = _observe(service_layers, own)
        observed_all[name] = observed
        guess_of.listen_port_key = _listen_key(name, observed)
        stored = stored_secret_keys.get(name, set())
        for key, seen in list(observed.items()):
            if key in platform and key != guess_of.listen_port_key:
                guess_of.left_out.append(key)
                del observed[key]
                continue
            seen.secret_reason = secret_reason(key, seen.present.values(), key in stored)
            seen.type = "secret" if seen.secret_reason else value_type(key, seen.values())[0]
        guess_of.misspelt = _misspellings(
            observed, service_plan.example_keys, guess_of.listen_port_key
        )
        for key in guess_of.misspelt:
            del observed[key]
        groups = _group_near_misses(observed, service_plan.example_keys, guess_of.listen_port_key)
        for key, seen in observed.items():
            if not seen.present and not any(key in a for a in groups.values()):
                guess = KeyGuess(key, required=False)
                guess.type = "secret" if looks_secret(key) else "str"
                where = ", ".join(env for env in own if env in seen.named)
                guess.why.append(f"named without a value in {where}: optional")
                guess_of.keys[key] = guess
                continue
            if key not in groups:
                continue
            guess = _guess_key(
                observed[key],
                [observed[alias] for alias in groups[key]],
                key in stored,
                name if key == guess_of.listen_port_key else None,
                own,
                every,
                plan,
            )
            if guess.stray and key != guess_of.listen_port_key:
                guess_of.strays[key] = next(iter(seen.present))
                continue
            guess_of.keys[key] = guess
        for key in service_plan.example_keys:
            if (
                key not in observed
                and key not in platform
                and not any(key in g.deprecated_names for g in guess_of.keys.values())
            ):
                guess = KeyGuess(key, required=False)
                guess.type = "secret" if looks_secret(key) else "str"
                guess.why.append("listed in an example file, set in no environment: optional")
                guess_of.keys[key] = guess
        _listen_ports(guess_of, observed, layers)
    targets = _Targets(services, observed_all, layers, plan)
    targets.assign()
    targets.public_urls()
    return Inference(
        every,
        services,
        _shared_settings(services, observed_all, every, plan),
        targets.endpoints(every),
    )


def _listen_ports(
    guess_of: ServiceGuess,
    observed: dict[str, _Observed],
    layers: Mapping[tuple[str, str], Layer],
) -> None:
    listen = guess_of.listen_port_key
    if listen is not None:
        for env, entry in observed[listen].present.items():
            if entry.value is not None and _is_port(entry.value):
                guess_of.ports[env] = parse_port(entry.value)
        guess_of.ports_from = f"its {listen}"
        return
    # No listen key: the one port its manifests forward to, where there is one.
    for env in guess_of.environments:
        targets = {a.target for a in layers[(guess_of.name, env)].addresses() if a.target}
        if len(targets) == 1:
            guess_of.ports[env] = targets.pop()
    if guess_of.ports:
        guess_of.ports_from = "the one container port its manifests forward to"
