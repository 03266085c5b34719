"""The one place a configuration value is turned into text for people."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from driftcheck.values import Fingerprinter

_MAX_SHOWN = 60
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)([^@/?#]*)@")


def _escape_control(match: re.Match[str]) -> str:
    char = match.group(0)
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(
        char, f"\\x{ord(char):02x}" if ord(char) < 256 else f"\\u{ord(char):04x}"
    )


def mask_url_credentials(text: str) -> str:
    """``scheme://user:pass@host`` becomes ``scheme://user:***@host``."""
    match = _USERINFO.match(text)
    if match is None:
        return text
    userinfo = match.group(2)
    user = userinfo.split(":", 1)[0]
    masked = f"{user}:***" if ":" in userinfo else "***"
    return match.group(1) + masked + "@" + text[match.end() :]


def show_plain(text: str) -> str:
    """A non-secret value, quoted, control characters escaped, credentials masked."""
    shown = _CONTROL.sub(_escape_control, mask_url_credentials(text))
    if len(shown) > _MAX_SHOWN:
        shown = shown[: _MAX_SHOWN - 1] + "…"
    return '"' + shown.replace('"', '\\"') + '"'


def show_value(text: str, secret: bool, fingerprinter: Fingerprinter) -> str:
    """How a value appears in any output: a fingerprint when secret, else quoted plain."""
    if secret:
        return fingerprinter.fingerprint(text)
    return show_plain(text)


def has_credentials(text: str) -> bool:
    match = _USERINFO.match(text)
    return match is not None and ":" in match.group(2)


def url_host(text: str) -> str | None:
    try:
        return urlsplit(text.strip()).hostname
    except ValueError:
        return None
