"""A corpus of complete driftcheck projects for the speed benchmark, with drift planted.

``python -m tests.benchmarks.generate DIR [--size xlarge] [--seed 1]`` writes one project
(``driftcheck.toml``, ``schemas/<service>.toml``, ``services/<service>/.env.<env>``,
``discovery/<env>.json``) and ``manifest.json``, which lists every planted drift as the
finding it must produce: ``code``, ``service``, ``environment``, ``key``.

The project looks like a real one of its size: services named after what they do, in four
environments (dev, staging, qa, prod), about 200 keys each (ports, URLs that target other
services and infrastructure endpoints, secrets shared by groups of services, quoted,
multi-line and interpolated values, ``export`` lines, comments, names that are near misses
of each other). It is otherwise clean: everything driftcheck reports is planted.

Services come in blocks of 25; every block gets one drift of each kind, so the number of
findings, like everything else, grows linearly with the size. Everything is derived from
the seed (hashes, not a shared random stream), so a size is a prefix of every larger one.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ENVIRONMENTS = ("dev", "staging", "qa", "prod")
NON_DEV = ("staging", "qa", "prod")
BLOCK = 25
HUBS = 3
KEYS_PER_SERVICE = 200
#: Name -> number of services; values = services x 4 environments x about 200 keys.
SIZES = {"small": 25, "medium": 100, "large": 250, "xlarge": 500}
DEFAULT_SEED = 1
GENERATOR_VERSION = 1

SERVICE_WORDS = (
    "auth", "accounts", "billing", "payments", "invoices", "ledger", "orders", "checkout",
    "cart", "catalog", "inventory", "pricing", "promotions", "shipping", "fulfillment",
    "returns", "search", "recommendations", "reviews", "ratings", "notifications", "email",
    "sms", "push", "users", "profiles", "identity", "sessions", "gateway", "edge", "media",
    "images", "uploads", "documents", "reports", "analytics", "metrics", "audit",
    "compliance", "fraud", "risk", "scheduler", "workflows", "webhooks", "integrations",
    "partners", "support", "tickets", "chat", "feeds",
)  # fmt: skip
SERVICE_SUFFIXES = (
    "", "-api", "-worker", "-sync", "-admin", "-events", "-jobs", "-proxy", "-reader",
    "-writer",
)  # fmt: skip
MAX_SERVICES = len(SERVICE_WORDS) * len(SERVICE_SUFFIXES)

AREAS = (
    "CACHE", "QUEUE", "SEARCH", "STORAGE", "CDN", "MAILER", "SMS", "PUSH", "METRICS",
    "TRACING", "AUDIT", "EXPORT", "IMPORT", "BATCH", "SYNC", "WEBHOOK", "RATE_LIMIT",
    "CIRCUIT", "RETRY", "HTTP", "GRPC", "PDF", "IMAGE", "THUMBNAIL", "GEOIP", "LOCALE",
    "CURRENCY", "TAX", "FRAUD", "RISK", "LEDGER", "REPORT", "SCHEDULER", "LOCK", "UPLOAD",
    "DOWNLOAD", "ARCHIVE", "BACKUP", "CLEANUP", "FEED",
)  # fmt: skip
#: (attribute, schema fields); values come from :func:`_filler_value`.
ATTRIBUTES: tuple[tuple[str, dict[str, object]], ...] = (
    ("TIMEOUT_MS", {"type": "int", "min": 1, "max": 600000}),
    ("TIMEOUT", {"type": "int", "min": 1, "max": 3600, "default": 30}),
    ("MAX_RETRIES", {"type": "int", "min": 0, "max": 20}),
    ("ENABLED", {"type": "bool"}),
    ("BATCH_SIZE", {"type": "int", "min": 1, "max": 10000}),
    ("POOL_SIZE", {"type": "int", "min": 1, "max": 256}),
    ("HOST", {"type": "host"}),
    ("BUCKET", {"type": "str"}),
    ("PREFIX", {"type": "str"}),
    ("TTL_SECONDS", {"type": "int", "min": 0, "default": 300}),
    ("RATE", {"type": "float", "min": 0, "max": 1}),
    ("MODE", {"type": "enum", "choices": ["off", "shadow", "on"], "default": "off"}),
    ("ALLOWED_HOSTS", {"type": "list"}),
    ("ENDPOINT", {"type": "url"}),
    ("API_KEY", {"type": "secret", "min_length": 24}),
    ("CONCURRENCY", {"type": "int", "min": 1, "max": 512}),
    ("QUEUE_NAME", {"type": "str"}),
)
ENDPOINTS: dict[str, int | dict[str, int]] = {
    "postgres": 5432,
    "redis": 6379,
    "clickhouse-http": 8123,
    # Legitimately different: dev runs a single broker on the default port.
    "kafka": {"dev": 9092, "staging": 9094, "qa": 9094, "prod": 9094},
}

# -- the kinds of drift planted in every block ------------------------------------------------
#: (kind, environments it may be planted in); the position in the block follows the index.
PLANTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("required-key-missing", ENVIRONMENTS),
    ("required-key-empty", ENVIRONMENTS),
    ("deprecated-name-used", ENVIRONMENTS),
    ("alias-conflict", ENVIRONMENTS),
    ("near-miss-typo", ENVIRONMENTS),
    ("near-miss-suffix", ENVIRONMENTS),
    ("shared-name-mismatch", ("",)),
    ("shared-value-mismatch", ENVIRONMENTS),
    ("secret-reused", ("prod",)),
    ("weak-secret", NON_DEV),
    ("listen-port-mismatch", NON_DEV),
    ("endpoint-port-mismatch", ENVIRONMENTS),
    ("url-wrong-port", NON_DEV),
    ("clickhouse-native-port", NON_DEV),
    ("discovery-port-mismatch", ENVIRONMENTS),
    ("port-collision", ("dev",)),
    ("invalid-port", ENVIRONMENTS),
    ("invalid-value", ENVIRONMENTS),
    ("constraint-violation", ENVIRONMENTS),
    ("control-character", ENVIRONMENTS),
    ("surrounding-whitespace", ENVIRONMENTS),
    ("environment-parity", ENVIRONMENTS),
    ("unknown-key", ENVIRONMENTS),
    ("key-outside-environments", NON_DEV),
    ("duplicate-key", ENVIRONMENTS),
    ("unparsable-line", ENVIRONMENTS),
    ("byte-order-mark", ENVIRONMENTS),
)
NON_HUBS = BLOCK - HUBS


def service_name(index: int) -> str:
    word = SERVICE_WORDS[index % len(SERVICE_WORDS)]
    return word + SERVICE_SUFFIXES[index // len(SERVICE_WORDS)]


def env_name(service: str) -> str:
    """A service name as part of a variable name: ``billing-api`` -> ``BILLING_API``."""
    return service.upper().replace("-", "_")


def dev_port(index: int) -> int:
    return 20000 + index


def internal_host(service: str, environment: str) -> str:
    return f"{service}.{environment}.svc.internal"


@dataclass
class KeyDef:
    """One key of a service: its schema fields and its value per environment."""

    name: str
    fields: dict[str, object]
    values: dict[str, str]
    #: How the value is written: plain, dq, sq, export, spaced, comment, raw (as is).
    style: str = "plain"


@dataclass
class Line:
    key: str | None
    text: str
    #: Bindings this line makes in python-dotenv's eyes.
    bindings: int = 1


@dataclass
class Service:
    index: int
    name: str
    keys: list[KeyDef]
    sections: list[tuple[str, list[str]]]
    dev_port: int
    public_url: str | None = None


@dataclass
class Corpus:
    seed: int
    services: list[Service]
    shared: list[tuple[str, dict[str, str]]]
    #: (service index, environment) -> the lines of that .env file.
    files: dict[tuple[int, str], list[Line]] = field(default_factory=dict)
    discovery: dict[str, dict[str, dict[str, object]]] = field(default_factory=dict)
    planted: list[dict[str, str | None]] = field(default_factory=list)


def _token(seed: int, *parts: object, length: int = 40) -> str:
    """A random-looking, reproducible hex string for ``parts``."""
    text = "/".join(str(part) for part in (seed, *parts))
    digest = hashlib.sha256(text.encode()).hexdigest()
    while len(digest) < length:
        digest += hashlib.sha256(digest.encode()).hexdigest()
    return digest[:length]


def _pem(seed: int, *parts: object) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    raw = _token(seed, "pem", *parts, length=152)
    body = "".join(alphabet[int(raw[i : i + 2], 16) % 64] for i in range(0, len(raw), 2))
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END PRIVATE KEY-----"


def _same(value: str) -> dict[str, str]:
    return dict.fromkeys(ENVIRONMENTS, value)


def _per_env(make: Callable[[str], str]) -> dict[str, str]:
    return {environment: make(environment) for environment in ENVIRONMENTS}


def _filler_value(
    seed: int, service: str, area: str, attribute: str, environment: str, pick: int
) -> str:
    lower = area.lower().replace("_", "-")
    if attribute == "TIMEOUT_MS":
        return str((250, 500, 1000, 2000, 5000, 30000)[pick % 6])
    if attribute == "TIMEOUT":
        return str((5, 10, 30, 60)[pick % 4])
    if attribute == "MAX_RETRIES":
        return str(pick % 6)
    if attribute == "ENABLED":
        if environment == "dev":
            return ("1", "true", "yes")[pick % 3]
        return ("true", "false")[pick % 2]
    if attribute in ("BATCH_SIZE", "POOL_SIZE", "CONCURRENCY"):
        return str((4, 8, 16, 32, 64, 100)[pick % 6])
    if attribute == "HOST":
        return "localhost" if environment == "dev" else f"{lower}.{environment}.internal"
    if attribute == "BUCKET":
        return f"acme-{service}-{lower}-{environment}"
    if attribute == "PREFIX":
        return f"{service}/{lower}/"
    if attribute == "TTL_SECONDS":
        return str((60, 300, 900, 3600)[pick % 4])
    if attribute == "RATE":
        return ("0.05", "0.1", "0.25", "0.5", "1.0")[pick % 5]
    if attribute == "MODE":
        return ("off", "shadow", "on")[pick % 3] if environment != "prod" else "on"
    if attribute == "ALLOWED_HOSTS":
        return f"{lower}.example.com,{lower}-eu.example.com,{lower}-us.example.com"
    if attribute == "ENDPOINT":
        return f"https://{lower}.{environment}.vendor.example.com/v2"
    if attribute == "API_KEY":
        return "ak_" + _token(seed, service, area, environment, length=32)
    if attribute == "QUEUE_NAME":
        return f"{service}.{lower}.{environment}"
    raise AssertionError(attribute)


def _build_service(seed: int, index: int, count: int) -> Service:
    name = service_name(index)
    block, position = divmod(index, BLOCK)
    hubs = [block * BLOCK + hub for hub in range(HUBS)]
    rng = random.Random(f"{seed}/service/{index}")
    port = dev_port(index)

    def listen(environment: str) -> str:
        return str(port) if environment == "dev" else "8080"

    def database_url(environment: str) -> str:
        user = name.replace("-", "_")
        if environment == "dev":
            return f"postgres://{user}:{user}@localhost:5432/{user}"
        password = _token(seed, name, "db", environment, length=24)
        return f"postgres://{user}:{password}@db.{environment}.internal:5432/{user}"

    def redis_host(environment: str) -> str:
        return "localhost" if environment == "dev" else f"redis.{environment}.internal"

    def clickhouse(environment: str) -> str:
        host = "localhost" if environment == "dev" else f"clickhouse.{environment}.internal"
        return f"http://{host}:8123/?database={name.replace('-', '_')}"

    def kafka(environment: str) -> str:
        if environment == "dev":
            return "localhost:9092"
        return f"kafka-{index % 3 + 1}.{environment}.internal:9094"

    def domain(environment: str) -> str:
        return (
            f"{name}.example.com" if environment == "prod" else f"{name}.{environment}.example.com"
        )

    display = f"{name.replace('-', ' ').title()} service"
    core: list[tuple[str, list[KeyDef]]] = [
        (
            "service",
            [
                KeyDef("PORT", {"type": "port"}, _per_env(listen)),
                KeyDef("METRICS_PORT", {"type": "port", "default": 9100}, _same("9100")),
                KeyDef(
                    "LOG_LEVEL",
                    {
                        "type": "enum",
                        "choices": ["debug", "info", "warning", "error"],
                        "default": "info",
                    },
                    {"dev": "debug", "staging": "info", "qa": "info", "prod": "warning"},
                ),
                KeyDef(
                    "DEBUG",
                    {"type": "bool", "default": False, "environments": ["dev"]},
                    {"dev": "true"},
                ),
                KeyDef("WORKERS", {"type": "int", "min": 1, "max": 64}, _same(str(2 + index % 7))),
                KeyDef(
                    "REQUEST_TIMEOUT_SECONDS",
                    {"type": "float", "min": 0.1, "max": 300},
                    _same(("2.5", "5", "10", "30")[index % 4]),
                ),
                KeyDef(
                    "REGION",
                    {"type": "str", "pattern": r"^[a-z]{2}-[a-z]+-\d$"},
                    _same("eu-west-1"),
                ),
                KeyDef("SERVICE_DISPLAY_NAME", {"type": "str"}, _same(display), "dq"),
                KeyDef("ADMIN_EMAIL", {"type": "str"}, _same(f"{name}-owners@example.com")),
                KeyDef("OPS_CHANNEL", {"type": "str"}, _same(f"#ops-{name}"), "sq"),
                KeyDef(
                    "MAINTENANCE_MESSAGE",
                    {"type": "str", "default": ""},
                    _same("We'll be back shortly."),
                    "dq",
                ),
                KeyDef(
                    "GREETING_TEMPLATE",
                    {"type": "str", "default": "Hello"},
                    _same('Hello, "{name}"!\tWelcome.'),
                    "escaped",
                ),
            ],
        ),
        (
            "databases",
            [
                KeyDef(
                    "DATABASE_URL",
                    {"type": "url", "secret": True, "targets": "postgres"},
                    _per_env(database_url),
                ),
                KeyDef("DATABASE_POOL_SIZE", {"type": "int", "min": 1, "max": 64}, _same("10")),
                KeyDef("REDIS_HOST", {"type": "host"}, _per_env(redis_host)),
                KeyDef(
                    "REDIS_PORT",
                    {"type": "port", "targets": "redis", "default": 6379},
                    _same("6379"),
                ),
                KeyDef(
                    "CLICKHOUSE_URL",
                    {"type": "url", "targets": "clickhouse-http"},
                    _per_env(clickhouse),
                ),
                KeyDef("KAFKA_BROKERS", {"type": "host", "targets": "kafka"}, _per_env(kafka)),
            ],
        ),
    ]
    security = [
        KeyDef(
            "JWT_SECRET",
            {"type": "secret", "min_length": 32},
            _per_env(lambda e: _token(seed, "jwt", block, e, length=48)),
        ),
        KeyDef(
            "SIGNING_KEY",
            {"type": "secret", "min_length": 32},
            _per_env(lambda e: _token(seed, name, "signing", e)),
            "export",
        ),
        KeyDef(
            "TLS_PRIVATE_KEY",
            {"type": "secret", "required": ["staging", "qa", "prod"]},
            _per_env(lambda e: _pem(seed, name, e)),
            "dq",
        ),
        KeyDef(
            "CORS_ORIGINS",
            {"type": "list", "deprecated_names": ["CORS_ALLOWED_ORIGINS"]},
            _per_env(
                lambda e: (
                    "http://localhost:3000"
                    if e == "dev"
                    else f"https://app.{'' if e == 'prod' else e + '.'}example.com"
                )
            ),
        ),
    ]
    if position < HUBS or HUBS <= position < HUBS + 5:
        security.append(
            KeyDef(
                "INTERNAL_API_TOKEN",
                {"type": "secret"},
                _per_env(lambda e: _token(seed, "internal", block, e)),
            )
        )
    if HUBS + 5 <= position < HUBS + 10:
        oauth_key = "VITE_OAUTH_CLIENT_ID" if position == HUBS + 9 else "OAUTH_CLIENT_ID"
        security.append(KeyDef(oauth_key, {"type": "str"}, _per_env(lambda e: f"acme-{block}-{e}")))
    core.append(("security", security))

    links = [
        KeyDef("APP_DOMAIN", {"type": "str"}, _per_env(domain)),
        KeyDef("PUBLIC_BASE_URL", {"type": "url"}, _same("https://${APP_DOMAIN}/"), "raw"),
        KeyDef(
            "STATUS_PAGE_URL",
            {"type": "url"},
            _same("${STATUS_PAGE_BASE:-https://status.example.com}/" + name),
            "raw",
        ),
    ]
    for hub in hubs:
        if hub == index or hub >= count:
            continue
        hub_name = service_name(hub)

        def hub_url(environment: str, hub: int = hub, hub_name: str = hub_name) -> str:
            if environment == "dev":
                return f"http://localhost:{dev_port(hub)}"
            if environment == "prod" and position == BLOCK - 1:
                return f"https://{hub_name}.example.com/v1"  # its public URL: not drift
            return f"http://{internal_host(hub_name, environment)}:8080"

        links.append(
            KeyDef(
                f"{env_name(hub_name)}_SERVICE_URL",
                {"type": "url", "targets": hub_name},
                _per_env(hub_url),
            )
        )
    core.append(("links", links))

    used = sum(len(keys) for _, keys in core)
    combos = [(area, attribute) for area in AREAS for attribute, _ in ATTRIBUTES]
    chosen = set(rng.sample(range(len(combos)), KEYS_PER_SERVICE - used))
    attribute_fields = dict(ATTRIBUTES)
    by_area: dict[str, list[KeyDef]] = {}
    for number in sorted(chosen):
        area, attribute = combos[number]
        pick = rng.randrange(1000)
        key_name = f"{area}_{attribute}"
        fields = dict(attribute_fields[attribute])
        values = _per_env(
            lambda e, a=area, t=attribute, p=pick: _filler_value(seed, name, a, t, e, p)
        )
        style = rng.choices(
            ("plain", "dq", "sq", "export", "spaced", "comment"), (80, 6, 3, 4, 3, 4)
        )[0]
        by_area.setdefault(area, []).append(KeyDef(key_name, fields, values, style))
    core.extend((area.lower().replace("_", " "), keys) for area, keys in by_area.items())

    keys = [key for _, section in core for key in section]
    assert len(keys) == KEYS_PER_SERVICE, (name, len(keys))
    sections = [(title, [key.name for key in section]) for title, section in core]
    public_url = f"https://{name}.example.com" if position < HUBS else None
    return Service(index, name, keys, sections, port, public_url)


def _render(key: KeyDef, value: str, style: str | None = None) -> str:
    """A line (or lines) that python-dotenv reads as ``key`` = ``value``."""
    style = style or key.style
    name = key.name
    if style == "raw":
        return f"{name}={value}"
    if style == "escaped" or (("\\" in value or "\r" in value) and style != "sq"):
        escaped = (
            value.replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\t", "\\t")
            .replace("\r", "\\r")
        )
        return f'{name}="{escaped}"'
    if style == "dq" and '"' not in value:
        return f'{name}="{value}"'
    if style == "sq" and "'" not in value and "\n" not in value:
        return f"{name}='{value}'"
    if "\n" in value or value != value.strip() or value[:1] in ("'", '"', "#") or " #" in value:
        return f'{name}="{value}"'
    if style == "export":
        return f"export {name}={value}"
    if style == "spaced":
        return f"{name} = {value}"
    if style == "comment":
        return f"{name}={value}  # set by the platform team"
    return f"{name}={value}"


def _write_files(corpus: Corpus) -> None:
    for service in corpus.services:
        by_name = {key.name: key for key in service.keys}
        for environment in ENVIRONMENTS:
            lines = [
                Line(None, f"# {service.name}: {environment} configuration", 0),
                Line(None, "# Owned by the platform team; secrets come from the vault.", 0),
            ]
            for title, names in service.sections:
                lines.append(Line(None, "", 0))
                lines.append(Line(None, f"# -- {title}", 0))
                for name in names:
                    key = by_name[name]
                    value = key.values.get(environment)
                    if value is None:
                        continue
                    lines.append(Line(name, _render(key, value)))
            corpus.files[(service.index, environment)] = lines


def _find(lines: list[Line], key: str) -> int:
    return next(number for number, line in enumerate(lines) if line.key == key)


def _plant(corpus: Corpus, block: int) -> None:
    """One drift of each kind in ``block``, each recorded as the finding it must produce."""
    base = block * BLOCK
    services = corpus.services

    def expect(code: str, index: int, environment: str | None, key: str | None, what: str) -> None:
        corpus.planted.append(
            {
                "code": code,
                "service": services[index].name,
                "environment": environment or None,
                "key": key,
                "what": what,
            }
        )

    def key_of(index: int, name: str) -> KeyDef:
        return next(key for key in services[index].keys if key.name == name)

    for kind_number, (kind, environments) in enumerate(PLANTS):
        index = base + HUBS + kind_number % NON_HUBS
        environment = environments[(block + kind_number) % len(environments)]
        lines = corpus.files.get((index, environment), [])
        hub = base  # the block's first hub: first member of its shared settings

        def replace(
            name: str, text: str, key: str | None = None, lines: list[Line] = lines
        ) -> None:
            lines[_find(lines, name)] = Line(key or name, text)

        if kind == "required-key-missing":
            del lines[_find(lines, "ADMIN_EMAIL")]
            expect("DC101", index, environment, "ADMIN_EMAIL", "required key removed")
        elif kind == "required-key-empty":
            replace("OPS_CHANNEL", "OPS_CHANNEL=")
            expect("DC102", index, environment, "OPS_CHANNEL", "required key set empty")
        elif kind == "deprecated-name-used":
            value = key_of(index, "CORS_ORIGINS").values[environment]
            replace("CORS_ORIGINS", f"CORS_ALLOWED_ORIGINS={value}", "CORS_ALLOWED_ORIGINS")
            expect("DC201", index, environment, "CORS_ALLOWED_ORIGINS", "old name instead")
        elif kind == "alias-conflict":
            number = _find(lines, "CORS_ORIGINS")
            lines.insert(
                number, Line("CORS_ALLOWED_ORIGINS", "CORS_ALLOWED_ORIGINS=https://old.example.com")
            )
            expect("DC202", index, environment, "CORS_ALLOWED_ORIGINS", "old and new name differ")
        elif kind == "near-miss-typo":
            number = _find(lines, "REDIS_HOST")
            lines.insert(number + 1, Line("REDIS_HSOT", "REDIS_HSOT=redis.internal"))
            expect("DC203", index, environment, "REDIS_HSOT", "misspelt name added")
        elif kind == "near-miss-suffix":
            value = key_of(index, "JWT_SECRET").values[environment]
            replace("JWT_SECRET", f"JWT_SECRET_KEY={value}", "JWT_SECRET_KEY")
            expect("DC203", index, environment, "JWT_SECRET_KEY", "the other service's name")
            expect("DC101", index, environment, "JWT_SECRET", "so the real name is missing")
        elif kind == "shared-name-mismatch":
            other = base + HUBS + (kind_number + NON_HUBS // 2) % NON_HUBS
            for member, key_name in ((index, "SESSION_SECRET"), (other, "SESSION_SECRET_KEY")):
                values = _per_env(lambda e: _token(corpus.seed, "session", block, e))
                services[member].keys.append(KeyDef(key_name, {"type": "secret"}, values))
                for env in ENVIRONMENTS:
                    member_lines = corpus.files[(member, env)]
                    member_lines.append(Line(key_name, f"{key_name}={values[env]}"))
            corpus.shared.append(
                (
                    f"session-b{block}",
                    {
                        services[index].name: "SESSION_SECRET",
                        services[other].name: "SESSION_SECRET_KEY",
                    },
                )
            )
            expect("DC204", index, None, "SESSION_SECRET", "one setting, two names")
        elif kind == "shared-value-mismatch":
            replace("JWT_SECRET", "JWT_SECRET=" + _token(corpus.seed, "rotated", index, length=48))
            expect("DC301", hub, environment, "JWT_SECRET", "one member rotated alone")
        elif kind == "secret-reused":
            staging = key_of(index, "SIGNING_KEY").values["staging"]
            replace("SIGNING_KEY", f"export SIGNING_KEY={staging}")
            expect("DC302", index, environment, "SIGNING_KEY", "prod reuses staging's")
        elif kind == "weak-secret":
            replace("SIGNING_KEY", "SIGNING_KEY=changeme")
            expect("DC303", index, environment, "SIGNING_KEY", "placeholder secret")
        elif kind == "listen-port-mismatch":
            replace("PORT", "PORT=8081")
            expect("DC401", index, environment, "PORT", "listens off its declared port")
            expect("DC403", index, environment, None, "so discovery disagrees")
        elif kind == "endpoint-port-mismatch":
            replace("REDIS_PORT", "REDIS_PORT=6380")
            expect("DC401", index, environment, "REDIS_PORT", "redis is on 6379")
        elif kind == "url-wrong-port":
            key_name = f"{env_name(services[hub].name)}_SERVICE_URL"
            url = f"http://{internal_host(services[hub].name, environment)}:8081"
            replace(key_name, f"{key_name}={url}")
            expect("DC402", index, environment, key_name, "URL misses the hub's port")
        elif kind == "clickhouse-native-port":
            url = f"http://clickhouse.{environment}.internal:9000/"
            replace("CLICKHOUSE_URL", f"CLICKHOUSE_URL={url}")
            expect("DC402", index, environment, "CLICKHOUSE_URL", "native port for HTTP")
        elif kind == "discovery-port-mismatch":
            corpus.discovery[environment][services[index].name]["port"] = 8001
            expect("DC403", index, environment, None, "discovery record off")
        elif kind == "port-collision":
            port = services[hub].dev_port
            services[index].dev_port = port
            corpus.discovery[environment][services[index].name]["port"] = port
            replace("PORT", f"PORT={port}")
            expect("DC404", index, environment, "PORT", "two services on one dev port")
        elif kind == "invalid-port":
            replace("METRICS_PORT", "METRICS_PORT=91000")
            expect("DC405", index, environment, "METRICS_PORT", "port out of range")
        elif kind == "invalid-value":
            replace("WORKERS", "WORKERS=four")
            expect("DC501", index, environment, "WORKERS", "not an integer")
        elif kind == "constraint-violation":
            replace("DATABASE_POOL_SIZE", "DATABASE_POOL_SIZE=500")
            expect("DC502", index, environment, "DATABASE_POOL_SIZE", "above the maximum")
        elif kind == "control-character":
            value = key_of(index, "SERVICE_DISPLAY_NAME").values[environment]
            replace("SERVICE_DISPLAY_NAME", f'SERVICE_DISPLAY_NAME="{value}\\r"')
            expect("DC503", index, environment, "SERVICE_DISPLAY_NAME", "pasted CR")
        elif kind == "surrounding-whitespace":
            value = key_of(index, "ADMIN_EMAIL").values[environment]
            replace("ADMIN_EMAIL", f'ADMIN_EMAIL=" {value}"')
            expect("DC504", index, environment, "ADMIN_EMAIL", "leading space in quotes")
        elif kind == "environment-parity":
            del lines[_find(lines, "LOG_LEVEL")]
            expect("DC601", index, environment, "LOG_LEVEL", "optional key missing here only")
        elif kind == "unknown-key":
            lines.append(Line("LEGACY_REPORTING_BACKEND", "LEGACY_REPORTING_BACKEND=oldsys"))
            expect("DC602", index, environment, "LEGACY_REPORTING_BACKEND", "read by nothing")
        elif kind == "key-outside-environments":
            number = _find(lines, "WORKERS")
            lines.insert(number, Line("DEBUG", "DEBUG=false"))
            expect("DC603", index, environment, "DEBUG", "dev-only key outside dev")
        elif kind == "duplicate-key":
            value = key_of(index, "WORKERS").values[environment]
            lines.append(Line("WORKERS", f"WORKERS={value}"))
            expect("DC701", index, environment, "WORKERS", "defined twice")
        elif kind == "unparsable-line":
            number = _find(lines, "REGION")
            lines.insert(number, Line(None, "see the runbook for the region", 0))
            expect("DC702", index, environment, None, "a line that is no binding")
        elif kind == "byte-order-mark":
            lines[0] = Line(None, "\ufeff" + lines[0].text, 0)
            expect("DC703", index, environment, None, "saved with a BOM")
        else:  # pragma: no cover
            raise AssertionError(kind)


def build(services: int, seed: int = DEFAULT_SEED) -> Corpus:
    """The corpus of ``services`` services (a multiple of 25), in memory."""
    if services <= 0 or services % BLOCK or services > MAX_SERVICES:
        raise ValueError(f"services must be a multiple of {BLOCK} up to {MAX_SERVICES}")
    built = [_build_service(seed, index, services) for index in range(services)]
    corpus = Corpus(seed, built, [])
    for block in range(services // BLOCK):
        members = {s.name: "JWT_SECRET" for s in built[block * BLOCK : (block + 1) * BLOCK]}
        corpus.shared.append((f"jwt-b{block}", members))
        token_members = {
            s.name: "INTERNAL_API_TOKEN"
            for s in built[block * BLOCK : (block + 1) * BLOCK]
            if any(key.name == "INTERNAL_API_TOKEN" for key in s.keys)
        }
        corpus.shared.append((f"internal-token-b{block}", token_members))
        oauth_members = {
            s.name: key.name
            for s in built[block * BLOCK : (block + 1) * BLOCK]
            for key in s.keys
            if key.name.endswith("OAUTH_CLIENT_ID")
        }
        corpus.shared.append((f"oauth-client-b{block}", oauth_members))
    corpus.discovery = {
        environment: {
            s.name: {
                "host": f"10.{number}.{s.index // 250}.{s.index % 250 + 1}",
                "port": s.dev_port if environment == "dev" else 8080,
            }
            for s in built
        }
        for number, environment in enumerate(ENVIRONMENTS)
    }
    _write_files(corpus)
    for block in range(services // BLOCK):
        _plant(corpus, block)
    return corpus


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return (
            "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
        )
    raise TypeError(type(value))


def _toml_key(key: str) -> str:
    return (
        key
        if key.replace("-", "").replace("_", "").isalnum() and key.isascii()
        else json.dumps(key)
    )


def _config_text(corpus: Corpus) -> str:
    out = [
        "# A generated benchmark project: driftcheck's tests/benchmarks/generate.py.",
        f"# {len(corpus.services)} services in {len(ENVIRONMENTS)} environments.",
        f"environments = {_toml_value(list(ENVIRONMENTS))}",
        "",
        "[defaults]",
        'schema = "schemas/{service}.toml"',
        'sources = ["services/{service}/.env.{env}"]',
    ]
    for service in corpus.services:
        ports = {e: service.dev_port if e == "dev" else 8080 for e in ENVIRONMENTS}
        out += ["", f"[services.{_toml_key(service.name)}]", f"port = {_toml_value(ports)}"]
        if service.public_url:
            out.append(f"public_url = {_toml_value({'prod': service.public_url})}")
    for name, members in corpus.shared:
        out += ["", f"[shared.{name}]", f"members = {_toml_value(members)}"]
    for name, port in ENDPOINTS.items():
        out += ["", f"[endpoints.{name}]", f"port = {_toml_value(port)}"]
    out += ["", "[discovery]", 'sources = ["discovery/{env}.json"]', ""]
    return "\n".join(out)


def _schema_text(service: Service) -> str:
    out = [f"# What {service.name} reads.", 'listen_port_key = "PORT"']
    for key in service.keys:
        out += ["", f"[keys.{key.name}]"]
        out += [f"{name} = {_toml_value(value)}" for name, value in key.fields.items()]
    return "\n".join(out) + "\n"


def write(
    root: Path, services: int, seed: int = DEFAULT_SEED, size: str | None = None
) -> dict[str, object]:
    """Write the project of ``services`` services under ``root``; return its manifest."""
    corpus = build(services, seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "driftcheck.toml").write_text(_config_text(corpus), encoding="utf-8")
    (root / "schemas").mkdir(exist_ok=True)
    for service in corpus.services:
        (root / "schemas" / f"{service.name}.toml").write_text(_schema_text(service), "utf-8")
    (root / "discovery").mkdir(exist_ok=True)
    for environment, records in corpus.discovery.items():
        text = json.dumps({"services": records}, indent=2) + "\n"
        (root / "discovery" / f"{environment}.json").write_text(text, encoding="utf-8")
    files = []
    values = 0
    for (index, environment), lines in sorted(corpus.files.items()):
        relative = f"services/{corpus.services[index].name}/.env.{environment}"
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(("\n".join(line.text for line in lines) + "\n").encode("utf-8"))
        files.append(relative)
        values += sum(line.bindings for line in lines)
    manifest: dict[str, object] = {
        "generator": GENERATOR_VERSION,
        "seed": seed,
        "size": size or f"{services}-services",
        "services": services,
        "environments": list(ENVIRONMENTS),
        "keys_per_service": KEYS_PER_SERVICE,
        "files": len(files),
        "values": values,
        "dotenv_files": files,
        "planted": corpus.planted,
    }
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def services_for(size: str) -> int:
    if size in SIZES:
        return SIZES[size]
    return int(size)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path, help="directory to write the project into")
    parser.add_argument(
        "--size", default="small", help=f"{', '.join(SIZES)} or a number of services"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    manifest = write(args.root, services_for(args.size), args.seed, args.size)
    planted = manifest["planted"]
    assert isinstance(planted, list)
    print(
        f"{args.root}: {manifest['services']} services, {manifest['files']} files, "
        f"{manifest['values']} values, {len(planted)} planted findings"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
