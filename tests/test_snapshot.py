"""``driftcheck snapshot``: writing snapshots through the real CLI, and reading them back."""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from driftcheck.errors import DriftcheckError
from driftcheck.output import write_atomically
from driftcheck.project import load_project
from driftcheck.snapshot import build_snapshot, render_snapshot
from driftcheck.sources.jsonfile import (
    Snapshot,
    check_snapshot_key,
    parse_json_source,
    read_json_values,
    read_snapshot,
)
from driftcheck.values import DIGEST_PREFIX, Fingerprinter
from tests.helpers import Run, run_cli, working_directory, write_project

KEY = "snapshot-test-key"
KEYED = {"DRIFTCHECK_HASH_KEY": KEY}
SHOWN = "snapshots/backend.staging.json"

JWT = "canary-jwt-Qm4z81-staging-secret-value"
DB_PASSWORD = "canary-dbpass-Lx07"
API_TOKEN = "canary-token-Vt33"
CANARIES = (JWT, DB_PASSWORD, API_TOKEN)

CONFIG = """
environments = ["dev", "staging"]

[defaults]
sources = ["{service}/.env.{env}"]

[services.backend]
port = 8000

[services.auth]
port = 8081

[shared.jwt-secret]
members = { auth = "JWT_SECRET", backend = "JWT_SECRET_KEY" }

[shared.log-level]
members = { auth = "LOG_LEVEL", backend = "LOG_LEVEL" }
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

[keys.LOG_LEVEL]
default = "info"

[keys.FEATURE_FLAG]
required = false
"""

AUTH_SCHEMA = """
listen_port_key = "PORT"

[keys.PORT]
type = "port"

[keys.JWT_SECRET]
type = "secret"

[keys.LOG_LEVEL]
default = "info"
"""

BACKEND_STAGING = f"""
PORT=8000
JWT_SECRET_KEY={JWT}
DATABASE_URL=postgres://api:{DB_PASSWORD}@db.staging:5432/api
LOG_LEVEL=warning
API_TOKEN={API_TOKEN}
CORS_ALLOWED_ORIGINS=https://staging.example.com
EMPTY_PASSWORD=
FEATURE_FLAG
"""


def project(root: Path, **extra: str) -> Path:
    return write_project(
        root,
        {
            "driftcheck.toml": CONFIG,
            "schemas/backend.toml": BACKEND_SCHEMA,
            "schemas/auth.toml": AUTH_SCHEMA,
            "backend/.env.dev": "PORT=8000\nJWT_SECRET_KEY=dev-secret\n",
            "backend/.env.staging": BACKEND_STAGING,
            "auth/.env.dev": "PORT=8081\nJWT_SECRET=dev-secret\n",
            "auth/.env.staging": f"PORT=8081\nJWT_SECRET={JWT}\n",
            **extra,
        },
    )


def snapshot(root: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    return run_cli("snapshot", "--service", "backend", "--env", "staging", *args, cwd=root, env=env)


def digest(value: str, key: str = KEY) -> str:
    return DIGEST_PREFIX + Fingerprinter(key.encode()).digest(value)


def fingerprint(value: str) -> dict[str, str]:
    return {"fingerprint": digest(value)}


def assert_no_canary(*texts: str) -> None:
    for text in texts:
        for canary in CANARIES:
            assert canary not in text


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def write(tmp_path: Path, document: object, name: str = "snapshot.json") -> Path:
    path = tmp_path / name
    text = document if isinstance(document, str) else json.dumps(document, indent=2)
    path.write_text(text, encoding="utf-8")
    return path


def read_error(path: Path) -> str:
    with pytest.raises(DriftcheckError) as caught:
        read_snapshot(path, SHOWN)
    return str(caught.value)


# --- writing from each kind of source ------------------------------------------------


def test_snapshot_of_the_configured_sources(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "out").mkdir()
    run = snapshot(root, "-o", "out/backend.staging.json", env=KEYED)
    assert (run.exit_code, run.stderr) == (0, "")
    assert run.stdout == (
        "wrote out/backend.staging.json: backend in staging, 8 values (3 as fingerprints)\n"
    )
    text = (root / "out/backend.staging.json").read_text("utf-8")
    document = json.loads(text)
    created = document.pop("created")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", created)
    assert document == {
        "driftcheck_snapshot": 1,
        "service": "backend",
        "environment": "staging",
        "fingerprints": {
            "algorithm": "hmac-sha256",
            "keyed": True,
            "key_id": Fingerprinter(KEY.encode()).key_id(),
        },
        "shared": {"jwt-secret": digest(JWT), "log-level": digest("warning")},
        "values": {
            "API_TOKEN": fingerprint(API_TOKEN),
            "CORS_ALLOWED_ORIGINS": "https://staging.example.com",
            # Not declared secret, but the URL carries a password.
            "DATABASE_URL": fingerprint(f"postgres://api:{DB_PASSWORD}@db.staging:5432/api"),
            "EMPTY_PASSWORD": "",
            "FEATURE_FLAG": None,
            "JWT_SECRET_KEY": fingerprint(JWT),
            "LOG_LEVEL": "warning",
            "PORT": "8000",
        },
    }
    assert list(document["values"]) == sorted(document["values"])
    assert_no_canary(text, run.stdout, run.stderr)


def test_build_snapshot_is_a_plain_function_of_its_inputs(tmp_path: Path) -> None:
    root = project(tmp_path)
    with working_directory(root):
        loaded = load_project(Path("."), Fingerprinter(KEY.encode()))
    layer = loaded.layer("backend", "dev")
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    built = build_snapshot(loaded, "backend", "dev", layer.values, moment)
    assert built["created"] == "2026-01-02T03:04:05Z"
    assert built["values"] == {"JWT_SECRET_KEY": fingerprint("dev-secret"), "PORT": "8000"}
    # log-level has no value in backend's dev sources.
    assert built["shared"] == {"jwt-secret": digest("dev-secret"), "log-level": None}
    assert build_snapshot(loaded, "backend", "dev", layer.values, moment) == built


def test_snapshot_from_files_layered_in_order(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "captured").mkdir()
    (root / "captured/base.env").write_text(f"PORT=7000\nJWT_KEY={JWT}\nLOG_LEVEL=debug\n")
    (root / "captured/override.json").write_text(
        json.dumps({"PORT": 8000, "API_TOKEN": API_TOKEN, "EXTRA": "kept"})
    )
    # `env -0` output: only the keys the schema reads are taken from a whole environment.
    (root / "captured/live").write_bytes(b"LOG_LEVEL=error\0HOME=/root\0UNRELATED_PASSWORD=x\0")
    run = snapshot(
        root,
        "--from",
        "captured/base.env",
        "--from",
        "captured/override.json",
        "--from",
        "captured/live",
        "-o",
        "snap.json",
        env=KEYED,
    )
    assert (run.exit_code, run.stderr) == (0, "")
    document = json.loads((root / "snap.json").read_text("utf-8"))
    assert document["values"] == {
        "API_TOKEN": fingerprint(API_TOKEN),
        "EXTRA": "kept",
        # A deprecated name is as secret as its key, and counts for the shared setting.
        "JWT_KEY": fingerprint(JWT),
        "LOG_LEVEL": "error",
        "PORT": "8000",
    }
    assert document["shared"] == {"jwt-secret": digest(JWT), "log-level": digest("error")}
    assert_no_canary((root / "snap.json").read_text("utf-8"), run.stdout, run.stderr)


def test_snapshot_from_the_live_environment_takes_only_schema_keys(tmp_path: Path) -> None:
    # No configured source exists for staging: a live container has none of them.
    root = project(tmp_path)
    (root / "backend/.env.staging").unlink()
    live = {
        **KEYED,
        "PORT": "8000",
        "JWT_KEY": JWT,
        "DATABASE_URL": f"postgres://api:{DB_PASSWORD}@db:5432/api",
        "API_TOKEN": API_TOKEN,
        "CORS_ALLOWED_ORIGINS": "near miss, but not read",
    }
    run = snapshot(root, "--from-env", "-o", "live.json", env=live)
    assert (run.exit_code, run.stderr) == (0, "")
    document = json.loads((root / "live.json").read_text("utf-8"))
    assert document["values"] == {
        "DATABASE_URL": fingerprint(live["DATABASE_URL"]),
        "JWT_KEY": fingerprint(JWT),
        "PORT": "8000",
    }
    assert document["shared"] == {"jwt-secret": digest(JWT), "log-level": None}
    assert_no_canary((root / "live.json").read_text("utf-8"), run.stdout, run.stderr)


def test_without_a_peers_schema_a_shared_setting_counts_as_secret(tmp_path: Path) -> None:
    # Deployed with only its own schema, backend cannot learn whether auth declares
    # log-level secret: it is fingerprinted rather than risk a secret in clear.
    root = project(tmp_path)
    (root / "schemas/auth.toml").unlink()
    live = {**KEYED, "PORT": "8000", "LOG_LEVEL": "warning"}
    run = snapshot(root, "--from-env", "-o", "live.json", env=live)
    assert (run.exit_code, run.stderr) == (0, "")
    document = json.loads((root / "live.json").read_text("utf-8"))
    assert document["values"] == {"LOG_LEVEL": fingerprint("warning"), "PORT": "8000"}


def test_help_says_what_from_env_takes() -> None:
    run = run_cli("snapshot", "--help")
    assert run.exit_code == 0
    text = " ".join(run.stdout.split())
    assert "only the keys the service's schema reads and their deprecated names" in text


# --- the key ---------------------------------------------------------------------------


def test_without_a_hash_key_it_refuses_with_the_reason(tmp_path: Path) -> None:
    root = project(tmp_path)
    run = snapshot(root, "-o", "snap.json")
    assert run.exit_code == 2
    assert run.stdout == ""
    assert run.stderr.count("\n") == 1
    assert run.stderr.startswith("driftcheck: error: DRIFTCHECK_HASH_KEY is not set")
    assert "--allow-unkeyed" in run.stderr
    assert not (root / "snap.json").exists()


def test_allow_unkeyed_writes_a_snapshot_marked_unkeyed(tmp_path: Path) -> None:
    root = project(tmp_path)
    run = snapshot(root, "-o", "snap.json", "--allow-unkeyed")
    assert run.exit_code == 0
    assert "DRIFTCHECK_HASH_KEY is not set" in run.stderr
    assert "will not compare" in run.stderr
    text = (root / "snap.json").read_text("utf-8")
    assert json.loads(text)["fingerprints"] == {
        "algorithm": "hmac-sha256",
        "keyed": False,
        "key_id": None,
    }
    assert_no_canary(text, run.stdout, run.stderr)
    read = read_snapshot(root / "snap.json", SHOWN)
    assert (read.keyed, read.key_id) == (False, None)
    with pytest.raises(DriftcheckError, match="written without DRIFTCHECK_HASH_KEY"):
        check_snapshot_key(read, Fingerprinter(KEY.encode()))


def test_digests_copied_from_a_snapshot_must_share_the_key(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert snapshot(root, "-o", "first.json", env=KEYED).exit_code == 0
    again = snapshot(root, "--from", "first.json", "-o", "second.json", env=KEYED)
    assert again.exit_code == 0
    first = json.loads((root / "first.json").read_text("utf-8"))
    second = json.loads((root / "second.json").read_text("utf-8"))
    assert second["values"] == first["values"]
    assert second["shared"] == first["shared"]

    other = snapshot(
        root, "--from", "first.json", "-o", "third.json", env={"DRIFTCHECK_HASH_KEY": "other"}
    )
    assert other.exit_code == 2
    assert "first.json:" in other.stderr
    assert "another DRIFTCHECK_HASH_KEY" in other.stderr
    assert not (root / "third.json").exists()


# --- writing safely --------------------------------------------------------------------


def test_an_existing_output_is_replaced_and_no_temporary_file_is_left(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "out").mkdir()
    (root / "out/snap.json").write_text("old and much longer content " * 100)
    run = snapshot(root, "-o", "out/snap.json", env=KEYED)
    assert run.exit_code == 0
    assert json.loads((root / "out/snap.json").read_text("utf-8"))["service"] == "backend"
    assert os.listdir(root / "out") == ["snap.json"]


def test_the_snapshot_is_complete_before_it_takes_the_outputs_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "snap.json"
    target.write_text("old")
    real_replace = os.replace
    seen: list[tuple[Path, str]] = []

    def watching_replace(source: str, destination: Path) -> None:
        seen.append((Path(source), Path(source).read_text("utf-8")))
        assert target.read_text() == "old"
        real_replace(source, destination)

    monkeypatch.setattr(os, "replace", watching_replace)
    text = render_snapshot({"driftcheck_snapshot": 1, "values": {"A": "1"}})
    write_atomically(target, text)
    [(temporary, written)] = seen
    assert temporary.parent == tmp_path
    assert written == text
    assert target.read_text("utf-8") == text
    assert os.listdir(tmp_path) == ["snap.json"]


def test_a_failed_write_leaves_the_old_output_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "snap.json"
    target.write_text("old")

    def failing_replace(source: str, destination: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(DriftcheckError) as caught:
        write_atomically(target, "new")
    assert str(caught.value) == f"{target}: cannot write: No space left on device"
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["snap.json"]


def test_an_output_in_a_missing_directory_is_a_one_line_error(tmp_path: Path) -> None:
    root = project(tmp_path)
    run = snapshot(root, "-o", "missing/snap.json", env=KEYED)
    assert run.exit_code == 2
    assert run.stderr.startswith("driftcheck: error: missing/snap.json: cannot write")
    assert run.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "output",
    ["backend/.env.staging", "driftcheck.toml", "schemas/backend.toml", "link-to-input"],
)
def test_it_refuses_to_write_over_an_input(tmp_path: Path, output: str) -> None:
    root = project(tmp_path)
    (root / "link-to-input").symlink_to(root / "backend/.env.staging")
    before = tree(root)
    run = snapshot(root, "-o", output, env=KEYED)
    assert run.exit_code == 2
    assert run.stderr == (
        f"driftcheck: error: {output}: is an input of this snapshot; "
        "write the snapshot to another file\n"
    )
    assert tree(root) == before


def test_it_refuses_to_write_over_a_from_file(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "captured.env").write_text("PORT=8000\n")
    run = snapshot(root, "--from", "captured.env", "-o", "./captured.env", env=KEYED)
    assert run.exit_code == 2
    assert "is an input of this snapshot" in run.stderr
    assert (root / "captured.env").read_text() == "PORT=8000\n"


def test_inputs_are_unchanged_byte_for_byte(tmp_path: Path) -> None:
    root = project(tmp_path)
    # CRLF line ends and a byte-order mark, which a careless writer might normalise.
    (root / "backend/.env.staging").write_bytes(
        b"\xef\xbb\xbfPORT=8000\r\nJWT_SECRET_KEY=" + JWT.encode() + b"\r\n"
    )
    (root / "captured.json").write_bytes(b'{"LOG_LEVEL": "debug"}')
    before = tree(root)
    for args in (("-o", "a.json"), ("--from", "captured.json", "-o", "b.json")):
        assert snapshot(root, *args, env=KEYED).exit_code == 0
    after = tree(root)
    assert set(after) - set(before) == {"a.json", "b.json"}
    assert {name: after[name] for name in before} == before


def test_a_byte_order_mark_in_a_source_is_a_warning_naming_the_file(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "captured.json").write_bytes(b'\xef\xbb\xbf{"PORT": "8000"}')
    run = snapshot(root, "--from", "captured.json", "-o", "snap.json", env=KEYED)
    assert run.exit_code == 0
    assert run.stderr.startswith("driftcheck: warning: captured.json:1: file starts with")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--from-env", "--from", "x.env"),
            "--from-env and --from are alternatives; give one of them",
        ),
        (("--service", "nope"), "--service: unknown service 'nope'; known: backend, auth"),
        (("--env", "prod"), "--env: unknown environment 'prod'; known: dev, staging"),
        (("--from", "absent.env"), "absent.env: cannot read: no such file"),
        (("--from", "backend"), "backend: is a directory, expected a file"),
    ],
)
def test_bad_options_and_inputs_exit_2_with_one_line(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    root = project(tmp_path)
    run = run_cli(
        "snapshot", "--service", "backend", "--env", "staging", "-o", "snap.json", *args,
        cwd=root, env=KEYED,
    )  # fmt: skip
    assert run.exit_code == 2
    assert run.stderr == f"driftcheck: error: {message}\n"
    assert not (root / "snap.json").exists()


def test_required_options_are_usage_errors(tmp_path: Path) -> None:
    run = run_cli("snapshot", "--service", "backend", cwd=project(tmp_path), env=KEYED)
    assert run.exit_code == 2
    assert "Missing option '--env'" in run.stderr


def test_undecodable_bytes_from_the_environment_survive_as_json_escapes() -> None:
    text = render_snapshot({"values": {"A": "caf\u00e9", "B": "x\udcffy"}})
    assert json.loads(text)["values"] == {"A": "caf\u00e9", "B": "x\udcffy"}
    text.encode("utf-8")


# --- reading back ----------------------------------------------------------------------


def test_a_written_snapshot_reads_back_with_fingerprinted_entries(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert snapshot(root, "-o", "snap.json", env=KEYED).exit_code == 0
    read = read_snapshot(root / "snap.json", SHOWN)
    assert isinstance(read, Snapshot)
    assert (read.version, read.service, read.environment) == (1, "backend", "staging")
    assert (read.keyed, read.key_id) == (True, Fingerprinter(KEY.encode()).key_id())
    assert read.shared == {"jwt-secret": digest(JWT), "log-level": digest("warning")}
    entries = {entry.key: entry for entry in read.parsed.entries}
    assert entries["JWT_SECRET_KEY"].fingerprinted
    assert entries["JWT_SECRET_KEY"].value == digest(JWT)
    assert entries["JWT_SECRET_KEY"].origin.path == SHOWN
    assert entries["JWT_SECRET_KEY"].origin.line is not None
    assert (entries["PORT"].value, entries["PORT"].fingerprinted) == ("8000", False)
    assert entries["FEATURE_FLAG"].value is None
    assert_no_canary(repr(read))
    # The same key passes; read_json_values gives the same entries.
    check_snapshot_key(read, Fingerprinter(KEY.encode()))
    assert read_json_values(root / "snap.json", SHOWN).entries == read.parsed.entries


def test_a_snapshot_source_of_a_project_gives_fingerprinted_entries(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert snapshot(root, "-o", "backend/staging.json", env=KEYED).exit_code == 0
    config = CONFIG.replace(
        "[services.backend]\n",
        '[services.backend]\nsources = { dev = ["backend/.env.dev"], '
        'staging = ["backend/staging.json"] }\n',
    )
    (root / "driftcheck.toml").write_text(config)
    with working_directory(root):
        loaded = load_project(Path("."), Fingerprinter(KEY.encode()))
    entry = loaded.layer("backend", "staging").values["JWT_SECRET_KEY"]
    assert (entry.fingerprinted, entry.value) == (True, digest(JWT))


def test_a_different_key_is_an_error_from_check_snapshot_key(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert snapshot(root, "-o", "snap.json", env=KEYED).exit_code == 0
    read = read_snapshot(root / "snap.json", SHOWN)
    with pytest.raises(DriftcheckError) as caught:
        check_snapshot_key(read, Fingerprinter(b"another key"))
    assert str(caught.value) == (
        f"{SHOWN}:6: snapshot was fingerprinted with another DRIFTCHECK_HASH_KEY (key id "
        f"{read.key_id}); set the key it was written with, or write it again"
    )
    with pytest.raises(DriftcheckError, match="set the same key to compare them"):
        check_snapshot_key(read, Fingerprinter())


def test_a_snapshot_without_digests_needs_no_key(tmp_path: Path) -> None:
    path = write(tmp_path, {"driftcheck_snapshot": 1, "values": {"PORT": "8000"}})
    read = read_snapshot(path, SHOWN)
    assert (read.keyed, read.key_id, read.holds_digests) == (False, None, False)
    check_snapshot_key(read, Fingerprinter())


def test_unknown_version_names_the_file_line_and_the_supported_version(tmp_path: Path) -> None:
    path = write(tmp_path, '{\n  "driftcheck_snapshot": 2,\n  "values": {}\n}\n')
    expected = (
        f"{SHOWN}:2: snapshot format version 2 is not supported; this driftcheck reads version 1"
    )
    assert read_error(path) == expected
    # The project loader's reader refuses it too: version 2 values may mean something else.
    with pytest.raises(DriftcheckError) as caught:
        read_json_values(path, SHOWN)
    assert str(caught.value) == expected


GOOD_DIGEST = DIGEST_PREFIX + "0" * 64


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"fingerprint": JWT}, 'fingerprint of "K" is not a fingerprint'),
        ({"fingerprint": "hmac:0123456789ab"}, 'fingerprint of "K" is not a fingerprint'),
        ({"fingerprint": DIGEST_PREFIX + "0" * 63}, 'fingerprint of "K" is not a fingerprint'),
        ({"fingerprint": DIGEST_PREFIX + "A" * 64}, 'fingerprint of "K" is not a fingerprint'),
        ({"fingerprint": GOOD_DIGEST + "\n"}, 'fingerprint of "K" is not a fingerprint'),
        ({"fingerprint": 5}, 'fingerprint of "K" is a number, a fingerprint'),
        ({"fingerprint": GOOD_DIGEST, "value": JWT}, 'value of "K" is an object other than'),
        ({"digest": GOOD_DIGEST}, 'value of "K" is an object other than'),
        ([JWT], 'value of "K" is an array'),
    ],
)
def test_a_malformed_fingerprint_is_an_error_that_quotes_nothing(
    tmp_path: Path, value: object, expected: str
) -> None:
    document = {
        "driftcheck_snapshot": 1,
        "fingerprints": {"algorithm": "hmac-sha256", "keyed": True, "key_id": "0" * 16},
        "values": {"K": value},
    }
    message = read_error(write(tmp_path, document))
    assert message.startswith(f"{SHOWN}:")
    assert expected in message
    assert JWT not in message


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            {"driftcheck_snapshot": 1, "values": {"K": {"fingerprint": GOOD_DIGEST}}},
            'snapshot holds fingerprints but no "fingerprints" object',
        ),
        (
            {"driftcheck_snapshot": 1, "shared": {"jwt": GOOD_DIGEST}, "values": {}},
            'snapshot holds fingerprints but no "fingerprints" object',
        ),
        ({"driftcheck_snapshot": 1, "value": {}}, 'unknown snapshot field "value"'),
        ({"driftcheck_snapshot": 1, "service": 5, "values": {}}, '"service" is a number'),
        ({"driftcheck_snapshot": 1, "shared": [], "values": {}}, 'snapshot "shared" is an array'),
        (
            {"driftcheck_snapshot": 1, "shared": {"jwt": "plain"}, "values": {}},
            'shared setting "jwt" is not a fingerprint',
        ),
        (
            {
                "driftcheck_snapshot": 1,
                "fingerprints": {"algorithm": "sha256", "keyed": True},
                "values": {},
            },
            'fingerprint algorithm "sha256" is not supported',
        ),
        (
            {
                "driftcheck_snapshot": 1,
                "fingerprints": {"algorithm": "hmac-sha256"},
                "values": {},
            },
            '"fingerprints" needs "keyed"',
        ),
        (
            {
                "driftcheck_snapshot": 1,
                "fingerprints": {"algorithm": "hmac-sha256", "keyed": True},
                "values": {},
            },
            'keyed but has no "key_id"',
        ),
        (
            {
                "driftcheck_snapshot": 1,
                "fingerprints": {"algorithm": "hmac-sha256", "keyed": True, "key_id": "KEY"},
                "values": {},
            },
            '"key_id" must be 16 lowercase hex digits',
        ),
        (
            {
                "driftcheck_snapshot": 1,
                "fingerprints": {"algorithm": "hmac-sha256", "keyed": True, "salt": "x"},
                "values": {},
            },
            'unknown field "salt" in "fingerprints"',
        ),
    ],
)
def test_a_malformed_snapshot_is_an_error_naming_file_and_line(
    tmp_path: Path, document: object, expected: str
) -> None:
    message = read_error(write(tmp_path, document))
    assert re.match(re.escape(SHOWN) + r":\d+: ", message), message
    assert expected in message


def test_read_snapshot_refuses_a_flat_values_file(tmp_path: Path) -> None:
    path = write(tmp_path, {"PORT": "8000"})
    assert read_error(path) == (
        f'{SHOWN}: not a driftcheck snapshot (it has no "driftcheck_snapshot" field)'
    )
    parsed, snapshot = parse_json_source(path.read_text(), SHOWN)
    assert snapshot is None
    assert [(e.key, e.value, e.fingerprinted) for e in parsed.entries] == [("PORT", "8000", False)]
