"""Keys that platforms inject into a process: never "unknown", whatever the schema says."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable

#: Shell-style patterns per preset. ``process`` covers what any ``env`` dump of a shell or
#: container holds; the others what their platform injects at run time.
PRESETS: dict[str, tuple[str, ...]] = {
    "process": (
        "PATH",
        "HOME",
        "HOSTNAME",
        "USER",
        "LOGNAME",
        "SHELL",
        "PWD",
        "OLDPWD",
        "SHLVL",
        "TERM",
        "TERM_*",
        "COLORTERM",
        "LANG",
        "LANGUAGE",
        "LC_*",
        "TZ",
        "TMPDIR",
        "TEMP",
        "TMP",
        "_",
        "MAIL",
        "EDITOR",
        "VISUAL",
        "PAGER",
        "LESS*",
        "LS_COLORS",
        "DISPLAY",
        "SSH_*",
        "XDG_*",
        "DBUS_*",
        "PYTHONPATH",
        "PYTHONUNBUFFERED",
        "PYTHONDONTWRITEBYTECODE",
        "PYTHONHASHSEED",
        "PYTHONIOENCODING",
        "VIRTUAL_ENV",
        "PIP_*",
        "GPG_KEY",
        "PYTHON_VERSION",
        "PYTHON_SHA256",
        "NODE_VERSION",
        "YARN_VERSION",
        "NO_COLOR",
        "FORCE_COLOR",
        "CI",
        "DRIFTCHECK_*",
    ),
    # https://cloud.google.com/run/docs/container-contract#env-vars
    "cloud-run": (
        "PORT",
        "K_SERVICE",
        "K_REVISION",
        "K_CONFIGURATION",
        "CLOUD_RUN_*",
        "GOOGLE_CLOUD_PROJECT",
    ),
    # The API server's address, and the service links the kubelet injects for every
    # Service of the namespace (``enableServiceLinks``): BACKEND_SERVICE_HOST,
    # BACKEND_SERVICE_PORT(_HTTP), BACKEND_PORT_8000_TCP(_ADDR|_PORT|_PROTO)...
    # ``BACKEND_PORT`` itself (``tcp://10.0.0.7:8000``) is left out: a pattern for it would
    # swallow every ``*_PORT`` key.
    "kubernetes": (
        "KUBERNETES_*",
        "*_SERVICE_HOST",
        "*_SERVICE_PORT",
        "*_SERVICE_PORT_*",
        "*_PORT_*_TCP",
        "*_PORT_*_TCP_*",
        "*_PORT_*_UDP",
        "*_PORT_*_UDP_*",
        "*_PORT_*_SCTP",
        "*_PORT_*_SCTP_*",
    ),
    # The compose CLI's own variables (often in the project .env), and the variables of
    # legacy ``links``.
    "compose": (
        "COMPOSE_*",
        "DOCKER_HOST",
        "DOCKER_BUILDKIT",
        "*_PORT_*_TCP",
        "*_PORT_*_TCP_*",
        "*_PORT_*_UDP",
        "*_PORT_*_UDP_*",
    ),
}


class PlatformKeys:
    """Decides whether a key is injected by one of the selected platforms."""

    def __init__(self, presets: Iterable[str], extra_patterns: Iterable[str] = ()) -> None:
        patterns = [pattern for preset in presets for pattern in PRESETS[preset]]
        patterns.extend(extra_patterns)
        exact = {pattern for pattern in patterns if not any(c in pattern for c in "*?[")}
        wild = [pattern for pattern in patterns if pattern not in exact]
        self._exact = frozenset(exact)
        self._wild = re.compile("|".join(fnmatch.translate(p) for p in wild)) if wild else None

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        if key in self._exact:
            return True
        return self._wild is not None and self._wild.match(key) is not None
