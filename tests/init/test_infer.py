"""What init infers from values: types, secrets, scopes, near misses, shared settings,
targets, ports and public URLs. Small repositories on disk, inferred in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftcheck.init.infer import looks_random, secret_reason, value_type
from driftcheck.values import Entry, Origin, Reference
from tests.helpers import write_project
from tests.init.helpers import inferred

ENVS = ("dev", "staging", "prod")


def _entry(key: str, value: str | None, **extra: object) -> Entry:
    return Entry(key, value, Origin("x.env", 1), **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "values", "expected"),
    [
        ("PORT", ["8000", "8080"], "port"),
        ("REDIS_PORT", ["6379"], "port"),
        ("DEBUG", ["true", "False"], "bool"),
        ("FEATURE_ENABLED", ["1", "0"], "bool"),
        ("WORKERS", ["1", "0"], "int"),
        ("TIMEOUT", ["30", "-1"], "int"),
        ("RATIO", ["0.5", "1"], "float"),
        ("API_URL", ["http://localhost:8000", "https://api.example.com"], "url"),
        ("DATABASE_URL", ["sqlite:///app.db"], "url"),
        ("QUEUES", ["default,mail", "default"], "list"),
        ("CORS_ORIGINS", ["http://localhost:3000"], "list"),
        ("REDIS_HOST", ["localhost", "redis.prod.internal"], "host"),
        ("GREETING", ["Hello, wide world"], "str"),
        ("APP_MODE", ["fast", "safe"], "enum"),
        ("APP_MODE", ["fast"], "str"),
        ("COLOUR", ["red", "blue"], "str"),
        ("NOTHING", ["", "  "], "str"),
    ],
)
def test_value_type(name: str, values: list[str], expected: str) -> None:
    assert value_type(name, values)[0] == expected


def test_log_levels_are_an_enum_of_every_level_in_the_values_case() -> None:
    assert value_type("LOG_LEVEL", ["debug", "info"])[:2] == (
        "enum",
        ("debug", "info", "warning", "error", "critical"),
    )
    assert value_type("LOG_LEVEL", ["DEBUG", "WARN"])[1] == (
        "DEBUG",
        "INFO",
        "WARNING",
        "ERROR",
        "CRITICAL",
        "WARN",
    )
    # Not all log levels: the words seen.
    assert value_type("LOG_LEVEL", ["debug", "chatty"])[:2] == ("enum", ("debug", "chatty"))


@pytest.mark.parametrize(
    ("name", "values", "secret"),
    [
        ("JWT_SECRET", ["x"], True),
        ("DB_PASSWORD", ["123456"], True),
        ("API_KEY", ["abc"], True),
        ("TOKEN_TTL_SECONDS", ["3600", "900"], False),
        ("DATABASE_URL", ["postgres://app:hunter2@db:5432/app"], True),
        ("DATABASE_URL", ["postgres://db:5432/app"], False),
        ("OPAQUE", ["Zq8vN2kL9mX4pR7tW1yB6cE3"], True),
        ("GIT_SHA", ["3f9a2b7c1d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a"], False),
        ("TENANT", ["0b5f3f4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"], False),
        ("LOG_LEVEL", ["info"], False),
    ],
)
def test_secret_by_name_credentials_or_randomness(
    name: str, values: list[str], secret: bool
) -> None:
    entries = [_entry(name, value) for value in values]
    assert (secret_reason(name, entries, stored=False) is not None) is secret


def test_secret_by_source_whatever_the_name() -> None:
    stored = _entry("PLAIN", "value", from_secret_store=True)
    assert secret_reason("PLAIN", [stored], stored=False) == "from a Kubernetes Secret"
    referenced = _entry("PLAIN", None, reference=Reference("Secret Manager", "s", "latest"))
    assert secret_reason("PLAIN", [referenced], stored=False) == "from Secret Manager"
    field = _entry("POD_NAME", None, reference=Reference("field", "metadata.name"))
    assert secret_reason("POD_NAME", [field], stored=False) is None


def test_looks_random() -> None:
    assert looks_random("k9Xq2LmN8pR3sT7wY0zA4bC5")
    assert not looks_random("short-Ab1")
    assert not looks_random("all lower case words here")
    assert not looks_random("https://example.com/Ab1Cd2Ef3Gh4Ij5")
    assert not looks_random("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1")


def _service_envs(root: Path, service: str, per_env: dict[str, str]) -> None:
    write_project(root, {f"{service}/.env.{env}": text for env, text in per_env.items()})


def test_scopes_follow_where_keys_are_set(tmp_path: Path) -> None:
    lines = {
        "EVERYWHERE": ENVS,
        "DEV_ONLY_FLAG": ("dev",),
        "DEPLOYED_ONLY": ("staging", "prod"),
        "PROD_ONLY": ("prod",),
        "MISSING_IN_STAGING": ("dev", "prod"),
        "IN_ONE_ONLY": ("staging",),
        "STRIPE_KEY_STAGING": ("staging",),
        "APP_DEBUG": ("dev", "prod"),
    }
    _service_envs(
        tmp_path,
        "api",
        {
            env: "".join(f"{key}=v-{env}\n" for key, where in lines.items() if env in where)
            for env in ENVS
        },
    )
    api = inferred(tmp_path).inference.services["api"]
    scopes = {name: (key.required, key.environments) for name, key in api.keys.items()}
    assert scopes == {
        "EVERYWHERE": (None, ()),
        "DEV_ONLY_FLAG": (None, ("dev",)),
        "DEPLOYED_ONLY": (None, ("staging", "prod")),
        "PROD_ONLY": (None, ("prod",)),
        # Missing where it is needed: required everywhere, so check reports it.
        "MISSING_IN_STAGING": (None, ()),
        "STRIPE_KEY_STAGING": (None, ("staging",)),
        # A debug flag belongs to development: check reports it in prod.
        "APP_DEBUG": (None, ("dev",)),
    }
    # One environment of three, for no reason one can see: left out, check reports it.
    assert api.strays == {"IN_ONE_ONLY": "staging"}


def test_keys_empty_wherever_set_are_optional_and_bare_names_too(tmp_path: Path) -> None:
    _service_envs(
        tmp_path,
        "api",
        {env: f"BLANK=\nSOMETIMES={'x' if env == 'dev' else ''}\nNAMED\n" for env in ENVS},
    )
    keys = inferred(tmp_path).inference.services["api"].keys
    assert keys["BLANK"].required is False
    assert keys["SOMETIMES"].required is None  # empty in staging and prod: check says so
    assert keys["NAMED"].required is False


def test_a_service_without_files_in_an_environment_has_its_keys_scoped(tmp_path: Path) -> None:
    _service_envs(tmp_path, "api", dict.fromkeys(ENVS, "A=1\n"))
    _service_envs(tmp_path, "web", {"dev": "B=1\n", "prod": "B=2\n"})
    result = inferred(tmp_path).inference
    assert result.services["web"].environments == ("dev", "prod")
    assert result.services["web"].keys["B"].environments == ("dev", "prod")
    assert result.services["api"].keys["A"].environments == ()


def test_near_misses_in_different_environments_are_one_key(tmp_path: Path) -> None:
    _service_envs(
        tmp_path,
        "api",
        {
            "dev": "CORS_ORIGINS=http://localhost:3000\nREDIS_HOST=a\nREDIS_HOSTS=a,b\n",
            "staging": "CORS_ORIGINS=https://s.example.com\nREDIS_HOST=a\nREDIS_HOSTS=a,b\n",
            "prod": "CORS_ALLOWED_ORIGINS=https://example.com\nREDIS_HOST=a\nREDIS_HOSTS=a,b\n",
        },
    )
    keys = inferred(tmp_path).inference.services["api"].keys
    assert keys["CORS_ORIGINS"].deprecated_names == ("CORS_ALLOWED_ORIGINS",)
    assert "CORS_ALLOWED_ORIGINS" not in keys
    # Set side by side: two keys, not one.
    assert keys["REDIS_HOST"].deprecated_names == ()
    assert "REDIS_HOSTS" in keys


def test_an_example_file_picks_the_name_of_the_key_and_adds_unset_keys(tmp_path: Path) -> None:
    _service_envs(
        tmp_path,
        "api",
        {
            "dev": "CORS_ALLOWED_ORIGINS=x\n",
            "staging": "CORS_ALLOWED_ORIGINS=y\n",
            "prod": "CORS_ORIGINS=z\n",
        },
    )
    write_project(tmp_path, {"api/.env.example": "CORS_ORIGINS=\nSENTRY_DSN=\nPORT=8000\n"})
    keys = inferred(tmp_path).inference.services["api"].keys
    assert keys["CORS_ORIGINS"].deprecated_names == ("CORS_ALLOWED_ORIGINS",)
    assert keys["SENTRY_DSN"].required is False
    assert keys["SENTRY_DSN"].type == "secret"
    assert keys["PORT"].required is False


def _shared(tmp_path: Path, files: dict[str, str]) -> dict[str, list[tuple[str, str]]]:
    write_project(tmp_path, files)
    return {s.name: s.members for s in inferred(tmp_path).inference.shared}


def test_a_secret_under_two_names_is_one_shared_setting(tmp_path: Path) -> None:
    files = {}
    for env, (auth, backend) in {
        "dev": ("dev-secret-0123456789", "dev-secret-0123456789"),
        "staging": ("stg-secret-aaaaaaaaaa", "stg-secret-bbbbbbbbbb"),
        "prod": ("prd-secret-9876543210", "prd-secret-9876543210"),
    }.items():
        files[f"auth/.env.{env}"] = f"JWT_SECRET={auth}\nDATABASE_URL=postgres://a:{env}a@db/a\n"
        files[f"backend/.env.{env}"] = (
            f"JWT_SECRET_KEY={backend}\nDATABASE_URL=postgres://b:{env}b@db/b\n"
        )
    assert _shared(tmp_path, files) == {
        "jwt-secret": [("auth", "JWT_SECRET"), ("backend", "JWT_SECRET_KEY")]
    }


def test_unrelated_secrets_equal_only_in_development_are_not_shared(tmp_path: Path) -> None:
    files = {}
    for env in ENVS:
        same = "dev-password-123" if env == "dev" else None
        files[f"a/.env.{env}"] = f"MAIL_PASSWORD={same or env + '-mail-pw-1'}\n"
        files[f"b/.env.{env}"] = f"QUEUE_TOKEN={same or env + '-queue-tok-2'}\n"
    assert _shared(tmp_path, files) == {}


def test_one_secret_name_in_three_services_is_shared_once_two_agree(tmp_path: Path) -> None:
    def key(service: str, env: str) -> str:
        # c alone differs, in prod.
        return f"{env}-{'x' if (service, env) == ('c', 'prod') else 'k'}-0123456789"

    files = {
        f"{service}/.env.{env}": f"SIGNING_KEY={key(service, env)}\n"
        for service in ("a", "b", "c")
        for env in ENVS
    }
    assert _shared(tmp_path, files) == {
        "signing-key": [("a", "SIGNING_KEY"), ("b", "SIGNING_KEY"), ("c", "SIGNING_KEY")]
    }


def test_a_client_id_equal_in_every_environment_is_shared_a_constant_is_not(
    tmp_path: Path,
) -> None:
    files = {}
    for env in ENVS:
        files[f"auth/.env.{env}"] = f"OAUTH_CLIENT_ID=client-{env}\nREGION=eu-west-1\n"
        files[f"web/.env.{env}"] = f"VITE_OAUTH_CLIENT_ID=client-{env}\nAWS_REGION=eu-west-1\n"
    assert _shared(tmp_path, files) == {
        "oauth-client-id": [("auth", "OAUTH_CLIENT_ID"), ("web", "VITE_OAUTH_CLIENT_ID")]
    }


def test_urls_reach_the_service_on_their_port_or_host_and_endpoints_by_scheme(
    tmp_path: Path,
) -> None:
    files = {}
    for env in ENVS:
        host = "localhost" if env == "dev" else f"auth.{env}.internal"
        files[f"auth/.env.{env}"] = "PORT=8081\n"
        files[f"api/.env.{env}"] = (
            "PORT=8000\n"
            f"LOGIN_URL=http://{host}:8081\n"
            f"STORE=postgres://{host}/db\n"
            f"CACHE_URL=redis://{host}:6380/0\n"
            "EXTERNAL_URL=https://partner.example.org\n"
        )
        files[f"web/.env.{env}"] = "PORT=3000\nBACKEND_URL=http://localhost:8000\n"
    write_project(tmp_path, files)
    result = inferred(tmp_path).inference
    targets = {
        (service, name): key.targets
        for service, guess in result.services.items()
        for name, key in guess.keys.items()
        if key.targets
    }
    assert targets == {
        ("api", "LOGIN_URL"): "auth",
        ("api", "STORE"): "postgres",
        ("api", "CACHE_URL"): "redis",
        ("web", "BACKEND_URL"): "api",
    }
    assert {name: e.ports for name, e in result.endpoints.items()} == {
        "postgres": dict.fromkeys(ENVS, 5432),
        "redis": dict.fromkeys(ENVS, 6380),
    }
    assert result.services["api"].ports == dict.fromkeys(ENVS, 8000)
    assert result.services["api"].listen_port_key == "PORT"


def test_the_key_name_breaks_a_tie_and_https_on_an_outside_host_is_a_public_url(
    tmp_path: Path,
) -> None:
    files = {}
    for env in ENVS:
        files[f"auth/.env.{env}"] = "PORT=8080\n"
        files[f"billing/.env.{env}"] = "PORT=8080\n"
        url = (
            "https://auth.example.com"
            if env == "prod"
            else f"http://localhost:{8080 if env == 'dev' else 9999}"
        )
        files[f"web/.env.{env}"] = f"PORT=3000\nAUTH_URL={url}\n"
    write_project(tmp_path, files)
    result = inferred(tmp_path).inference
    assert result.services["web"].keys["AUTH_URL"].targets == "auth"
    assert result.services["auth"].public_urls == {"prod": "https://auth.example.com"}
    assert result.services["billing"].public_urls == {}


def test_a_port_key_reaches_the_service_its_name_says(tmp_path: Path) -> None:
    files = {}
    for env in ENVS:
        files[f"backend/.env.{env}"] = "PORT=8000\n"
        files[f"web/.env.{env}"] = "PORT=3000\nBACKEND_PORT=8000\n"
    write_project(tmp_path, files)
    web = inferred(tmp_path).inference.services["web"]
    assert (web.listen_port_key, web.keys["BACKEND_PORT"].targets) == ("PORT", "backend")


def test_a_port_many_services_share_points_at_none_unless_the_name_says(tmp_path: Path) -> None:
    files = {}
    names = [f"svc{i}" for i in range(10)]
    for env in ENVS:
        for name in names:
            files[f"{name}/.env.{env}"] = "PORT=8080\n"
        files[f"web/.env.{env}"] = (
            "PORT=3000\nANY_URL=http://localhost:8080\nSVC3_URL=http://localhost:8080\n"
        )
    write_project(tmp_path, files)
    keys = inferred(tmp_path).inference.services["web"].keys
    assert (keys["ANY_URL"].targets, keys["SVC3_URL"].targets) == (None, "svc3")


@pytest.mark.parametrize(
    ("name", "values", "expected"),
    [
        ("WORKERS", ["4", "8", "four"], "int"),
        ("METRICS_PORT", ["9100", "9100", "99999"], "port"),
        ("ENABLED", ["true", "false", "maybe"], "bool"),
        ("VERSION", ["1", "2", "2.1"], "float"),
        ("WORKERS", ["4", "four"], "str"),
        ("NAME", ["1", "x", "y"], "str"),
    ],
)
def test_one_value_that_drifted_does_not_lose_the_type(
    name: str, values: list[str], expected: str
) -> None:
    assert value_type(name, values)[0] == expected


def test_a_key_set_in_one_environment_beside_its_near_miss_is_left_out_as_misspelt(
    tmp_path: Path,
) -> None:
    _service_envs(
        tmp_path,
        "api",
        {
            "dev": "REDIS_HOST=localhost\nREDIS_HSOT=localhost\n",
            "staging": "REDIS_HOST=redis.staging\n",
            "prod": "REDIS_HOST=redis.prod\n",
        },
    )
    api = inferred(tmp_path).inference.services["api"]
    assert api.misspelt == {"REDIS_HSOT": "REDIS_HOST"}
    assert list(api.keys) == ["REDIS_HOST"]


def test_a_typo_that_changes_the_type_is_still_an_old_name(tmp_path: Path) -> None:
    _service_envs(
        tmp_path,
        "api",
        {
            "dev": "REDIS_HOST=localhost\n",
            "staging": "REDIS_HOST=redis.staging\n",
            "prod": "REDIS_HSOT=redis.prod\n",
        },
    )
    keys = inferred(tmp_path).inference.services["api"].keys
    assert (keys["REDIS_HOST"].type, keys["REDIS_HOST"].deprecated_names) == (
        "host",
        ("REDIS_HSOT",),
    )


def test_placeholders_and_development_copies_are_no_evidence_of_a_shared_secret(
    tmp_path: Path,
) -> None:
    files = {}
    for service in ("a", "b", "c"):
        for env in ENVS:
            value = "changeme" if env == "staging" else f"{service}-{env}-signing-key-0001"
            if env == "dev":
                value = "one-dev-value-copied-everywhere"
            files[f"{service}/.env.{env}"] = f"SIGNING_KEY={value}\n"
    assert _shared(tmp_path, files) == {}


def test_with_one_environment_outside_development_dev_equality_counts(tmp_path: Path) -> None:
    files = {}
    for service in ("api", "worker"):
        files[f"{service}/.env.dev"] = "SESSION_SECRET=dev-session-secret-shared\n"
        files[f"{service}/.env.prod"] = f"SESSION_SECRET={service}-prod-session-secret-x\n"
    assert _shared(tmp_path, files) == {
        "session-secret": [("api", "SESSION_SECRET"), ("worker", "SESSION_SECRET")]
    }


def test_a_port_key_named_after_a_service_targets_it_only_when_a_value_matches(
    tmp_path: Path,
) -> None:
    files = {}
    for env in ENVS:
        files[f"metrics/.env.{env}"] = "PORT=8080\n"
        files[f"api/.env.{env}"] = "PORT=8000\nMETRICS_PORT=9100\n"
        files[f"web/.env.{env}"] = f"PORT=3000\nMETRICS_PORT={8080 if env != 'prod' else 8081}\n"
    write_project(tmp_path, files)
    services = inferred(tmp_path).inference.services
    assert services["api"].keys["METRICS_PORT"].targets is None
    assert services["web"].keys["METRICS_PORT"].targets == "metrics"


def test_an_endpoint_has_the_port_most_addresses_use(tmp_path: Path) -> None:
    files = {}
    for service in ("search", "reports"):
        for env in ENVS:
            port = 9000 if (service, env) == ("search", "staging") else 8123
            host = "localhost" if env == "dev" else f"clickhouse.{env}.internal"
            files[f"{service}/.env.{env}"] = f"CLICKHOUSE_URL=http://{host}:{port}/\n"
    write_project(tmp_path, files)
    result = inferred(tmp_path).inference
    assert {n: e.ports for n, e in result.endpoints.items()} == {
        "clickhouse-http": dict.fromkeys(ENVS, 8123)
    }
    assert result.services["search"].keys["CLICKHOUSE_URL"].targets == "clickhouse-http"
