"""Platform presets: keys a platform injects are never unknown."""

from __future__ import annotations

import pytest

from driftcheck.platform import PlatformKeys


@pytest.mark.parametrize(
    ("preset", "key"),
    [
        ("cloud-run", "PORT"),
        ("cloud-run", "K_SERVICE"),
        ("cloud-run", "K_REVISION"),
        ("cloud-run", "K_CONFIGURATION"),
        ("cloud-run", "CLOUD_RUN_JOB"),
        ("cloud-run", "CLOUD_RUN_TASK_INDEX"),
        ("kubernetes", "KUBERNETES_SERVICE_HOST"),
        ("kubernetes", "KUBERNETES_PORT_443_TCP_ADDR"),
        ("kubernetes", "BACKEND_SERVICE_HOST"),
        ("kubernetes", "BACKEND_SERVICE_PORT"),
        ("kubernetes", "BACKEND_SERVICE_PORT_HTTP"),
        ("kubernetes", "BACKEND_PORT_8000_TCP"),
        ("kubernetes", "BACKEND_PORT_8000_TCP_PROTO"),
        ("kubernetes", "DNS_PORT_53_UDP_ADDR"),
        ("compose", "COMPOSE_PROJECT_NAME"),
        ("compose", "DB_PORT_5432_TCP_ADDR"),
        ("process", "HOSTNAME"),
        ("process", "PATH"),
    ],
)
def test_injected_keys(preset: str, key: str) -> None:
    assert key in PlatformKeys([preset])


@pytest.mark.parametrize(
    ("preset", "key"),
    [
        ("kubernetes", "REDIS_PORT"),  # a key services read: not swallowed by a pattern
        ("kubernetes", "DATABASE_URL"),
        ("cloud-run", "K_SERVICES"),
        ("compose", "PORT"),
    ],
)
def test_keys_a_preset_does_not_cover(preset: str, key: str) -> None:
    assert key not in PlatformKeys([preset])
