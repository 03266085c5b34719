"""secret-reused-across-environments (DC302): one secret value in two environments."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftcheck.values import Origin
from tests.helpers import BASIC_CONFIG, Found, check_findings, codes, found
from tests.rules.build import CANARY, Place, app, assert_not_shown, reading, shared_secret

CODE = "DC302"
JWT = 'keys.JWT = {type = "secret", required = false, deprecated_names = ["OLD_JWT"]}'
SAME = "JWT=one-long-random-secret-value\n"
OTHER = "JWT=another-long-random-secret\n"
#: A secret only because a shared setting says so.
SHARED = shared_secret("JWT")
QA_IS_DEVELOPMENT = "[environments.dev]\n[environments.qa]\ndevelopment = true\n[environments.prod]"


def reused(
    tmp_path: Path, schema: str = JWT, config: str = BASIC_CONFIG, **env_files: str
) -> set[Place]:
    return codes(app(tmp_path, schema, config, **env_files), CODE)


def test_prod_reusing_the_staging_secret_is_reported_at_the_prod_value(tmp_path: Path) -> None:
    root = app(tmp_path, JWT, staging=SAME, prod="A=1\n" + SAME)
    assert found(root, CODE) == {Found(CODE, "app", "prod", "JWT", "app/.env.prod", 2)}
    (finding,) = check_findings(root, (CODE,))
    assert [(r.origin, r.environment) for r in finding.related] == [
        (Origin("app/.env.staging", 1), "staging")
    ]


def test_reusing_the_dev_secret_outside_development_is_reported(tmp_path: Path) -> None:
    assert reused(tmp_path, dev=SAME, staging=OTHER, prod=SAME) == {(CODE, "app", "prod", "JWT")}


def test_every_environment_reusing_one_secret(tmp_path: Path) -> None:
    assert reused(tmp_path, dev=SAME, staging=SAME, prod=SAME) == {
        (CODE, "app", "staging", "JWT"),
        (CODE, "app", "prod", "JWT"),
    }


@pytest.mark.parametrize(
    ("schema", "config"),
    [
        pytest.param(
            "keys.JWT = {secret = true, required = false}", BASIC_CONFIG, id="secret=true"
        ),
        pytest.param("keys.JWT = {required = false}", SHARED, id="member of a secret shared"),
    ],
)
def test_other_kinds_of_secret(tmp_path: Path, schema: str, config: str) -> None:
    assert reused(tmp_path, schema, config, staging=SAME, prod=SAME) == {
        (CODE, "app", "prod", "JWT")
    }


@pytest.mark.parametrize(
    ("schema", "config", "env_files"),
    [
        pytest.param(JWT, BASIC_CONFIG, {"dev": SAME, "prod": OTHER}, id="dev and prod differ"),
        pytest.param(
            JWT,
            reading(environments='environments = ["dev", "test", "prod"]'),
            {"dev": SAME, "test": SAME, "prod": OTHER},
            id="two development environments share",
        ),
        pytest.param(
            JWT,
            reading(environments=QA_IS_DEVELOPMENT),
            {"dev": SAME, "qa": SAME, "prod": OTHER},
            id="an environment declared development",
        ),
        pytest.param(
            "keys.JWT = {required = false}",
            BASIC_CONFIG,
            {"staging": SAME, "prod": SAME},
            id="not a secret",
        ),
        pytest.param(JWT, BASIC_CONFIG, {"staging": "JWT=\n", "prod": "JWT=\n"}, id="empty"),
        pytest.param(
            "keys.JWT = {required = false}",
            SHARED + "distinct_across_environments = false\n",
            {"staging": SAME, "prod": SAME},
            id="shared setting that may repeat",
        ),
    ],
)
def test_not_reported(tmp_path: Path, schema: str, config: str, env_files: dict[str, str]) -> None:
    assert reused(tmp_path, schema, config, **env_files) == set()


def test_secret_values_are_never_shown(tmp_path: Path) -> None:
    canary = f"JWT={CANARY}\n"
    assert_not_shown(app(tmp_path, JWT, staging=canary, prod=canary), CODE, CANARY)


def test_a_secret_reused_under_a_deprecated_name(tmp_path: Path) -> None:
    root = app(tmp_path, JWT, staging=SAME, prod="OLD_" + SAME)
    assert {(f.environment, f.path, f.line) for f in found(root, CODE)} == {
        ("prod", "app/.env.prod", 1)
    }


def test_a_non_secret_shared_setting_can_require_distinct_values(tmp_path: Path) -> None:
    config = BASIC_CONFIG + (
        '[shared.service-id]\ndistinct_across_environments = true\nmembers = { app = "SID" }\n'
    )
    schema = "keys.SID = {required = false}"
    assert reused(tmp_path, schema, config, staging="SID=app-1\n", prod="SID=app-1\n") == {
        (CODE, "app", "prod", "SID")
    }
    # Not secret, so the value itself is shown, like any other non-secret value.
    (finding,) = check_findings(tmp_path, (CODE,))
    assert '"app-1"' in finding.message
