"""No secret value in any output: canaries planted everywhere, every output searched.

Each canary is a distinct string planted in one place (a ``.env`` secret, a JSON value, a
secret-looking key no schema names, URL credentials, a malformed or invalid-UTF-8 line, a
duplicate key, a value with control characters, a weak secret, the process environment,
the hash key itself...). Every command and format is run through the real CLI and its
stdout, stderr and output files are searched for each canary's core, a run of letters
that appears nowhere else, so that a value shown in part (truncated, half-masked) is
caught too. The same goes for ``repr()`` and ``str()`` of the loaded objects in-process.
"""

from __future__ import annotations

import hashlib
import json
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest

from driftcheck.engine import make_selection, run_rules
from driftcheck.errors import DriftcheckError
from driftcheck.matrix import build_matrix
from driftcheck.project import Project, load_project
from driftcheck.values import Fingerprinter
from tests.helpers import BASIC_CONFIG, Run, run_cli, write_project

ENVIRONMENTS = ("dev", "staging", "prod")


def _core(tag: str, length: int = 10) -> str:
    # Letters G..Z only: never part of a fingerprint (lowercase hex) or of generated text.
    digest = hashlib.sha256(tag.encode()).digest()
    return "".join(chr(ord("G") + byte % 20) for byte in digest[:length])


class Canaries:
    """Distinct secret strings, one per place; ``core`` is what is searched for."""

    def __init__(self) -> None:
        self.cores: dict[str, str] = {}

    def __call__(self, tag: str, *, length: int = 10, bare: bool = False) -> str:
        assert tag not in self.cores, tag
        core = _core(tag, length)
        assert core not in self.cores.values()
        self.cores[tag] = core
        # Long enough (with its prefix) not to be a weak secret, unless asked to be bare.
        return core if bare else f"cnry-{core}-{tag}"

    def found_in(self, text: str) -> list[str]:
        """The canaries shown in ``text``, whole or in part (six letters of a core in a row)."""
        return [
            tag
            for tag, core in self.cores.items()
            if any(core[start : start + 6] in text for start in range(max(1, len(core) - 5)))
        ]


# -- the canary project -----------------------------------------------------------------------


CONFIG = """
environments = ["dev", "staging", "prod"]

[defaults]
sources = ["{service}/.env.{env}"]

[services.auth]
port = 8081

[services.backend]
port = 8000
sources = ["{service}/.env.{env}", "{service}/{env}.json", { format = "process" }]

# The secret both services must agree on, under two names.
[shared.jwt]
members = { auth = "JWT_SECRET", backend = "JWT_SECRET_KEY" }

# Not a secret, but its URLs carry credentials: shown only with the password masked.
[shared.database]
members = { auth = "DATABASE_URL", backend = "DATABASE_URL" }

[endpoints.postgres]
port = 5432
"""

AUTH_SCHEMA = """
listen_port_key = "PORT"

[keys.PORT]
type = "port"

[keys.JWT_SECRET]
type = "secret"

[keys.DATABASE_URL]
type = "url"
targets = "postgres"

[keys.SIGNING_KEY]
type = "secret"
pattern = "^sk_"

[keys.PIN]
type = "int"
secret = true

[keys.SESSION_SECRET]
type = "secret"
required = false
default = "{session_default}"
"""

BACKEND_SCHEMA = """
listen_port_key = "PORT"

[keys.PORT]
type = "port"

[keys.JWT_SECRET_KEY]
type = "secret"
deprecated_names = ["JWT_KEY"]

[keys.DATABASE_URL]
type = "url"
targets = "postgres"

[keys.DB_PASSWORD]
type = "secret"

[keys.CACHE_URL]
type = "url"
required = false

[keys.SERVICE_TOKEN]
type = "secret"
required = false
"""


def plant(root: Path, canary: Canaries) -> dict[str, str]:
    """Write the canary project under ``root``; returns the process environment to run with."""
    c = canary
    shared_staging = c("backend-jwt-staging")
    files = {
        "driftcheck.toml": CONFIG,
        "schemas/auth.toml": AUTH_SCHEMA.replace("{session_default}", c("schema-default")),
        "schemas/backend.toml": BACKEND_SCHEMA,
        "auth/.env.dev": (
            "PORT=8081\n"
            f"JWT_SECRET={c('auth-jwt-dev-first')}\n"
            # Defined twice: duplicate-key, and the later one wins.
            f"JWT_SECRET={c('auth-jwt-dev')}\n"
            # Wrong port for postgres: address-wrong-port.
            f"DATABASE_URL=postgres://u:{c('auth-db-dev')}@db:5433/app\n"
            # A secret that breaks its pattern, an int secret that is not an int.
            f"SIGNING_KEY={c('sign-dev')}\n"
            f"PIN={c('pin-dev')}\n"
            # Secret-looking keys no schema names: unknown-key, near-miss-key.
            f"STRIPE_API_KEY={c('stripe-auth-dev')}\n"
            f"JWT_SECRETT={c('near-miss-dev')}\n"
            # Malformed lines: unparsable-line.
            f"BROKEN LINE {c('malformed-space')}\n"
            f'QUOTED="{c("malformed-after-quote")}" trailing\n'
            f'LAST="{c("malformed-unterminated")}\n'
        ),
        "auth/.env.staging": (
            "PORT=8081\n"
            f"JWT_SECRET={c('auth-jwt-staging')}\n"
            f"DATABASE_URL=postgres://u:{c('auth-db-staging')}@db:5432/app\n"
            # An escaped CR and a raw ESC inside secrets: control-character.
            f'SIGNING_KEY="sk_{c("sign-staging-cr")}\\r"\n'
            f"PIN=1234\n"
            f"SESSION_SECRET=\x1b[31m{c('session-esc')}\n"
            f"'{c('malformed-key')}=1\n"
        ),
        "auth/.env.prod": (
            "PORT=8081\n"
            # Too short outside development: weak-secret.
            f"JWT_SECRET={c('weak-auth-prod', length=6, bare=True)}\n"
            f"DATABASE_URL=postgres://u:{c('auth-db-prod')}@db:5432/app\n"
            # Whitespace inside the quotes: surrounding-whitespace.
            f'SIGNING_KEY=" sk_{c("sign-prod-space")} "\n'
            "PIN=5678\n"
            f"SESSION_SECRET=changeme{c('session-placeholder-ish', length=6, bare=True)}\n"
        ),
        "backend/.env.dev": (
            "PORT=8000\n"
            f"JWT_SECRET_KEY={c('backend-jwt-dev')}\n"
            # The deprecated name set to another value: alias-conflict.
            f"JWT_KEY={c('backend-jwt-old-dev')}\n"
            f"DATABASE_URL=postgres://u:{c('backend-db-dev')}@db:5432/app\n"
            # Port out of range: invalid-value, shown with the password masked.
            f"CACHE_URL=redis://u:{c('cache-dev')}@cache:99999/0\n"
            f"AWS_SECRET_ACCESS_KEY={c('aws-backend-dev')}\n"
        ),
        "backend/.env.staging": (
            "PORT=8000\n"
            f"JWT_SECRET_KEY={shared_staging}\n"
            f"DATABASE_URL=postgres://{c('cache-user-only')}@db:5432/app\n"
        ),
        "backend/.env.prod": (
            "PORT=8000\n"
            # The staging secret reused in prod: secret-reused-across-environments.
            f"JWT_SECRET_KEY={shared_staging}\n"
            f"DATABASE_URL=postgres://u:{c('backend-db-prod')}@db:5432/app\n"
        ),
        "backend/dev.json": (
            "{\n"
            f'  "DB_PASSWORD": "{c("json-db-dev-first")}",\n'
            f'  "DB_PASSWORD": "{c("json-db-dev")}\\u0000",\n'
            f'  "STRIPE_API_KEY": "{c("json-stripe-dev")}"\n'
            "}\n"
        ),
        "backend/staging.json": json.dumps(
            {
                "driftcheck_snapshot": 1,
                "service": "backend",
                "environment": "staging",
                "values": {"DB_PASSWORD": c("json-snapshot-staging"), "GITHUB_TOKEN": c("json-gh")},
            }
        ),
        "backend/prod.json": json.dumps(
            {"DB_PASSWORD": c("weak-json-prod", length=5, bare=True), "PORT": 8000}
        ),
    }
    write_project(root, files)
    return {
        "SERVICE_TOKEN": c("process-token"),
        "MY_APP_PASSWORD": c("process-unknown"),
    }


@pytest.fixture
def leaky(tmp_path: Path) -> tuple[Path, Canaries, dict[str, str]]:
    canary = Canaries()
    environment = plant(tmp_path, canary)
    environment["DRIFTCHECK_HASH_KEY"] = canary("hash-key")
    return tmp_path, canary, environment


def assert_no_canary(canary: Canaries, *texts: str) -> None:
    """No canary's core in any of ``texts``."""
    for text in texts:
        leaked = canary.found_in(text)
        assert not leaked, f"leaked {leaked}:\n{text}"


# -- the project exercises every path that shows values ---------------------------------------


def test_the_canary_project_exercises_every_rule_that_shows_values(
    leaky: tuple[Path, Canaries, dict[str, str]],
) -> None:
    root, canary, environment = leaky
    result = run_cli("check", "--format", "json", cwd=root, env=environment)
    assert result.exit_code == 1, result.stderr
    document = json.loads(result.stdout)
    found = {finding["code"] for finding in document["findings"]}
    assert found >= {
        "DC202",  # alias-conflict: both values shown (as fingerprints)
        "DC203",  # near-miss-key
        "DC301",  # shared-value-mismatch: fingerprints, and masked URLs
        "DC302",  # secret-reused-across-environments
        "DC303",  # weak-secret
        "DC402",  # address-wrong-port, on a URL with credentials
        "DC501",  # invalid-value: a secret int, a URL with credentials
        "DC502",  # constraint-violation on a secret
        "DC503",  # control-character in secrets
        "DC504",  # surrounding-whitespace in a secret
        "DC602",  # unknown-key, secret-looking
        "DC701",  # duplicate-key with two secrets
        "DC702",  # unparsable-line holding a secret
    }
    shown = [
        related["value"]
        for finding in document["findings"]
        for related in finding["related"]
        if related["value"]
    ]
    assert any(value.startswith("hmac:") for value in shown)
    assert any(":***@" in value for value in shown)
    assert_no_canary(canary, result.stdout, result.stderr)


# -- every command and format -----------------------------------------------------------------

COMMANDS = [
    pytest.param(("check",), id="check-text"),
    pytest.param(("check", "--statistics"), id="check-text-statistics"),
    pytest.param(("check", "--format", "json", "--statistics"), id="check-json-statistics"),
    pytest.param(("check", "--quiet"), id="check-quiet"),
    pytest.param(("check", "--fail-on", "info", "--env", "prod"), id="check-prod"),
    pytest.param(("check", "--service", "backend", "--select", "DC3"), id="check-select"),
    pytest.param(("check", "--ignore", "DC3,DC6"), id="check-ignore"),
    pytest.param(("matrix",), id="matrix"),
    pytest.param(("matrix", "--env", "staging", "--service", "auth"), id="matrix-narrowed"),
]


@pytest.mark.parametrize("hash_key", [False, True], ids=["per-run-key", "hash-key"])
@pytest.mark.parametrize("args", COMMANDS)
def test_no_canary_in_any_command_output(
    leaky: tuple[Path, Canaries, dict[str, str]], args: tuple[str, ...], hash_key: bool
) -> None:
    root, canary, environment = leaky
    if not hash_key:
        environment = {k: v for k, v in environment.items() if k != "DRIFTCHECK_HASH_KEY"}
    result = run_cli(*args, cwd=root, env=environment)
    assert result.exit_code in (0, 1), result.stderr
    assert result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert_no_canary(canary, result.stdout, result.stderr)


@pytest.mark.parametrize("output_format", ["text", "json"])
@pytest.mark.parametrize("hash_key", [False, True], ids=["per-run-key", "hash-key"])
def test_no_canary_in_output_files(
    leaky: tuple[Path, Canaries, dict[str, str]], output_format: str, hash_key: bool
) -> None:
    root, canary, environment = leaky
    if not hash_key:
        environment = {k: v for k, v in environment.items() if k != "DRIFTCHECK_HASH_KEY"}
    report = root / f"report.{output_format}"
    result = run_cli(
        "check",
        "--format",
        output_format,
        "--statistics",
        "--output",
        str(report),
        cwd=root,
        env=environment,
    )
    assert result.exit_code == 1, result.stderr
    assert result.stdout == ""
    text = report.read_text("utf-8")
    assert "DC301" in text
    assert_no_canary(canary, result.stdout, result.stderr, text)
    # The atomic write leaves no temporary file behind.
    assert [path.name for path in root.iterdir() if path.name.startswith(".report")] == []


@pytest.mark.parametrize("args", [("check", "--statistics"), ("matrix",)], ids=["check", "matrix"])
def test_no_canary_in_coloured_output(
    leaky: tuple[Path, Canaries, dict[str, str]], args: tuple[str, ...]
) -> None:
    root, canary, environment = leaky
    result = run_cli(*args, cwd=root, env={**environment, "NO_COLOR": "", "FORCE_COLOR": "1"})
    assert result.exit_code in (0, 1), result.stderr
    assert "\x1b[" in result.stdout
    assert_no_canary(canary, result.stdout, result.stderr)


def test_the_hash_key_changes_fingerprints_and_is_never_shown(
    leaky: tuple[Path, Canaries, dict[str, str]],
) -> None:
    root, canary, environment = leaky
    keyed = run_cli("matrix", cwd=root, env=environment)
    again = run_cli("matrix", cwd=root, env=environment)
    other = run_cli("matrix", cwd=root, env={**environment, "DRIFTCHECK_HASH_KEY": "another"})
    assert keyed.stdout == again.stdout
    assert keyed.stdout != other.stdout
    assert_no_canary(canary, keyed.stdout, keyed.stderr, other.stdout)


# -- error paths ------------------------------------------------------------------------------


JSON_CONFIG = BASIC_CONFIG.replace('"{service}/.env.{env}"', '"{service}/{env}.json"')


def _error_case(case: str, c: Canaries) -> tuple[str, dict[str, bytes]]:
    """The config and the files of a project that cannot be loaded, with canaries in them."""
    env = {
        f"app/.env.{e}": f"PORT=8000\nAPI_TOKEN={c(f'fine-{e}')}\n".encode() for e in ENVIRONMENTS
    }
    if case == "invalid-utf8":
        env["app/.env.dev"] = (
            f"PORT=8000\nAPI_TOKEN={c('utf8-before')}".encode()
            + b"\xff"
            + f"{c('utf8-after')}\nOTHER={c('utf8-next-line')}\n".encode()
        )
        return BASIC_CONFIG, env
    if case == "utf16":
        env["app/.env.staging"] = f"API_TOKEN={c('utf16')}\n".encode("utf-16")
        return BASIC_CONFIG, env
    assert case == "bad-json"
    return JSON_CONFIG, {
        "app/dev.json": f'{{"API_TOKEN": "{c("json-bad")}" "PORT": 1}}'.encode(),
        "app/staging.json": f'{{"API_TOKEN": "{c("json-ctrl")}\x01"}}'.encode(),
        "app/prod.json": f'{{"API_TOKEN": {{"nested": "{c("json-nested")}"}}}}'.encode(),
    }


def _error_project(root: Path, case: str, canary: Canaries) -> None:
    config, files = _error_case(case, canary)
    write_project(
        root,
        {
            "driftcheck.toml": config,
            "schemas/app.toml": '[keys.PORT]\ntype = "port"\n[keys.API_TOKEN]\ntype = "secret"\n',
        },
    )
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


ERROR_CASES = ["invalid-utf8", "utf16", "bad-json"]


@pytest.mark.parametrize("case", ERROR_CASES)
@pytest.mark.parametrize("args", [("check",), ("check", "--format", "json"), ("matrix",)])
def test_no_canary_on_error_paths(tmp_path: Path, case: str, args: tuple[str, ...]) -> None:
    canary = Canaries()
    _error_project(tmp_path, case, canary)
    result = run_cli(*args, cwd=tmp_path, env={"DRIFTCHECK_HASH_KEY": canary("hash-key")})
    assert result.exit_code == 2, result
    assert result.stdout == ""
    assert result.stderr.startswith("driftcheck: error: ")
    assert "Traceback" not in result.stderr
    assert_no_canary(canary, result.stdout, result.stderr)


def test_no_canary_in_a_broken_schema_error(tmp_path: Path) -> None:
    canary = Canaries()
    schema = f'[keys.API_TOKEN]\ntype = "secret"\ndefault = "{canary("toml-default")}\n'
    write_project(
        tmp_path,
        {
            "driftcheck.toml": BASIC_CONFIG,
            "schemas/app.toml": schema,
            **{f"app/.env.{e}": "PORT=8000\n" for e in ENVIRONMENTS},
        },
    )
    result = run_cli("check", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith("driftcheck: error: schemas/app.toml:3")
    assert_no_canary(canary, result.stdout, result.stderr)


# -- in-process: repr() and str() of everything -----------------------------------------------


def _everything(project: Project) -> Iterator[object]:
    """The project and every object reachable from it that a log line could print."""
    yield project
    yield project.config
    yield from project.config.services
    yield from project.config.shared
    yield project.fingerprinter
    yield project.platform
    for schema in project.schemas.values():
        yield schema
        yield from schema.keys.values()
    for layer in project.all_layers():
        yield layer
        yield from layer.values.values()
        for source in layer.sources:
            yield source
            yield source.parsed
            yield from source.parsed.entries
            yield from source.parsed.issues
    for records in project.discovery.values():
        yield from records
    # What the rules work out once and keep (after a run): screens, flagged values...
    for kept in project.rule_cache.values():
        yield kept
        if isinstance(kept, tuple):
            for part in kept:
                yield part
                if isinstance(part, dict):
                    for found in part.values():
                        yield from found if isinstance(found, list) else (found,)


def test_no_canary_in_repr_or_str_of_loaded_objects(
    leaky: tuple[Path, Canaries, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, canary, environment = leaky
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    fingerprinter = Fingerprinter(environment["DRIFTCHECK_HASH_KEY"].encode())
    project = load_project(root, fingerprinter)
    # The canaries really were read: a leak test of empty objects would prove nothing.
    entry = project.layer("auth", "dev").get("JWT_SECRET")
    assert entry is not None
    assert entry.value is not None
    assert canary.cores["auth-jwt-dev"] in entry.value
    assert project.layer("backend", "dev").get("SERVICE_TOKEN") is not None

    findings = run_rules(project, make_selection(project))
    assert len(findings) > 20
    objects = [*_everything(project), *findings]
    objects += [related for finding in findings for related in finding.related]
    objects.append(build_matrix(project))
    for thing in objects:
        assert_no_canary(canary, repr(thing), str(thing))


def _exception_chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [current.__cause__, current.__context__]
        pending += list(getattr(current, "errors", []))


@pytest.mark.parametrize("case", ERROR_CASES)
def test_no_canary_in_exceptions_or_their_tracebacks(tmp_path: Path, case: str) -> None:
    canary = Canaries()
    _error_project(tmp_path, case, canary)
    with pytest.raises(DriftcheckError) as caught:
        load_project(tmp_path, Fingerprinter(b"k"))
    for error in _exception_chain(caught.value):
        texts = [repr(error), str(error), repr(error.args), *map(repr, vars(error).values())]
        # A UnicodeDecodeError or JSONDecodeError would hold the whole document.
        texts += [repr(getattr(error, name, "")) for name in ("object", "doc")]
        assert_no_canary(canary, *texts)
    formatted = "".join(traceback.format_exception(caught.value))
    assert_no_canary(canary, formatted)


def test_fingerprinter_repr_hides_its_key() -> None:
    canary = Canaries()
    key = canary("fingerprint-key")
    fingerprinter = Fingerprinter(key.encode())
    assert_no_canary(canary, repr(fingerprinter), str(fingerprinter))
    assert_no_canary(canary, fingerprinter.fingerprint(key))


# -- leaks found ------------------------------------------------------------------------------

URL_SCHEMA = """
[keys.DATABASE_URL]
type = "url"
"""


def _one_value_project(root: Path, line: str, schema: str = URL_SCHEMA) -> None:
    config = 'environments = ["dev"]\n\n[services.app]\nsources = ["app.env"]\n'
    write_project(root, {"driftcheck.toml": config, "schemas/app.toml": schema})
    (root / "app.env").write_text(line + "\n", encoding="utf-8")


def _run_everything(root: Path) -> list[Run]:
    return [
        run_cli("check", cwd=root),
        run_cli("check", "--format", "json", cwd=root),
        run_cli("matrix", cwd=root),
    ]


@pytest.mark.parametrize(
    "value",
    [
        pytest.param('DATABASE_URL=" postgres://u:{canary}@db:99999/app"', id="leading-space"),
        pytest.param(
            "DATABASE_URL=postgres://u:pass/{canary}@db:99999/app", id="slash-in-password"
        ),
        pytest.param("DATABASE_URL=postgres://u:pass@{canary}@db:99999/app", id="at-in-password"),
        pytest.param(
            "DATABASE_URL=postgres://u:pass?{canary}@db:99999/app", id="question-in-password"
        ),
    ],
)
def test_url_credentials_of_every_shape_are_masked(tmp_path: Path, value: str) -> None:
    canary = Canaries()
    _one_value_project(tmp_path, value.format(canary=canary("url-password")))
    for result in _run_everything(tmp_path):
        assert result.exit_code in (0, 1), result.stderr
        assert_no_canary(canary, result.stdout, result.stderr)
    assert "DC501" in run_cli("check", cwd=tmp_path).stdout


def test_url_credentials_of_the_usual_shape_are_masked(tmp_path: Path) -> None:
    canary = Canaries()
    _one_value_project(tmp_path, f"DATABASE_URL=postgres://u:{canary('url')}@db:99999/app")
    for result in _run_everything(tmp_path):
        assert_no_canary(canary, result.stdout, result.stderr)
    assert "postgres://u:***@db:99999/app" in run_cli("check", cwd=tmp_path).stdout


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("STRIPE_API_KEY:sk_live_{canary}", id="yaml-style"),
        pytest.param("sk_live_{canary}", id="pasted-token"),
    ],
)
def test_a_value_without_its_equals_sign_is_not_printed(tmp_path: Path, line: str) -> None:
    canary = Canaries()
    _one_value_project(tmp_path, line.format(canary=canary("no-equals")), schema="")
    results = _run_everything(tmp_path)
    assert results[0].exit_code == 0
    for result in results:
        assert_no_canary(canary, result.stdout, result.stderr)


def test_a_declared_secret_looking_key_without_a_type_is_not_printed(tmp_path: Path) -> None:
    canary = Canaries()
    schema = '[keys.STRIPE_API_KEY]\npattern = "^sk_"\n'
    _one_value_project(tmp_path, f"STRIPE_API_KEY={canary('declared-untyped')}", schema=schema)
    result = run_cli("check", cwd=tmp_path)
    assert result.exit_code == 1
    assert "DC502" in result.stdout
    assert_no_canary(canary, result.stdout, result.stderr)


def test_a_declared_secret_looking_key_marked_secret_is_not_printed(tmp_path: Path) -> None:
    canary = Canaries()
    schema = '[keys.STRIPE_API_KEY]\nsecret = true\npattern = "^sk_"\n'
    _one_value_project(tmp_path, f"STRIPE_API_KEY={canary('declared-secret')}", schema=schema)
    result = run_cli("check", cwd=tmp_path)
    assert result.exit_code == 1
    assert "DC502" in result.stdout
    assert_no_canary(canary, result.stdout, result.stderr)


def test_inputs_are_not_written(leaky: tuple[Path, Canaries, dict[str, str]]) -> None:
    root, _canary, environment = leaky
    before = {
        path: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }
    for args in (("check",), ("check", "--format", "json"), ("matrix",)):
        run_cli(*args, cwd=root, env=environment)
    after = {
        path: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }
    assert after == before


# -- deployment manifests -----------------------------------------------------------------

MANIFEST_CONFIG = """
environments = ["staging", "prod"]

[services.api]
port = 8000
sources = [{ path = "compose.yaml", format = "compose", project_env = "{env}.env" }]

[services.backend]
port = 8000
sources = ["k8s/{env}.yaml"]

[services.auth]
sources = [{ path = "run/{env}.yaml", format = "cloudrun" }]

[shared.jwt]
members = { api = "JWT_SECRET", backend = "JWT_SECRET_KEY", auth = "JWT_SECRET" }
"""
MANIFEST_API_SCHEMA = """
listen_port_key = "PORT"
keys.PORT = { type = "port" }
keys.JWT_SECRET = { type = "secret" }
keys.DATABASE_URL = { type = "url" }
keys.FILE_SECRET = { type = "secret", min_length = 64 }
"""
MANIFEST_BACKEND_SCHEMA = """
listen_port_key = "PORT"
keys.PORT = { type = "port" }
keys.JWT_SECRET_KEY = { type = "secret" }
keys.GREETING = { type = "int" }
keys.MODE = { type = "enum", choices = ["a", "b"] }
keys.SPACED = {}
"""
MANIFEST_AUTH_SCHEMA = 'keys.JWT_SECRET = { type = "secret" }\nkeys.PORT = { type = "port" }\n'


def plant_manifests(root: Path, c: Canaries) -> None:
    """A compose service, a Kubernetes Deployment and a Cloud Run service, with canaries in
    every place a manifest holds a secret; their values break rules that show values."""
    import base64

    files = {
        "driftcheck.toml": MANIFEST_CONFIG,
        "schemas/api.toml": MANIFEST_API_SCHEMA,
        "schemas/backend.toml": MANIFEST_BACKEND_SCHEMA,
        "schemas/auth.toml": MANIFEST_AUTH_SCHEMA,
        "compose.yaml": (
            "services:\n  api:\n    env_file: secrets.env\n    environment:\n"
            "      PORT: 8000\n      JWT_SECRET: ${JWT}\n"
            f"      DATABASE_URL: postgres://u:{c('compose-url')}@db:99999/app\n"
        ),
        "secrets.env": f"FILE_SECRET={c('env-file-secret')}\nUNKNOWN_TOKEN={c('env-file-token')}\n",
    }
    for env in ("staging", "prod"):
        files[f"{env}.env"] = f"JWT={c(f'compose-jwt-{env}')}\n"
        greeting = base64.b64encode(c(f"secret-greeting-{env}").encode()).decode()
        files[f"k8s/{env}.yaml"] = (
            "apiVersion: v1\nkind: Secret\nmetadata: {name: backend}\n"
            f"data: {{GREETING: {greeting}}}\n"
            f"stringData: {{MODE: {c(f'secret-mode-{env}')}, SPACED: ' {c(f'sp-{env}')} ',"
            f" jwt: {c(f'k8s-jwt-{env}')}}}\n---\n"
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: backend}\nspec:\n"
            "  template:\n    spec:\n      containers:\n        - name: backend\n"
            "          envFrom: [{secretRef: {name: backend}}]\n          env:\n"
            '            - {name: PORT, value: "8000"}\n'
            "            - name: JWT_SECRET_KEY\n"
            "              valueFrom: {secretKeyRef: {name: backend, key: jwt}}\n"
        )
        files[f"run/{env}.yaml"] = (
            "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: auth}\n"
            "spec:\n  template:\n    spec:\n      containers:\n        - env:\n"
            "            - name: JWT_SECRET\n"
            f"              valueFrom: {{secretKeyRef: {{name: jwt-{env}, key: latest}}}}\n"
        )
    write_project(root, files)


@pytest.fixture
def leaky_manifests(tmp_path: Path) -> tuple[Path, Canaries]:
    canary = Canaries()
    plant_manifests(tmp_path, canary)
    return tmp_path, canary


def test_the_manifest_canary_project_exercises_rules_that_show_values(
    leaky_manifests: tuple[Path, Canaries],
) -> None:
    root, canary = leaky_manifests
    result = run_cli("check", "--format", "json", cwd=root)
    assert result.exit_code == 1, result.stderr
    found = {(f["code"], f["key"]) for f in json.loads(result.stdout)["findings"]}
    assert {
        ("DC301", "JWT_SECRET"),  # compose vs k8s vs Cloud Run references
        ("DC303", "FILE_SECRET"),  # too short: weak secret from an env_file
        ("DC501", "GREETING"),  # not an int, from a Secret's data
        ("DC501", "MODE"),  # not a choice, from a Secret's stringData
        ("DC504", "SPACED"),
        ("DC501", "DATABASE_URL"),
        ("DC602", "UNKNOWN_TOKEN"),
    } <= found, found
    assert_no_canary(canary, result.stdout, result.stderr)


@pytest.mark.parametrize(
    "args",
    [
        ("check",),
        ("check", "--format", "sarif"),
        ("check", "--format", "github"),
        ("check", "--format", "junit"),
        ("check", "--statistics", "--fail-on", "info"),
        ("matrix",),
    ],
    ids=lambda args: "-".join(args),
)
def test_no_manifest_canary_in_any_output(
    leaky_manifests: tuple[Path, Canaries], args: tuple[str, ...]
) -> None:
    root, canary = leaky_manifests
    for env in ({}, {"DRIFTCHECK_HASH_KEY": "manifest-key"}):
        result = run_cli(*args, cwd=root, env=env)
        assert result.exit_code in (0, 1), result.stderr
        assert result.stdout
        assert_no_canary(canary, result.stdout, result.stderr)


def test_no_manifest_canary_in_repr_of_loaded_objects(
    leaky_manifests: tuple[Path, Canaries],
) -> None:
    root, canary = leaky_manifests
    project = load_project(root, Fingerprinter(b"k"))
    greeting = project.layer("backend", "prod").get("GREETING")
    assert greeting is not None
    assert greeting.value is not None
    assert canary.cores["secret-greeting-prod"] in greeting.value  # really read
    findings = run_rules(project, make_selection(project))
    objects = [*_everything(project), *findings, build_matrix(project)]
    for layer in project.all_layers():
        objects.extend(layer.addresses())
    for thing in objects:
        assert_no_canary(canary, repr(thing), str(thing))


@pytest.mark.parametrize("case", ["required-variable", "bad-base64", "bad-yaml", "bad-port"])
def test_no_manifest_canary_on_error_paths(tmp_path: Path, case: str) -> None:
    canary = Canaries()
    plant_manifests(tmp_path, canary)
    if case == "required-variable":
        (tmp_path / "compose.yaml").write_text(
            f"services:\n  api:\n    environment:\n      A: ${{NOPE:?{canary('message')}}}\n"
        )
    elif case == "bad-base64":
        (tmp_path / "k8s/prod.yaml").write_text(
            "apiVersion: v1\nkind: Secret\nmetadata: {name: x}\n"
            f"data: {{K: '*{canary('b64')}'}}\n"
        )
    elif case == "bad-yaml":
        (tmp_path / "k8s/prod.yaml").write_text(f"a: {canary('yaml-value')}\nb: [{canary('y2')}\n")
    else:
        (tmp_path / "compose.yaml").write_text(
            f"services:\n  api:\n    ports: ['{canary('port', bare=True)}:80']\n"
        )
    for args in (("check",), ("check", "--format", "json"), ("matrix",)):
        result = run_cli(*args, cwd=tmp_path)
        assert result.exit_code == 2, result
        assert result.stderr.startswith("driftcheck: error: ")
        assert_no_canary(canary, result.stdout, result.stderr)
    with pytest.raises(DriftcheckError) as caught:
        load_project(tmp_path, Fingerprinter(b"k"))
    for error in _exception_chain(caught.value):
        assert_no_canary(canary, repr(error), str(error), *map(repr, vars(error).values()))
    assert_no_canary(canary, "".join(traceback.format_exception(caught.value)))
