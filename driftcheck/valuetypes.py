"""Parsing values as their schema types, the way the services' settings libraries do."""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import SplitResult, urlsplit

TRUE_WORDS = frozenset({"1", "true", "t", "yes", "y", "on"})
FALSE_WORDS = frozenset({"0", "false", "f", "no", "n", "off"})
_INT = re.compile(r"[+-]?\d+")
_HOSTNAME_LABEL = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)")

#: Ports a URL reaches when it names none, by scheme.
DEFAULT_PORTS: dict[str, int] = {
    "http": 80,
    "ws": 80,
    "https": 443,
    "wss": 443,
    "ftp": 21,
    "postgres": 5432,
    "postgresql": 5432,
    "mysql": 3306,
    "mariadb": 3306,
    "redis": 6379,
    "rediss": 6379,
    "mongodb": 27017,
    "amqp": 5672,
    "amqps": 5671,
    "clickhouse": 9000,
    "clickhouse+native": 9000,
    "clickhouse+http": 8123,
    "clickhouse+https": 8443,
    "clickhousedb": 8123,
    "nats": 4222,
    "kafka": 9092,
    "memcached": 11211,
}


#: Schemes whose URLs name a local path, not a host (``sqlite:///app.db``).
_HOSTLESS_SCHEMES = frozenset({"file", "sqlite", "sqlite3", "unix"})


class InvalidValue(ValueError):
    """A value that does not parse as its type; the message never quotes the value."""


def parse_bool(text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise InvalidValue("is not a boolean (true/false, 1/0, yes/no, on/off)")


#: Python refuses to convert longer digit strings (and no setting needs one).
_MAX_INT_DIGITS = 4000


def parse_int(text: str) -> int:
    stripped = text.strip()
    if not _INT.fullmatch(stripped):
        raise InvalidValue("is not an integer")
    if len(stripped) > _MAX_INT_DIGITS:
        raise InvalidValue(f"is an integer of {len(stripped)} digits, too long to be a setting")
    return int(stripped)


def parse_float(text: str) -> float:
    try:
        return float(text.strip())
    except ValueError:
        raise InvalidValue("is not a number") from None


def parse_port(text: str) -> int:
    stripped = text.strip()
    if not stripped.isascii() or not stripped.isdigit():
        raise InvalidValue("is not a port number (an integer in 1..65535)")
    if len(stripped.lstrip("0")) > 5:
        raise InvalidValue("is outside the port range 1..65535")
    port = int(stripped)
    if not 1 <= port <= 65535:
        raise InvalidValue(f"is {port}, outside the port range 1..65535")
    return port


def is_valid_host(text: str) -> bool:
    if not text or len(text) > 253:
        return False
    if all(_HOSTNAME_LABEL.fullmatch(label) for label in text.rstrip(".").split(".")):
        return True  # a name, or an IPv4 address (its parts are labels too)
    import ipaddress  # only for what is no host name: IPv6 addresses

    candidate = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return False
    return True


class Address(NamedTuple):
    """Where a URL or ``host:port`` points: a host and the port it reaches."""

    scheme: str | None
    host: str
    port: int | None
    explicit_port: bool


#: The usual shape of a URL, ``scheme://[user[:password]@]host[:port][/...]``, whose parts
#: can be read off without urlsplit: a host name (no brackets, no percent-escapes) and an
#: ASCII text (so urlsplit would find nothing to normalise or refuse in it).
_PLAIN_URL = re.compile(
    r"([A-Za-z][A-Za-z0-9+.-]*)://(?:[^@/?#\[\]\s]*@)?([A-Za-z0-9._~-]+)(?::([0-9]{0,5}))?"
    r"(?:[/?#]\S*)?"
)


def parse_url(text: str) -> Address:
    stripped = text.strip()
    # Most URLs have the plain shape: reading its parts is several times faster than
    # urlsplit, and gives what urlsplit gives (tests/test_fast_paths.py compares them).
    plain = _PLAIN_URL.fullmatch(stripped) if stripped.isascii() else None
    if plain is not None:
        scheme, host, port_text = plain.groups()
        scheme = scheme.lower()
        base_scheme = scheme.split("+")[0]
        port = int(port_text) if port_text else None
        if base_scheme not in _HOSTLESS_SCHEMES and (port is None or port <= 65535):
            if port is not None:
                return Address(scheme, host.lower(), port, True)
            return Address(scheme, host.lower(), _default_port(scheme, base_scheme), False)
    return _split_url(stripped)


def _default_port(scheme: str, base_scheme: str) -> int | None:
    return DEFAULT_PORTS.get(scheme, DEFAULT_PORTS.get(base_scheme))


def _split_url(stripped: str) -> Address:
    """:func:`parse_url` by urlsplit, for any URL (``stripped`` of surrounding spaces)."""
    try:
        parts: SplitResult = urlsplit(stripped)
        port = parts.port
    except ValueError:
        raise InvalidValue("is not a valid URL (bad port or brackets)") from None
    scheme = parts.scheme.lower()
    base_scheme = scheme.split("+")[0]
    if base_scheme in _HOSTLESS_SCHEMES and stripped.lower().startswith(f"{scheme}:/"):
        return Address(scheme, parts.hostname or "", None, False)
    if not parts.scheme or not parts.netloc:
        raise InvalidValue("is not an absolute URL (scheme://host...)")
    host = parts.hostname or ""
    if not host:
        raise InvalidValue("is a URL without a host")
    explicit = port is not None
    if port is None:
        port = _default_port(scheme, base_scheme)
    return Address(scheme, host, port, explicit)


def parse_host(text: str) -> Address:
    """A host name or address, with an optional ``:port``."""
    stripped = text.strip()
    host, port = stripped, None
    if stripped.startswith("["):
        end = stripped.find("]")
        if end != -1 and stripped[end + 1 : end + 2] == ":":
            host, port_text = stripped[: end + 1], stripped[end + 2 :]
            port = parse_port(port_text)
    elif stripped.count(":") == 1:
        host, port_text = stripped.split(":")
        port = parse_port(port_text)
    if not is_valid_host(host):
        raise InvalidValue("is not a host name or IP address")
    return Address(None, host.strip("[]"), port, port is not None)


def parse_address(key_type: str, text: str) -> Address | None:
    """The address a url/host value points at, or None for other types."""
    if key_type == "url":
        return parse_url(text)
    if key_type == "host":
        return parse_host(text)
    return None


def check_type(key_type: str, text: str, choices: tuple[str, ...] = ()) -> None:
    """Raise :class:`InvalidValue` when ``text`` does not parse as ``key_type``."""
    if key_type == "int":
        parse_int(text)
    elif key_type == "float":
        parse_float(text)
    elif key_type == "bool":
        parse_bool(text)
    elif key_type == "port":
        parse_port(text)
    elif key_type == "url":
        parse_url(text)
    elif key_type == "host":
        parse_host(text)
    elif key_type == "enum" and text.strip() not in choices:
        raise InvalidValue(f"is not one of {', '.join(choices)}")
