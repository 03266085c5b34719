"""Bad input, end to end through the real CLI (SPEC section 6).

Every case runs ``python -m driftcheck`` in a subprocess on a throwaway project and asserts
the whole outcome: the exit code; for input errors, exactly one ``driftcheck: error:`` line
per problem on stderr, naming the file (and the line where there is one) and what is wrong;
never a traceback; and every file of the project byte-for-byte (and mode-for-mode) the same
afterwards.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from tests.helpers import BASIC_CONFIG, DOTENV_KEEPS_BOM, Run, run_cli, write_project

ENVIRONMENTS = ("dev", "staging", "prod")
HASH_KEY = {"DRIFTCHECK_HASH_KEY": "bad-input-tests"}

SCHEMA = """
listen_port_key = "PORT"

[keys.PORT]
type = "port"

[keys.API_TOKEN]
type = "secret"
"""

JSON_SOURCES = BASIC_CONFIG.replace('"{service}/.env.{env}"', '"{service}/{env}.json"')
DISCOVERY = BASIC_CONFIG + '\n[discovery]\nsources = ["discovery/{env}.json"]\n'

PYPROJECT = """
[project]
name = "example"

[tool.driftcheck]
environments = ["dev", "staging", "prod"]

[tool.driftcheck.defaults]
sources = ["{service}/.env.{env}"]

[tool.driftcheck.services.app]
port = 8000
"""


def good_env(environment: str) -> str:
    return f"PORT=8000\nAPI_TOKEN=token-{environment}-0123456789abcdef\n"


def good_json(environment: str) -> str:
    return json.dumps({"PORT": "8000", "API_TOKEN": f"token-{environment}-0123456789abcdef"})


# -- building projects ----------------------------------------------------------------------


def make_project(
    root: Path,
    files: Mapping[str, str | bytes | None] | None = None,
    *,
    config: str | None = BASIC_CONFIG,
    schema: str | None = SCHEMA,
) -> Path:
    """A one-service project (``app``, three environments) that checks clean, then
    ``files``: text goes through ``write_project``, bytes are written as they are, and None
    removes the file."""
    texts: dict[str, str | bytes | None] = {
        "driftcheck.toml": config,
        "schemas/app.toml": schema,
        **{f"app/.env.{env}": good_env(env) for env in ENVIRONMENTS},
    }
    texts.update(files or {})
    write_project(root, {name: text for name, text in texts.items() if isinstance(text, str)})
    for name, content in texts.items():
        path = root / name
        if isinstance(content, bytes):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        elif content is None and path.exists():
            path.unlink()
    return root


def json_project(root: Path, files: Mapping[str, str | bytes | None] | None = None) -> Path:
    """``app`` reads ``app/{env}.json`` instead of ``.env`` files."""
    values: dict[str, str | bytes | None] = {
        f"app/{env}.json": good_json(env) for env in ENVIRONMENTS
    }
    values.update({f"app/.env.{env}": None for env in ENVIRONMENTS})
    values.update(files or {})
    return make_project(root, values, config=JSON_SOURCES)


def discovery_project(root: Path, files: Mapping[str, str | bytes | None] | None = None) -> Path:
    """``app`` with a service-discovery file per environment that agrees with it."""
    records: dict[str, str | bytes | None] = {
        f"discovery/{env}.json": '{"services": {"app": {"port": 8000}}}\n' for env in ENVIRONMENTS
    }
    records.update(files or {})
    return make_project(root, records, config=DISCOVERY)


def line_of(path: Path, needle: str, *, last: bool = False) -> int:
    """The 1-based number of the first (or last) line of ``path`` that contains ``needle``."""
    numbers = [
        number
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if needle in line
    ]
    assert numbers, f"{needle!r} not in {path}"
    return numbers[-1] if last else numbers[0]


# -- running and checking -------------------------------------------------------------------


def tree_state(root: Path) -> dict[str, str]:
    """Every entry under ``root``: a file's mode and SHA-256, a link's target, a directory."""
    state = {}
    for directory, dirnames, filenames in os.walk(root):
        for name in (*dirnames, *filenames):
            path = Path(directory, name)
            relative = path.relative_to(root).as_posix()
            info = path.lstat()
            mode = oct(stat.S_IMODE(info.st_mode))
            if stat.S_ISLNK(info.st_mode):
                state[relative] = f"link -> {os.readlink(path)}"
            elif stat.S_ISDIR(info.st_mode):
                state[relative] = f"dir {mode}"
            else:
                try:
                    digest = hashlib.sha256(path.read_bytes()).hexdigest()
                except PermissionError:
                    digest = "unreadable"
                state[relative] = f"file {mode} {digest}"
    return state


def assert_sane(result: Run) -> None:
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream
        assert "internal error" not in stream, stream


def run_in(
    root: Path,
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> Run:
    """Run the CLI in ``root`` (or ``cwd``) and check that no file under ``root`` changed or
    appeared, and that nothing crashed."""
    before = tree_state(root)
    result = run_cli(*args, cwd=cwd or root, env=env)
    after = tree_state(root)
    assert after == before, "an input file changed, or a stray file appeared"
    assert_sane(result)
    return result


def _cli_environment(env: dict[str, str] | None = None) -> dict[str, str]:
    # The same environment as tests.helpers.run_cli gives the CLI.
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DRIFTCHECK_")}
    environment.pop("GITHUB_ACTIONS", None)
    environment["NO_COLOR"] = "1"
    environment.update(env or {})
    return environment


def run_raw(root: Path, *args: str, prefix: tuple[str, ...] = (), timeout: float = 120) -> Run:
    """Like :func:`run_in`, with a command prefix and a time limit of our own."""
    before = tree_state(root)
    completed = subprocess.run(
        [*prefix, sys.executable, "-m", "driftcheck", *args],
        cwd=root,
        env=_cli_environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    result = Run(completed.returncode, completed.stdout, completed.stderr)
    assert tree_state(root) == before
    assert_sane(result)
    return result


Expected = tuple[str, ...]
MakeProject = Callable[..., Path]


def err(where: str, *fragments: str) -> Expected:
    """One expected error line: its location (``file``, ``file:line`` or
    ``file:line:column``) and pieces of text that say what is wrong."""
    return (where, *fragments)


def _matches(line: str, expected: Expected) -> bool:
    where, *fragments = expected
    # A location given as file:line may carry a column after the line (TOML syntax errors
    # do); one given as file:line:column must match exactly.
    column = "(?::\\d+)?" if re.search(r":\d+$", where) and where.count(":") == 1 else ""
    # A location given as a bare file accepts any line there: the test is about the file.
    if not re.search(r":\d+$", where):
        column = "(?::\\d+){0,2}"
    located = re.match(rf"driftcheck: error: {re.escape(where)}{column}: ", line)
    return located is not None and all(fragment in line for fragment in fragments)


def assert_errors(result: Run, *expected: Expected) -> None:
    """Exit 2, nothing on stdout, and exactly one stderr line per expected problem."""
    assert result.exit_code == 2, result
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == len(expected), result.stderr
    for one in expected:
        matching = [line for line in lines if _matches(line, one)]
        assert len(matching) == 1, f"{one} in:\n{result.stderr}"


def assert_usage_error(result: Run, option: str) -> None:
    """click's own usage error: exit 2, naming the option, no traceback."""
    assert result.exit_code == 2, result
    assert result.stdout == ""
    assert f"driftcheck: error: Invalid value for '{option}'" in result.stderr


def findings(result: Run) -> set[tuple[str, str | None, int | None, str | None]]:
    """(code, path, line, key) of each finding of a ``--format json`` run."""
    document = json.loads(result.stdout)
    found = set()
    for finding in document["findings"]:
        location = finding["location"] or {}
        found.add((finding["code"], location.get("path"), location.get("line"), finding["key"]))
    return found


def codes(result: Run) -> set[str]:
    return {code for code, *_ in findings(result)}


def check_json(root: Path, *args: str) -> Run:
    return run_in(root, "check", "--format", "json", *args, env=HASH_KEY)


# -- the baseline -----------------------------------------------------------------------------


def test_the_baseline_project_is_clean(tmp_path: Path) -> None:
    result = run_in(make_project(tmp_path), "check")
    assert (result.exit_code, result.stderr) == (0, "")
    assert "No drift found." in result.stdout


# -- malformed .env lines ---------------------------------------------------------------------


def test_malformed_lines_are_findings_and_the_rest_of_the_file_is_checked(tmp_path: Path) -> None:
    text = (
        "PORT=8000\n"
        "this line is not a binding\n"
        "API_TOKEN=token-dev-0123456789abcdef\n"
        "KEY WITH SPACES=1\n"
        "EXTRA=after the bad lines\n"
        "PORT=not-a-port\n"
    )
    root = make_project(tmp_path, {"app/.env.dev": text.encode()})
    result = check_json(root)
    assert result.exit_code == 1
    assert result.stderr == ""
    assert findings(result) == {
        ("DC702", "app/.env.dev", 2, None),
        ("DC702", "app/.env.dev", 4, None),
        # Lines after the bad ones are still read and checked.
        ("DC602", "app/.env.dev", 5, "EXTRA"),
        ("DC701", "app/.env.dev", 6, "PORT"),
        ("DC405", "app/.env.dev", 6, "PORT"),
    }


def test_an_unterminated_quote_is_a_finding_at_its_line(tmp_path: Path) -> None:
    text = 'PORT=8000\nAPI_TOKEN=token-dev-0123456789abcdef\nNOTE="never closed\n'
    root = make_project(tmp_path, {"app/.env.dev": text.encode()})
    result = check_json(root)
    assert result.exit_code == 1
    assert findings(result) == {("DC702", "app/.env.dev", 3, None)}


def test_malformed_line_in_text_output_names_file_and_line(tmp_path: Path) -> None:
    text = "PORT=8000\n'unterminated=1\nAPI_TOKEN=token-dev-0123456789abcdef\n"
    root = make_project(tmp_path, {"app/.env.dev": text.encode()})
    result = run_in(root, "check")
    assert (result.exit_code, result.stderr) == (1, "")
    assert "app/.env.dev:2: DC702 unparsable-line [error]" in result.stdout


# -- encodings, line ends, odd bytes ----------------------------------------------------------


def test_invalid_utf8_in_a_dotenv_file(tmp_path: Path) -> None:
    data = b"PORT=8000\nAPI_TOKEN=token-\xff-0123456789abcdef\n"
    root = make_project(tmp_path, {"app/.env.dev": data})
    assert_errors(run_in(root, "check"), err("app/.env.dev:2", "invalid UTF-8", "0xFF"))


def test_utf16_file_is_invalid_utf8_with_a_hint(tmp_path: Path) -> None:
    data = good_env("dev").encode("utf-16")
    root = make_project(tmp_path, {"app/.env.dev": data})
    assert_errors(run_in(root, "check"), err("app/.env.dev:1", "invalid UTF-8", "UTF-16"))


@pytest.mark.parametrize(
    ("name", "data", "where"),
    [
        ("app/dev.json", b'{"PORT": "8000",\n "API_TOKEN": "\xc3"}', "app/dev.json:2"),
        ("schemas/app.toml", SCHEMA.lstrip().encode() + b"# \xfe\n", "schemas/app.toml:8"),
        ("driftcheck.toml", b"# caf\xe9\n" + BASIC_CONFIG.encode(), "driftcheck.toml:1"),
        (
            "discovery/dev.json",
            b'{"services": {"app": {"port": 8000, "host": "\x80"}}}',
            "discovery/dev.json:1",
        ),
    ],
)
def test_invalid_utf8_in_other_files(tmp_path: Path, name: str, data: bytes, where: str) -> None:
    if name.startswith("discovery/"):
        root = discovery_project(tmp_path, {name: data})
    elif name.endswith(".json"):
        root = json_project(tmp_path, {name: data})
    else:
        root = make_project(tmp_path, {name: data})
    assert_errors(run_in(root, "check"), err(where, "invalid UTF-8"))


def test_byte_order_mark_in_a_dotenv_file_is_a_finding(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"app/.env.dev": b"\xef\xbb\xbf" + good_env("dev").encode()})
    result = check_json(root)
    assert result.exit_code == 1
    assert result.stderr == ""
    if DOTENV_KEEPS_BOM:
        # python-dotenv 1.2.2 reads the first key as "\ufeffPORT": PORT itself is missing.
        assert findings(result) == {
            ("DC703", "app/.env.dev", 1, "PORT"),
            ("DC101", "app/.env.dev", None, "PORT"),
        }
    else:
        assert findings(result) == {("DC703", "app/.env.dev", 1, None)}


def test_byte_order_mark_is_never_printed_raw(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"app/.env.dev": b"\xef\xbb\xbf" + good_env("dev").encode()})
    result = run_in(root, "check")
    assert result.exit_code == 1
    assert "DC703" in result.stdout
    assert "\ufeff" not in result.stdout


def test_byte_order_mark_in_a_json_value_file_is_a_finding_and_changes_no_value(
    tmp_path: Path,
) -> None:
    root = json_project(tmp_path, {"app/dev.json": b"\xef\xbb\xbf" + good_json("dev").encode()})
    result = check_json(root)
    assert result.exit_code == 1
    # JSON readers skip the mark, so no key is affected and nothing else is reported.
    assert findings(result) == {("DC703", "app/dev.json", 1, None)}


def test_byte_order_mark_in_a_discovery_file_is_ignored(tmp_path: Path) -> None:
    record = b'\xef\xbb\xbf{"services": {"app": {"port": 8000}}}'
    root = discovery_project(tmp_path, {"discovery/staging.json": record})
    result = run_in(root, "check")
    assert (result.exit_code, result.stderr) == (0, "")


@pytest.mark.parametrize("name", ["driftcheck.toml", "schemas/app.toml"])
def test_byte_order_mark_in_driftchecks_own_toml_files(tmp_path: Path, name: str) -> None:
    root = make_project(tmp_path)
    path = root / name
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert_errors(run_in(root, "check"), err(f"{name}:1", "byte-order mark"))


ENUM_SCHEMA = SCHEMA + '\n[keys.LOG_LEVEL]\ntype = "enum"\nchoices = ["debug", "info"]\n'


def _with_line_ends(text: str, ending: str) -> bytes:
    return text.replace("\n", ending).encode()


@pytest.mark.parametrize("ending", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_crlf_line_ends_give_the_same_values_as_lf(tmp_path: Path, ending: str) -> None:
    # "verbose" is shown in the invalid-value message: a CR left in it would show there,
    # and as a control-character finding.
    files = {
        f"app/.env.{env}": good_env(env) + f'LOG_LEVEL=verbose\nQUOTED="x y"\nexport Z={env}\n'
        for env in ENVIRONMENTS
    }
    files["app/.env.prod"] = files["app/.env.prod"].replace("QUOTED", "QUOTEDD")
    lf = make_project(tmp_path / "lf", dict(files), schema=ENUM_SCHEMA)
    crlf = make_project(
        tmp_path / "crlf",
        {name: _with_line_ends(text, ending) for name, text in files.items()},
        schema=ENUM_SCHEMA,
    )
    expected = check_json(lf)
    result = check_json(crlf)
    assert expected.exit_code == 1
    assert (result.exit_code, result.stdout, result.stderr) == (
        expected.exit_code,
        expected.stdout,
        expected.stderr,
    )
    assert "DC503" not in codes(result)
    messages = [finding["message"] for finding in json.loads(result.stdout)["findings"]]
    assert any('"verbose" is not one of' in message for message in messages)


def test_crlf_in_json_and_toml_files_changes_nothing(tmp_path: Path) -> None:
    lf = json_project(tmp_path / "lf")
    crlf = json_project(tmp_path / "crlf")
    for path in crlf.rglob("*"):
        if path.is_file():
            path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    expected = run_in(lf, "check", env=HASH_KEY)
    result = run_in(crlf, "check", env=HASH_KEY)
    assert expected.exit_code == 0
    assert (result.exit_code, result.stdout, result.stderr) == (
        expected.exit_code,
        expected.stdout,
        expected.stderr,
    )


def test_nul_byte_in_a_value_is_a_finding_and_later_lines_are_read(tmp_path: Path) -> None:
    data = b"API_TOKEN=token-dev-0123\x00456789abcdef\nPORT=8000\nEXTRA=1\n"
    root = make_project(tmp_path, {"app/.env.dev": data})
    result = check_json(root)
    assert result.exit_code == 1
    assert findings(result) == {
        ("DC503", "app/.env.dev", 1, "API_TOKEN"),
        ("DC602", "app/.env.dev", 3, "EXTRA"),
    }


def test_a_file_of_nul_bytes_does_not_crash(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"app/.env.dev": b"\x00" * 64})
    result = check_json(root)
    assert result.exit_code == 1
    assert ("DC101", "app/.env.dev", None, "PORT") in findings(result)


def test_control_characters_in_key_names_are_escaped_in_text_output(tmp_path: Path) -> None:
    data = good_env("dev").encode() + b"A\x00B=1\nC\x1b[31mD=2\n"
    root = make_project(tmp_path, {"app/.env.dev": data})
    result = run_in(root, "check")
    assert result.exit_code == 0
    assert "DC602" in result.stdout
    assert "\x00" not in result.stdout
    assert "\x1b" not in result.stdout


@pytest.mark.parametrize(
    ("name", "data", "where"),
    [
        ("app/dev.json", b'{"PORT": "8000",\n "API_TOKEN": "tok\x00en"}', "app/dev.json:2:19"),
        ("driftcheck.toml", None, None),
    ],
    ids=["json", "toml"],
)
def test_nul_byte_in_json_and_toml_is_a_syntax_error(
    tmp_path: Path, name: str, data: bytes | None, where: str | None
) -> None:
    if data is not None:
        root = json_project(tmp_path, {name: data})
    else:
        root = make_project(tmp_path)
        config = root / "driftcheck.toml"
        config.write_bytes(config.read_bytes() + b'\nnote = "a\x00b"\n')
        where = f"driftcheck.toml:{line_of(config, 'note')}"
    assert where is not None
    assert_errors(run_in(root, "check"), err(where, "invalid"))


# -- size -------------------------------------------------------------------------------------

MEGABYTE = 1 << 20
BIG_SCHEMA = SCHEMA + '\n[keys.BIG]\nrequired = false\nenvironments = ["dev"]\n'


@pytest.mark.parametrize(
    "line",
    [
        f"BIG={'v' * MEGABYTE}",
        f'BIG="{"v" * MEGABYTE} \\n quoted"',
        f"# {'c' * MEGABYTE}",
        f"export BIG={'v' * MEGABYTE} # comment",
    ],
    ids=["unquoted", "double-quoted", "comment", "export-comment"],
)
def test_a_one_megabyte_line_is_read(tmp_path: Path, line: str) -> None:
    text = f"PORT=8000\n{line}\nAPI_TOKEN=token-dev-0123456789abcdef\nEXTRA=1\n"
    root = make_project(tmp_path, {"app/.env.dev": text.encode()}, schema=BIG_SCHEMA)
    result = check_json(root)
    assert result.exit_code == 0
    # The lines after the long one are read: EXTRA is reported, API_TOKEN is not missing.
    assert findings(result) == {("DC602", "app/.env.dev", 4, "EXTRA")}


def test_a_one_megabyte_malformed_line_is_a_finding(tmp_path: Path) -> None:
    text = f"PORT=8000\nBIG {'v' * MEGABYTE}\nAPI_TOKEN=token-dev-0123456789abcdef\n"
    root = make_project(tmp_path, {"app/.env.dev": text.encode()}, schema=BIG_SCHEMA)
    result = check_json(root)
    assert result.exit_code == 1
    assert findings(result) == {("DC702", "app/.env.dev", 2, None)}


def test_a_one_megabyte_json_value(tmp_path: Path) -> None:
    document = json.dumps({"PORT": "8000", "API_TOKEN": "t" * MEGABYTE})
    root = json_project(tmp_path, {"app/dev.json": document})
    result = run_in(root, "check")
    assert (result.exit_code, result.stderr) == (0, "")


def test_a_one_megabyte_port_value_is_an_invalid_port(tmp_path: Path) -> None:
    text = f"PORT={'9' * MEGABYTE}\nAPI_TOKEN=token-dev-0123456789abcdef\n"
    root = make_project(tmp_path, {"app/.env.dev": text.encode()})
    result = check_json(root)
    assert result.exit_code == 1
    assert ("DC405", "app/.env.dev", 1, "PORT") in findings(result)


def test_a_five_thousand_digit_int_value(tmp_path: Path) -> None:
    schema = SCHEMA + '\n[keys.WORKERS]\ntype = "int"\nrequired = false\nmax = 64\n'
    text = good_env("dev") + f"WORKERS={'9' * 5000}\n"
    root = make_project(tmp_path, {"app/.env.dev": text.encode()}, schema=schema)
    result = check_json(root)
    assert result.exit_code == 1
    assert ("DC502", "app/.env.dev", 3, "WORKERS") in findings(result)


def test_a_one_megabyte_key_is_read_quickly(tmp_path: Path) -> None:
    text = good_env("dev") + f"{'K' * MEGABYTE}=1\n"
    root = make_project(tmp_path, {"app/.env.dev": text.encode()})
    result = run_raw(root, "check", timeout=20)
    assert result.exit_code == 0
    assert "DC602" in result.stdout


# -- empty files ------------------------------------------------------------------------------


def test_an_empty_dotenv_file_delivers_no_values(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"app/.env.staging": b""})
    result = check_json(root)
    assert result.exit_code == 1
    assert findings(result) == {
        ("DC101", "app/.env.staging", None, "PORT"),
        ("DC101", "app/.env.staging", None, "API_TOKEN"),
    }


def test_an_empty_json_value_file(tmp_path: Path) -> None:
    root = json_project(tmp_path, {"app/staging.json": b""})
    assert_errors(run_in(root, "check"), err("app/staging.json", "empty"))


def test_an_empty_discovery_file(tmp_path: Path) -> None:
    root = discovery_project(tmp_path, {"discovery/prod.json": b"  \n"})
    assert_errors(run_in(root, "check"), err("discovery/prod.json", "empty"))


def test_an_empty_schema_declares_no_keys(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"schemas/app.toml": b""})
    result = check_json(root)
    assert result.exit_code == 0
    assert codes(result) == {"DC602"}


def test_an_empty_config(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"driftcheck.toml": b""})
    assert_errors(run_in(root, "check"), err("driftcheck.toml", "'environments'"))


# -- files that are not there, or not files ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "project"),
    [
        ("app/.env.staging", make_project),
        ("app/prod.json", json_project),
        ("discovery/dev.json", discovery_project),
        ("schemas/app.toml", make_project),
    ],
)
def test_a_missing_file(tmp_path: Path, name: str, project: MakeProject) -> None:
    root = project(tmp_path, {name: None})
    assert_errors(run_in(root, "check"), err(name, "cannot read", "no such file"))


def test_a_missing_optional_source_is_fine(tmp_path: Path) -> None:
    config = BASIC_CONFIG.replace(
        '"{service}/.env.{env}"',
        '"{service}/.env.{env}", {path = "{service}/.env.local", optional = true}',
    )
    result = run_in(make_project(tmp_path, config=config), "check")
    assert (result.exit_code, result.stderr) == (0, "")


def test_a_dangling_symlink(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"app/.env.prod": None})
    (root / "app/.env.prod").symlink_to("nowhere")
    assert_errors(run_in(root, "check"), err("app/.env.prod", "no such file", "symbolic link"))


@pytest.mark.parametrize(
    ("name", "project"),
    [
        ("app/.env.dev", make_project),
        ("app/dev.json", json_project),
        ("discovery/staging.json", discovery_project),
        ("schemas/app.toml", make_project),
    ],
)
def test_a_directory_where_a_file_is_expected(
    tmp_path: Path, name: str, project: MakeProject
) -> None:
    root = project(tmp_path, {name: None})
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).mkdir()
    assert_errors(run_in(root, "check"), err(name, "is a directory"))


@pytest.mark.parametrize(
    ("name", "project"),
    [
        ("app/.env.dev", make_project),
        ("app/dev.json", json_project),
        ("discovery/staging.json", discovery_project),
        ("schemas/app.toml", make_project),
    ],
)
def test_a_symlink_loop(tmp_path: Path, name: str, project: MakeProject) -> None:
    root = project(tmp_path, {name: None})
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    partner = path.with_name(path.name + ".loop")
    path.symlink_to(partner.name)
    partner.symlink_to(path.name)
    assert_errors(run_in(root, "check"), err(name, "symbolic links"))


def test_a_self_referencing_symlink(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"app/.env.staging": None})
    (root / "app/.env.staging").symlink_to(".env.staging")
    assert_errors(run_in(root, "check"), err("app/.env.staging", "symbolic links"))


def test_a_config_that_is_a_symlink_loop(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"driftcheck.toml": None})
    (root / "driftcheck.toml").symlink_to("driftcheck.toml")
    assert_errors(run_in(root, "check"), err("driftcheck.toml", "symbolic links"))


def test_a_config_that_is_a_directory(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"driftcheck.toml": None})
    (root / "driftcheck.toml").mkdir()
    assert_errors(run_in(root, "check"), err("driftcheck.toml", "is a directory"))


def test_a_dangling_config_symlink_does_not_fall_back_to_a_parent_config(tmp_path: Path) -> None:
    make_project(tmp_path)
    child = tmp_path / "child"
    child.mkdir()
    (child / "driftcheck.toml").symlink_to("nowhere.toml")
    result = run_in(tmp_path, "check", cwd=child)
    # Paths are shown relative to the working directory, here the child directory.
    assert_errors(result, err("driftcheck.toml", "no such file"))


# -- unreadable files -------------------------------------------------------------------------


def _without_file_permission_override() -> tuple[str, ...]:
    """A command prefix under which root obeys file modes, or skip the test."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root, and setpriv is not there to drop CAP_DAC_OVERRIDE")
    prefix = (setpriv, "--bounding-set=-dac_override,-dac_read_search")
    probe = subprocess.run([*prefix, "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("running as root, and this process may not drop CAP_DAC_OVERRIDE")
    return prefix


@pytest.mark.parametrize(
    ("name", "project"),
    [
        ("app/.env.dev", make_project),
        ("app/staging.json", json_project),
        ("discovery/prod.json", discovery_project),
        ("schemas/app.toml", make_project),
        ("driftcheck.toml", make_project),
    ],
)
def test_an_unreadable_file(tmp_path: Path, name: str, project: MakeProject) -> None:
    prefix = _without_file_permission_override()
    root = project(tmp_path)
    (root / name).chmod(0)
    try:
        result = run_raw(root, "check", prefix=prefix)
    finally:
        (root / name).chmod(0o644)
    assert_errors(result, err(name, "cannot read", "permission denied"))


# -- invalid TOML -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ("[services.web\n", "[services.web"),
        ("note = = 1\n", "note"),
        ('note = "never closed\n', "note"),
    ],
)
def test_invalid_toml_in_the_config(tmp_path: Path, extra: str, needle: str) -> None:
    root = make_project(tmp_path, config=BASIC_CONFIG + "\n" + extra)
    line = line_of(root / "driftcheck.toml", needle)
    assert_errors(run_in(root, "check"), err(f"driftcheck.toml:{line}", "invalid TOML"))


def test_invalid_toml_at_the_end_of_the_config(tmp_path: Path) -> None:
    root = make_project(tmp_path, config=BASIC_CONFIG + "\nlist = [1, 2\n")
    # tomllib stops at the end of the document: the line after the last newline.
    line = len((root / "driftcheck.toml").read_text().splitlines()) + 1
    assert_errors(
        run_in(root, "check"), err(f"driftcheck.toml:{line}", "invalid TOML", "end of file")
    )


def test_invalid_toml_in_a_schema(tmp_path: Path) -> None:
    root = make_project(tmp_path, schema=SCHEMA + "\n[keys.LOG_LEVEL]\ntype = str\n")
    line = line_of(root / "schemas/app.toml", "type = str")
    assert_errors(run_in(root, "check"), err(f"schemas/app.toml:{line}", "invalid TOML"))


def test_invalid_toml_in_pyproject(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"pyproject.toml": PYPROJECT + "broken = [\n"}, config=None)
    line = len((root / "pyproject.toml").read_text().splitlines()) + 1
    assert_errors(run_in(root, "check"), err(f"pyproject.toml:{line}", "invalid TOML"))


def test_the_config_in_pyproject_works(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"pyproject.toml": PYPROJECT}, config=None)
    result = run_in(root, "check", cwd=root / "app")
    assert (result.exit_code, result.stderr) == (0, "")
    # Outside the working directory, the config is named by its absolute path.
    assert f"config {(root / 'pyproject.toml').as_posix()}" in result.stdout


def test_pyproject_tool_driftcheck_that_is_not_a_table(tmp_path: Path) -> None:
    pyproject = "[tool]\ndriftcheck = 1  # see [tool.driftcheck] in the docs\n"
    root = make_project(tmp_path, {"pyproject.toml": pyproject}, config=None)
    assert_errors(run_in(root, "check"), err("pyproject.toml:2", "tool.driftcheck"))


# -- unknown keys in driftcheck's own files ---------------------------------------------------


@pytest.mark.parametrize(
    ("config", "needle", "key", "suggestion"),
    [
        ("enviroments = 1\n" + BASIC_CONFIG, "enviroments", "enviroments", "environments"),
        (
            BASIC_CONFIG.replace("[defaults]", "[defaults]\nschemas = 'x'"),
            "schemas",
            "defaults.schemas",
            "schema",
        ),
        (
            BASIC_CONFIG.replace("port = 8000", "port = 8000\nprot = 1"),
            "prot",
            "services.app.prot",
            "port",
        ),
        (
            BASIC_CONFIG.replace("port = 8000", "port = 8000\nfrobnicate = 1"),
            "frobnicate",
            "services.app.frobnicate",
            None,
        ),
        (
            BASIC_CONFIG.replace(
                '"{service}/.env.{env}"', '{path = "{service}/.env.{env}", optinal = true}'
            ),
            "optinal",
            "defaults.sources.optinal",
            "optional",
        ),
    ],
    ids=["top", "defaults", "service", "service-no-suggestion", "source-table"],
)
def test_unknown_key_in_the_config(
    tmp_path: Path, config: str, needle: str, key: str, suggestion: str | None
) -> None:
    root = make_project(tmp_path, config=config)
    line = line_of(root / "driftcheck.toml", needle)
    result = run_in(root, "check")
    assert_errors(result, err(f"driftcheck.toml:{line}", f"unknown key '{key}'"))
    if suggestion is None:
        assert "did you mean" not in result.stderr
    else:
        assert f"did you mean '{suggestion}'?" in result.stderr


@pytest.mark.parametrize(
    ("extra", "key", "suggestion"),
    [
        ("[environments.dev]\ndevelopmnt = true\n", "environments.dev.developmnt", "development"),
        (
            '[shared.token]\nmembers = { app = "API_TOKEN" }\nsecrt = true\n',
            "shared.token.secrt",
            "secret",
        ),
        ('[endpoints.postgres]\nport = 5432\nhots = "db"\n', "endpoints.postgres.hots", None),
        ('[discovery]\nsource = ["d/{env}.json"]\n', "discovery.source", "sources"),
        ('[platform]\npreset = ["process"]\n', "platform.preset", "presets"),
        ('[rules]\nselcet = ["DC1"]\n', "rules.selcet", "select"),
    ],
    ids=["environment", "shared", "endpoint", "discovery", "platform", "rules"],
)
def test_unknown_key_in_config_tables(
    tmp_path: Path, extra: str, key: str, suggestion: str | None
) -> None:
    config = BASIC_CONFIG + "\n" + extra
    if extra.startswith("[environments"):
        config = BASIC_CONFIG.replace('environments = ["dev", "staging", "prod"]', "") + (
            "\n[environments.dev]\ndevelopmnt = true\n[environments.staging]\n[environments.prod]\n"
        )
    root = make_project(tmp_path, config=config)
    line = line_of(root / "driftcheck.toml", key.rsplit(".", 1)[1] + " =")
    result = run_in(root, "check")
    assert_errors(result, err(f"driftcheck.toml:{line}", f"unknown key '{key}'"))
    if suggestion is None:
        assert "did you mean" not in result.stderr
    else:
        assert f"did you mean '{suggestion}'?" in result.stderr


@pytest.mark.parametrize(
    ("schema", "needle", "key", "suggestion"),
    [
        (
            "listen_port_kye = 'PORT'\n" + SCHEMA,
            "listen_port_kye",
            "listen_port_kye",
            "listen_port_key",
        ),
        (SCHEMA + "\nrequird = false\n", "requird", "keys.API_TOKEN.requird", "required"),
        (SCHEMA + "\nmin_lenght = 32\n", "min_lenght", "keys.API_TOKEN.min_lenght", "min_length"),
        (SCHEMA + "\nfrobnicate = 1\n", "frobnicate", "keys.API_TOKEN.frobnicate", None),
    ],
    ids=["top", "key", "key-2", "key-no-suggestion"],
)
def test_unknown_key_in_a_schema(
    tmp_path: Path, schema: str, needle: str, key: str, suggestion: str | None
) -> None:
    root = make_project(tmp_path, schema=schema)
    line = line_of(root / "schemas/app.toml", needle)
    result = run_in(root, "check")
    assert_errors(result, err(f"schemas/app.toml:{line}", f"unknown key '{key}'"))
    if suggestion is None:
        assert "did you mean" not in result.stderr
    else:
        assert f"did you mean '{suggestion}'?" in result.stderr


MISSPELLED_TABLES = [
    pytest.param("driftcheck.toml", "[rule.severity]\nDC101 = 'warning'\n", "rule", id="config"),
    pytest.param("driftcheck.toml", "[endpoint.pg]\nport = 5432\n", "endpoint", id="config-2"),
    pytest.param("schemas/app.toml", "[key.X]\ntype = 'str'\n", "key", id="schema"),
]


def _with_misspelled_table(root: Path, name: str, extra: str) -> Path:
    if name == "driftcheck.toml":
        return make_project(root, config=BASIC_CONFIG + "\n" + extra)
    return make_project(root, schema=SCHEMA + "\n" + extra)


@pytest.mark.parametrize(("name", "extra", "table"), MISSPELLED_TABLES)
def test_a_misspelled_table_name(tmp_path: Path, name: str, extra: str, table: str) -> None:
    root = _with_misspelled_table(tmp_path, name, extra)
    result = run_in(root, "check")
    assert_errors(result, err(name, f"unknown key '{table}'", f"did you mean '{table}s'?"))


@pytest.mark.parametrize(("name", "extra", "table"), MISSPELLED_TABLES)
def test_a_misspelled_table_name_names_its_line(
    tmp_path: Path, name: str, extra: str, table: str
) -> None:
    root = _with_misspelled_table(tmp_path, name, extra)
    line = line_of(root / name, f"[{table}.")
    assert_errors(run_in(root, "check"), err(f"{name}:{line}", f"unknown key '{table}'"))


@pytest.mark.parametrize(
    ("old", "new", "key", "suggestion"),
    [
        (
            "[tool.driftcheck]\n",
            "[tool.driftcheck]\nenviroments = 1\n",
            "tool.driftcheck.enviroments",
            "environments",
        ),
        ("port = 8000\n", "port = 8000\nprot = 1\n", "tool.driftcheck.services.app.prot", "port"),
    ],
    ids=["top", "service"],
)
def test_unknown_key_in_pyproject(
    tmp_path: Path, old: str, new: str, key: str, suggestion: str
) -> None:
    root = make_project(tmp_path, {"pyproject.toml": PYPROJECT.replace(old, new)}, config=None)
    line = line_of(root / "pyproject.toml", key.rsplit(".", 1)[1] + " = 1")
    result = run_in(root, "check")
    assert_errors(
        result,
        err(f"pyproject.toml:{line}", f"unknown key '{key}'", f"did you mean '{suggestion}'?"),
    )


@pytest.mark.parametrize(
    ("config", "typo"),
    [
        (BASIC_CONFIG.replace("environments =", "enviroments ="), "enviroments"),
        (
            'environments = ["dev"]\n[services.app]\nsourcs = ["{service}/.env.{env}"]\n',
            "sourcs",
        ),
    ],
    ids=["environments", "service-sources"],
)
def test_a_misspelled_required_key_is_named(tmp_path: Path, config: str, typo: str) -> None:
    root = make_project(tmp_path, config=config)
    line = line_of(root / "driftcheck.toml", typo)
    result = run_in(root, "check")
    assert_errors(result, err(f"driftcheck.toml:{line}", typo))


# -- values of the wrong kind in driftcheck's own files ---------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "needle", "fragment"),
    [
        ("port = 8000", 'port = "8000"', "port =", "must be an integer"),
        ("port = 8000", "port = 70000", "port =", "1..65535"),
        ("port = 8000", "port = { qa = 1 }", "port =", "'qa'"),
        ('sources = ["{service}/.env.{env}"]', "sources = 5", "sources", "array of sources"),
        ('sources = ["{service}/.env.{env}"]', 'sources = ["{svc}/.env"]', "sources", "{svc}"),
        (
            '"{service}/.env.{env}"',
            '{format = "yaml", path = "x"}',
            "sources",
            "source format 'yaml'",
        ),
        ("[services.app]", "[services.app]\nschema = 1", "schema = 1", "must be a string"),
    ],
)
def test_a_config_value_of_the_wrong_kind(
    tmp_path: Path, old: str, new: str, needle: str, fragment: str
) -> None:
    root = make_project(tmp_path, config=BASIC_CONFIG.replace(old, new))
    line = line_of(root / "driftcheck.toml", needle)
    assert_errors(run_in(root, "check"), err(f"driftcheck.toml:{line}", fragment))


@pytest.mark.parametrize(
    ("extra", "needle", "fragment"),
    [
        ('[keys.X]\ntype = "strr"\n', "strr", "'strr'"),
        ('[keys.X]\nrequired = ["qa"]\n', "qa", "'qa'"),
        ('[keys.X]\npattern = "("\n', "pattern", "regular expression"),
        ('[keys.X]\ntype = "enum"\n', 'type = "enum"', "choices"),
        ('[keys.X]\nmin = "a"\n', "min =", "must be a number"),
        ('[keys.X]\ndeprecated_names = ["PORT"]\n', "deprecated_names", "'PORT'"),
    ],
)
def test_a_schema_value_of_the_wrong_kind(
    tmp_path: Path, extra: str, needle: str, fragment: str
) -> None:
    root = make_project(tmp_path, schema=SCHEMA + "\n" + extra)
    line = line_of(root / "schemas/app.toml", needle)
    assert_errors(run_in(root, "check"), err(f"schemas/app.toml:{line}", fragment))


# -- invalid JSON -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "where"),
    [
        ('{\n  "PORT": "8000",\n  "API_TOKEN": "x"\n  "EXTRA": 1\n}\n', "4:3"),
        ('{\n  "PORT": "8000",\n}\n', "3:1"),
        ('{"PORT": 8000', "1:14"),
        ("{'PORT': '8000'}", "1:2"),
    ],
    ids=["missing-comma", "trailing-comma", "unclosed", "single-quotes"],
)
def test_invalid_json_in_a_value_file(tmp_path: Path, document: str, where: str) -> None:
    root = json_project(tmp_path, {"app/dev.json": document.encode()})
    assert_errors(run_in(root, "check"), err(f"app/dev.json:{where}", "invalid JSON"))


def test_invalid_json_in_a_discovery_file(tmp_path: Path) -> None:
    document = b'{"services": {\n  "app": {"port": 8000,}\n}}\n'
    root = discovery_project(tmp_path, {"discovery/staging.json": document})
    assert_errors(run_in(root, "check"), err("discovery/staging.json:2:24", "invalid JSON"))


@pytest.mark.parametrize(
    ("document", "where", "fragment"),
    [
        ("[1, 2]", "app/dev.json:1", "top level is an array"),
        ('{"PORT": {"nested": 1}}', "app/dev.json:1", '"PORT"'),
        ("[" * 100_000 + "]" * 100_000, "app/dev.json", "nested too deeply"),
    ],
    ids=["array", "nested-value", "deep"],
)
def test_json_value_file_of_the_wrong_shape(
    tmp_path: Path, document: str, where: str, fragment: str
) -> None:
    root = json_project(tmp_path, {"app/dev.json": document.encode()})
    assert_errors(run_in(root, "check"), err(where, fragment))


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ('"just a string"', "top level is a string"),
        ('{"app": {"port": {}}}', '"port" of service "app"'),
        ('[{"port": 8000}]', 'no "service"'),
    ],
)
def test_discovery_file_of_the_wrong_shape(tmp_path: Path, document: str, fragment: str) -> None:
    root = discovery_project(tmp_path, {"discovery/dev.json": document.encode()})
    assert_errors(run_in(root, "check"), err("discovery/dev.json:1", fragment))


# -- rule codes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "where", "rule"),
    [
        (("--select", "DC999"), "--select", "DC999"),
        (("--select", "not-a-rule"), "--select", "not-a-rule"),
        (("--ignore", "DC1,XX9"), "--ignore", "XX9"),
        (("--select", "DC"), "--select", "DC"),
    ],
)
def test_an_unknown_rule_on_the_command_line(
    tmp_path: Path, args: tuple[str, ...], where: str, rule: str
) -> None:
    result = run_in(make_project(tmp_path), "check", *args)
    assert_errors(result, err(where, f"unknown rule '{rule}'"))


def test_rule_command_with_an_unknown_rule(tmp_path: Path) -> None:
    result = run_in(make_project(tmp_path), "rule", "DC999")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "driftcheck: error: unknown rule 'DC999' (run 'driftcheck rule' for the list)\n"
    )


RULES_TABLES = [
    pytest.param('[rules]\nselect = ["DC998"]\n', "DC998", "select", id="select"),
    pytest.param('[rules]\nignore = ["DC1", "nope"]\n', "nope", "ignore", id="ignore"),
    pytest.param('[rules.severity]\nDC997 = "warning"\n', "DC997", "DC997", id="severity"),
]


@pytest.mark.parametrize(("extra", "rule", "needle"), RULES_TABLES)
def test_an_unknown_rule_in_the_config_is_an_error_naming_the_file(
    tmp_path: Path, extra: str, rule: str, needle: str
) -> None:
    root = make_project(tmp_path, config=BASIC_CONFIG + "\n" + extra)
    result = run_in(root, "check")
    assert_errors(result, err("driftcheck.toml", f"unknown rule '{rule}'"))


@pytest.mark.parametrize(("extra", "rule", "needle"), RULES_TABLES)
def test_an_unknown_rule_in_the_config_names_its_line(
    tmp_path: Path, extra: str, rule: str, needle: str
) -> None:
    root = make_project(tmp_path, config=BASIC_CONFIG + "\n" + extra)
    line = line_of(root / "driftcheck.toml", needle)
    assert_errors(run_in(root, "check"), err(f"driftcheck.toml:{line}", f"unknown rule '{rule}'"))


def test_a_rule_severity_that_is_not_a_severity(tmp_path: Path) -> None:
    root = make_project(tmp_path, config=BASIC_CONFIG + '\n[rules.severity]\nDC101 = "fatal"\n')
    line = line_of(root / "driftcheck.toml", "fatal")
    assert_errors(run_in(root, "check"), err(f"driftcheck.toml:{line}", "'DC101'"))


def test_matrix_rejects_the_same_bad_config_as_check(tmp_path: Path) -> None:
    root = make_project(tmp_path, config=BASIC_CONFIG + '\n[rules]\nselect = ["DC998"]\n')
    assert run_in(root, "check").exit_code == 2
    assert_errors(run_in(root, "matrix"), err("driftcheck.toml", "unknown rule 'DC998'"))


# -- duplicates and references ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        pytest.param("[services.app]\nport = 9000\n", "[services.app]", id="table-twice"),
        pytest.param("[services]\napp = { port = 9000 }\n", "app = {", id="inline-table"),
    ],
)
def test_duplicate_service_names(tmp_path: Path, extra: str, needle: str) -> None:
    root = make_project(tmp_path, config=BASIC_CONFIG + "\n" + extra)
    line = line_of(root / "driftcheck.toml", needle, last=True)
    assert_errors(run_in(root, "check"), err(f"driftcheck.toml:{line}", "invalid TOML"))


def test_duplicate_service_names_say_which(tmp_path: Path) -> None:
    root = make_project(tmp_path, config=BASIC_CONFIG + "\n[services.app]\nport = 9000\n")
    result = run_in(root, "check")
    assert "'app'" in result.stderr
    assert "twice" in result.stderr


def test_duplicate_environment_names(tmp_path: Path) -> None:
    config = BASIC_CONFIG.replace('"staging", "prod"', '"staging", "dev"')
    root = make_project(tmp_path, config=config)
    assert_errors(run_in(root, "check"), err("driftcheck.toml:1", "'dev'", "twice"))


def test_an_endpoint_with_the_name_of_a_service(tmp_path: Path) -> None:
    root = make_project(tmp_path, config=BASIC_CONFIG + "\n[endpoints.app]\nport = 5432\n")
    line = line_of(root / "driftcheck.toml", "[endpoints.app]")
    assert_errors(run_in(root, "check"), err(f"driftcheck.toml:{line}", "'app'"))


def test_a_shared_setting_naming_a_service_that_does_not_exist(tmp_path: Path) -> None:
    extra = '[shared.token]\nmembers = { app = "API_TOKEN", ghost = "TOKEN" }\n'
    root = make_project(tmp_path, config=BASIC_CONFIG + "\n" + extra)
    line = line_of(root / "driftcheck.toml", "members")
    assert_errors(run_in(root, "check"), err(f"driftcheck.toml:{line}", "'token'", "'ghost'"))


def test_a_shared_setting_naming_a_key_that_does_not_exist(tmp_path: Path) -> None:
    extra = '[shared.token]\nmembers = { app = "API_TOKN" }\n'
    root = make_project(tmp_path, config=BASIC_CONFIG + "\n" + extra)
    line = line_of(root / "driftcheck.toml", "[shared.token]")
    assert_errors(
        run_in(root, "check"),
        err(f"driftcheck.toml:{line}", "'API_TOKN'", "schemas/app.toml"),
    )


def test_a_shared_setting_without_members(tmp_path: Path) -> None:
    root = make_project(tmp_path, config=BASIC_CONFIG + "\n[shared.token]\nsecret = true\n")
    line = line_of(root / "driftcheck.toml", "[shared.token]")
    assert_errors(run_in(root, "check"), err(f"driftcheck.toml:{line}", "'members'"))


def test_targets_naming_nothing(tmp_path: Path) -> None:
    schema = SCHEMA + '\n[keys.DB_URL]\ntype = "url"\ntargets = "postgress"\nrequired = false\n'
    root = make_project(tmp_path, schema=schema)
    line = line_of(root / "schemas/app.toml", "[keys.DB_URL]")
    assert_errors(run_in(root, "check"), err(f"schemas/app.toml:{line}", "'DB_URL'", "'postgress'"))


def test_listen_port_key_naming_nothing(tmp_path: Path) -> None:
    root = make_project(tmp_path, schema=SCHEMA.replace('= "PORT"', '= "PROT"'))
    assert_errors(run_in(root, "check"), err("schemas/app.toml:1", "'PROT'"))


# -- services and environments ----------------------------------------------------------------


def test_a_config_with_no_services(tmp_path: Path) -> None:
    config = BASIC_CONFIG.split("[services.app]")[0]
    assert_errors(
        run_in(make_project(tmp_path, config=config), "check"),
        err("driftcheck.toml", "no services"),
    )


def test_a_config_with_no_environments(tmp_path: Path) -> None:
    config = BASIC_CONFIG.replace('environments = ["dev", "staging", "prod"]', "")
    assert_errors(
        run_in(make_project(tmp_path, config=config), "check"),
        err("driftcheck.toml", "'environments'"),
    )


def test_a_config_with_an_empty_environment_list(tmp_path: Path) -> None:
    config = BASIC_CONFIG.replace('["dev", "staging", "prod"]', "[]")
    assert_errors(
        run_in(make_project(tmp_path, config=config), "check"),
        err("driftcheck.toml:1", "'environments' is empty"),
    )


def test_a_service_without_sources(tmp_path: Path) -> None:
    config = 'environments = ["dev"]\n\n[services.app]\nport = 8000\n'
    root = make_project(tmp_path, config=config)
    assert_errors(run_in(root, "check"), err("driftcheck.toml:3", "no sources"))


# -- options ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("check", "--fail-on", "bogus"), "--fail-on"),
        (("check", "--format", "bogus"), "--format"),
        (("check", "--output", "app"), "--output"),
    ],
)
def test_a_bad_option_value(tmp_path: Path, args: tuple[str, ...], option: str) -> None:
    assert_usage_error(run_in(make_project(tmp_path), *args), option)


def test_an_unknown_option(tmp_path: Path) -> None:
    result = run_in(make_project(tmp_path), "check", "--bogus")
    assert (result.exit_code, result.stdout) == (2, "")
    assert "No such option" in result.stderr
    assert "--bogus" in result.stderr


@pytest.mark.parametrize("command", ["check", "matrix"])
@pytest.mark.parametrize(
    ("option", "value", "fragment"),
    [
        ("--env", "qa", "unknown environment 'qa'"),
        ("--service", "ghost", "unknown service 'ghost'"),
    ],
)
def test_an_unknown_environment_or_service(
    tmp_path: Path, command: str, option: str, value: str, fragment: str
) -> None:
    result = run_in(make_project(tmp_path), command, option, value)
    assert_errors(result, err(option, fragment))


def test_output_into_a_directory_that_does_not_exist(tmp_path: Path) -> None:
    result = run_in(make_project(tmp_path), "check", "--output", "nowhere/report.txt")
    assert_errors(result, err("nowhere/report.txt", "cannot write"))


def test_a_path_that_does_not_exist(tmp_path: Path) -> None:
    result = run_in(make_project(tmp_path), "check", "missing-dir")
    assert_errors(result, err("missing-dir", "no such file or directory"))


# -- no config --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "files",
    [{}, {"pyproject.toml": '[project]\nname = "example"\n'}],
    ids=["nothing", "pyproject-without-tool-driftcheck"],
)
@pytest.mark.parametrize("command", ["check", "matrix"])
def test_no_config_anywhere(tmp_path: Path, files: dict[str, str], command: str) -> None:
    root = make_project(tmp_path, files, config=None)
    result = run_in(root, command)
    assert_errors(result, err(".", "no driftcheck.toml", "driftcheck init"))


# -- several problems at once -----------------------------------------------------------------


def test_several_config_and_schema_problems_are_reported_together(tmp_path: Path) -> None:
    config = BASIC_CONFIG + (
        '\n[services.web]\nport = 3000\n\n[shared.token]\nmembers = { app = "API_TOKN" }\n'
    )
    schema = SCHEMA + '\n[keys.DB_URL]\ntype = "url"\ntargets = "postgress"\nrequired = false\n'
    root = make_project(tmp_path, config=config, schema=schema)
    assert_errors(
        run_in(root, "check"),
        err("schemas/web.toml", "cannot read"),
        err(f"driftcheck.toml:{line_of(root / 'driftcheck.toml', '[shared.token]')}", "'API_TOKN'"),
        err(
            f"schemas/app.toml:{line_of(root / 'schemas/app.toml', '[keys.DB_URL]')}", "'postgress'"
        ),
    )


def test_several_source_problems_are_reported_together(tmp_path: Path) -> None:
    files: dict[str, str | bytes | None] = {
        "app/.env.dev": b"PORT=8000\nAPI_TOKEN=\xff\n",
        "app/.env.staging": None,
        "discovery/prod.json": b'{"services": {"app": {"port": 8000,}}}',
    }
    root = discovery_project(tmp_path, files)
    (root / "app/.env.prod").unlink()
    (root / "app/.env.prod").mkdir()
    assert_errors(
        run_in(root, "check"),
        err("app/.env.dev:2", "invalid UTF-8"),
        err("app/.env.staging", "no such file"),
        err("app/.env.prod", "is a directory"),
        err("discovery/prod.json:1:36", "invalid JSON"),
    )


def test_unknown_keys_in_two_schemas_are_reported_together(tmp_path: Path) -> None:
    config = BASIC_CONFIG + "\n[services.web]\nport = 3000\n"
    files = {
        "schemas/web.toml": "[keys.PORT]\ntpye = 'port'\n",
        **{f"web/.env.{env}": "PORT=3000\n" for env in ENVIRONMENTS},
    }
    root = make_project(tmp_path, files, config=config, schema=SCHEMA + "\nrequird = true\n")
    assert_errors(
        run_in(root, "check"),
        err(
            f"schemas/app.toml:{line_of(root / 'schemas/app.toml', 'requird')}",
            "'keys.API_TOKEN.requird'",
        ),
        err("schemas/web.toml:2", "'keys.PORT.tpye'", "did you mean 'type'?"),
    )


def test_two_problems_in_the_config_are_reported_together(tmp_path: Path) -> None:
    config = BASIC_CONFIG.replace("[defaults]", "[defaults]\nschemas = 'x'").replace(
        "port = 8000", "port = 8000\nprot = 1"
    )
    root = make_project(tmp_path, config=config)
    assert_errors(
        run_in(root, "check"),
        err(f"driftcheck.toml:{line_of(root / 'driftcheck.toml', 'schemas')}", "defaults.schemas"),
        err(f"driftcheck.toml:{line_of(root / 'driftcheck.toml', 'prot')}", "services.app.prot"),
    )


# -- deployment manifests ---------------------------------------------------------------------

COMPOSE_CONFIG = """
environments = ["dev", "staging", "prod"]

[defaults]
sources = [{ path = "deploy/compose.yaml", format = "compose", project_env = "deploy/{env}.env" }]

[services.app]
port = 8000
"""
GOOD_COMPOSE = """
services:
  app:
    image: app
    env_file: app.env
    environment:
      PORT: 8000
      API_TOKEN: ${API_TOKEN}
    ports: ["8080:8000"]
"""
KUBERNETES_CONFIG = COMPOSE_CONFIG.replace(
    '{ path = "deploy/compose.yaml", format = "compose", project_env = "deploy/{env}.env" }',
    '"k8s/{env}.yaml"',
)


def compose_project(root: Path, files: Mapping[str, str | bytes | None] | None = None) -> Path:
    """``app`` in every environment from one compose file, its token from each
    environment's project env file (``docker compose --env-file deploy/ENV.env``)."""
    values: dict[str, str | bytes | None] = {
        "deploy/compose.yaml": GOOD_COMPOSE,
        **{
            f"deploy/{env}.env": f"API_TOKEN=token-{env}-0123456789abcdef\n" for env in ENVIRONMENTS
        },
        "deploy/app.env": "LOG=1\n",
        **{f"app/.env.{env}": None for env in ENVIRONMENTS},
    }
    values.update(files or {})
    schema = SCHEMA + "\n[keys.LOG]\nrequired = false\n"
    return make_project(root, values, config=COMPOSE_CONFIG, schema=schema)


def kubernetes_project(root: Path, files: Mapping[str, str | bytes | None] | None = None) -> Path:
    """``app`` from one Deployment per environment, its token from a Secret."""
    values: dict[str, str | bytes | None] = {
        f"k8s/{env}.yaml": (
            "apiVersion: v1\nkind: Secret\nmetadata: {name: app}\n"
            f"stringData: {{token: token-{env}-0123456789abcdef}}\n---\n"
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: app}\n---\n"
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\nspec:\n"
            "  template:\n    spec:\n      containers:\n        - name: app\n          env:\n"
            '            - {name: PORT, value: "8000"}\n'
            "            - name: API_TOKEN\n"
            "              valueFrom: {secretKeyRef: {name: app, key: token}}\n"
        )
        for env in ENVIRONMENTS
    }
    values.update({f"app/.env.{env}": None for env in ENVIRONMENTS})
    values.update(files or {})
    return make_project(root, values, config=KUBERNETES_CONFIG)


@pytest.mark.parametrize("build", [compose_project, kubernetes_project], ids=["compose", "k8s"])
def test_the_manifest_baselines_are_clean(tmp_path: Path, build: MakeProject) -> None:
    result = check_json(build(tmp_path))
    assert (result.exit_code, codes(result)) == (0, set()), result


@pytest.mark.parametrize(
    ("build", "name", "text", "where", "what"),
    [
        pytest.param(
            compose_project,
            "deploy/compose.yaml",
            "services:\n  app:\n    environment: [\n",
            "deploy/compose.yaml:4:1",
            "invalid YAML: ",
            id="compose",
        ),
        pytest.param(
            kubernetes_project,
            "k8s/staging.yaml",
            "apiVersion: v1\nkind: ConfigMap\ndata:\n  A: 'unterminated\n",
            "k8s/staging.yaml:5:1",
            "invalid YAML: ",
            id="kubernetes",
        ),
    ],
)
def test_invalid_yaml_in_a_manifest(
    tmp_path: Path, build: MakeProject, name: str, text: str, where: str, what: str
) -> None:
    assert_errors(run_in(build(tmp_path, {name: text}), "check"), err(where, what))


def test_a_required_compose_variable_that_is_unset(tmp_path: Path) -> None:
    compose = GOOD_COMPOSE.replace("${API_TOKEN}", "${API_TOKEN:?the CANARY-msg must be set}")
    root = compose_project(tmp_path, {"deploy/compose.yaml": compose, "deploy/dev.env": "X=1\n"})
    result = run_in(root, "check")
    line = line_of(root / "deploy/compose.yaml", "API_TOKEN:")
    assert_errors(result, err(f"deploy/compose.yaml:{line}", "required variable API_TOKEN"))
    assert "CANARY" not in result.stderr


def test_an_invalid_compose_interpolation(tmp_path: Path) -> None:
    compose = GOOD_COMPOSE.replace("${API_TOKEN}", "'costs $5'")
    result = run_in(compose_project(tmp_path, {"deploy/compose.yaml": compose}), "check")
    assert_errors(result, err("deploy/compose.yaml:7", "invalid interpolation"))


def test_a_compose_interpolation_cycle_terminates(tmp_path: Path) -> None:
    # .env values that name each other are read top-down, once: no loop, as in compose.
    dotenv = "API_TOKEN=${OTHER}token-0123456789abcdef\nOTHER=${API_TOKEN}\n"
    result = check_json(compose_project(tmp_path, {"deploy/staging.env": dotenv}))
    assert (result.exit_code, codes(result)) == (0, set()), result


def test_a_missing_env_file(tmp_path: Path) -> None:
    result = run_in(compose_project(tmp_path, {"deploy/app.env": None}), "check")
    assert_errors(result, err("deploy/compose.yaml:4", "env_file deploy/app.env", "does not exist"))


def test_an_optional_env_file_may_be_missing(tmp_path: Path) -> None:
    compose = GOOD_COMPOSE.replace(
        "env_file: app.env", "env_file:\n      - path: app.env\n        required: false"
    )
    root = compose_project(tmp_path, {"deploy/compose.yaml": compose, "deploy/app.env": None})
    assert check_json(root).exit_code == 0


def test_a_compose_service_that_is_not_there(tmp_path: Path) -> None:
    config = COMPOSE_CONFIG.replace('format = "compose"', 'format = "compose", service = "api"')
    root = compose_project(tmp_path)
    (root / "driftcheck.toml").write_text(config)
    result = run_in(root, "check")
    assert_errors(result, err("deploy/compose.yaml", "no service 'api'", "they define: app"))


def test_base64_that_does_not_decode(tmp_path: Path) -> None:
    text = "apiVersion: v1\nkind: Secret\nmetadata: {name: app}\ndata:\n  token: 'not*base64'\n"
    result = run_in(kubernetes_project(tmp_path, {"k8s/prod.yaml": text}), "check")
    assert_errors(
        result, err("k8s/prod.yaml:5", "data key token of Secret app is not valid base64")
    )


def test_an_unknown_kind(tmp_path: Path) -> None:
    text = "apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: app}\n"
    result = run_in(kubernetes_project(tmp_path, {"k8s/dev.yaml": text}), "check")
    assert_errors(result, err("k8s/dev.yaml:2", "unknown kind 'Deploymnet'"))


def test_an_alias_bomb(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    bomb = "\n".join(lines) + "\nservices: {app: {image: x}}\n"
    result = run_in(compose_project(tmp_path, {"deploy/compose.yaml": bomb}), "check")
    assert_errors(result, err("deploy/compose.yaml:1", "alias bomb"))


def test_manifest_errors_of_several_environments_are_reported_together(tmp_path: Path) -> None:
    root = kubernetes_project(
        tmp_path,
        {"k8s/dev.yaml": "kind: Pod\n", "k8s/prod.yaml": "apiVersion: v1\nkind: Secrett\n"},
    )
    result = run_in(root, "check")
    assert_errors(
        result,
        err("k8s/dev.yaml:1", "no 'apiVersion'"),
        err("k8s/prod.yaml:2", "unknown kind 'Secrett'"),
    )
