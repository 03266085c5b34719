"""The one place a configuration value is turned into text for people."""

from __future__ import annotations

import functools
import re

from driftcheck.values import Fingerprinter

_MAX_SHOWN = 60
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_SECRET_NAME = re.compile(
    r"SECRET|PASSWORD|PASSWD|PASSPHRASE|TOKEN|PRIVATE|CREDENTIAL|API_?KEY|ACCESS_?KEY|"
    r"(?:^|_)KEY$|(?:^|_)DSN$|SALT|SIGNING",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=1 << 16)
def looks_secret(key: str) -> bool:
    """Whether a key's name suggests a secret, so its value is never shown unasked.

    Cached: a large project asks about the same few thousand names again and again.
    """
    return _SECRET_NAME.search(key) is not None


def _escape_control(match: re.Match[str]) -> str:
    char = match.group(0)
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(
        char, f"\\x{ord(char):02x}" if ord(char) < 256 else f"\\u{ord(char):04x}"
    )


def escape_control(text: str) -> str:
    """Control characters (and a byte-order mark) as escapes, safe to print on a terminal."""
    return _CONTROL.sub(_escape_control, text)


def mask_url_credentials(text: str) -> str:
    """``scheme://user:pass@host`` becomes ``scheme://user:***@host``.

    Everything between ``://`` and the last ``@`` is taken as user information, so a
    password holding ``/``, ``?`` or ``@`` (valid or not) is masked whole.
    """
    scheme = _SCHEME.search(text)
    if scheme is None:
        return text
    at = text.rfind("@", scheme.end())
    if at == -1:
        return text
    userinfo = text[scheme.end() : at]
    user = userinfo.split(":", 1)[0]
    masked = f"{user}:***" if ":" in userinfo else "***"
    return text[: scheme.end()] + masked + text[at:]


def show_plain(text: str) -> str:
    """A non-secret value, quoted, control characters escaped, credentials masked."""
    shown = escape_control(mask_url_credentials(text))
    if len(shown) > _MAX_SHOWN:
        shown = shown[: _MAX_SHOWN - 1] + "…"
    return '"' + shown.replace('"', '\\"') + '"'


def show_value(text: str, secret: bool, fingerprinter: Fingerprinter) -> str:
    """How a value appears in any output: a fingerprint when secret, else quoted plain."""
    if secret:
        return fingerprinter.fingerprint(text)
    return show_plain(text)
