"""Saved ``env`` / ``printenv`` / ``env -0`` output."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from driftcheck.errors import DriftcheckError
from driftcheck.sources.envdump import parse_env_dump, read_env_dump
from driftcheck.values import Origin, ParsedSource, SourceIssue

SHOWN = "dumps/production.env"
CANARY = "canary-Qw93-do-not-print"

needs_env = pytest.mark.skipif(shutil.which("env") is None, reason="no env command")


def write(tmp_path: Path, content: str | bytes, name: str = "dump.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def read(tmp_path: Path, content: str | bytes) -> ParsedSource:
    return read_env_dump(write(tmp_path, content), SHOWN)


def triples(parsed: ParsedSource) -> list[tuple[str, str | None, int | None]]:
    return [(entry.key, entry.value, entry.origin.line) for entry in parsed.entries]


def read_error(tmp_path: Path, content: str | bytes) -> DriftcheckError:
    with pytest.raises(DriftcheckError) as caught:
        read(tmp_path, content)
    return caught.value


def unparsable(line: int) -> SourceIssue:
    return SourceIssue(
        kind="unparsable-line",
        origin=Origin(SHOWN, line),
        detail="line is not NAME=value and follows no variable it could continue",
    )


# --- newline-separated output ---------------------------------------------------------


def test_values_are_everything_after_the_first_equals_verbatim(tmp_path: Path) -> None:
    parsed = read(
        tmp_path,
        "PATH=/usr/local/bin:/usr/bin\n"
        "EMPTY=\n"
        "EQUALS=a=b==\n"
        "PADDED=  spaces kept  \t\n"
        'QUOTED="not stripped"\n'
        "SINGLE='neither'\n"
        "HASH=value # not a comment\n"
        "DOLLAR=${HOME}\n",
    )
    assert parsed.issues == []
    assert triples(parsed) == [
        ("PATH", "/usr/local/bin:/usr/bin", 1),
        ("EMPTY", "", 2),
        ("EQUALS", "a=b==", 3),
        ("PADDED", "  spaces kept  \t", 4),
        ("QUOTED", '"not stripped"', 5),
        ("SINGLE", "'neither'", 6),
        ("HASH", "value # not a comment", 7),
        ("DOLLAR", "${HOME}", 8),
    ]
    assert all(entry.origin.path == SHOWN and not entry.ambient for entry in parsed.entries)


def test_last_line_without_newline(tmp_path: Path) -> None:
    assert triples(read(tmp_path, "A=1\nB=2")) == [("A", "1", 1), ("B", "2", 2)]


def test_lines_that_are_not_a_name_continue_the_previous_value(tmp_path: Path) -> None:
    parsed = read(
        tmp_path,
        "A=1\n"
        "CERT=-----BEGIN CERTIFICATE-----\n"
        "MIIBszCCAVmgAwIBAgIU+/abc\n"
        "-----END CERTIFICATE-----\n"
        "B=2\n",
    )
    assert triples(parsed) == [
        ("A", "1", 1),
        (
            "CERT",
            "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU+/abc\n-----END CERTIFICATE-----",
            2,
        ),
        ("B", "2", 5),
    ]


def test_empty_lines_belong_to_the_value_before_them(tmp_path: Path) -> None:
    # env prints a value ending in "\n" as "A=x\n\n".
    assert triples(read(tmp_path, "A=x\n\nB=1\n\n\n")) == [("A", "x\n", 1), ("B", "1\n\n", 3)]


def test_continuation_lines_that_look_like_names_need_the_equals(tmp_path: Path) -> None:
    parsed = read(tmp_path, "MOTD=hello\nworld and more\n 2=two\n=x\nNEXT=1\n")
    assert triples(parsed) == [("MOTD", "hello\nworld and more\n 2=two\n=x", 1), ("NEXT", "1", 5)]


def test_names_container_platforms_allow(tmp_path: Path) -> None:
    parsed = read(tmp_path, "spring.profiles.active=prod\nmy-var=1\n_private=2\nlower=3\n")
    assert triples(parsed) == [
        ("spring.profiles.active", "prod", 1),
        ("my-var", "1", 2),
        ("_private", "2", 3),
        ("lower", "3", 4),
    ]


def test_exported_bash_functions_are_variables_with_multi_line_values(tmp_path: Path) -> None:
    parsed = read(tmp_path, "BASH_FUNC_greet%%=() {  echo hi\n}\nX=1\n")
    assert triples(parsed) == [("BASH_FUNC_greet%%", "() {  echo hi\n}", 1), ("X", "1", 3)]


def test_carriage_returns_are_part_of_the_value(tmp_path: Path) -> None:
    parsed = read(tmp_path, "A=1\r\nB=two words\r\nC=\r\n")
    assert triples(parsed) == [("A", "1\r", 1), ("B", "two words\r", 2), ("C", "\r", 3)]


def test_duplicate_names_are_all_kept_in_order(tmp_path: Path) -> None:
    parsed = read(tmp_path, "A=1\nB=2\nA=3\n")
    assert triples(parsed) == [("A", "1", 1), ("B", "2", 2), ("A", "3", 3)]


def test_empty_file_has_no_entries_and_no_issues(tmp_path: Path) -> None:
    parsed = read(tmp_path, "")
    assert (parsed.entries, parsed.issues) == ([], [])


def test_very_long_line(tmp_path: Path) -> None:
    value = "v" * 3_000_000
    assert triples(read(tmp_path, f"A=1\nLONG={value}\nB=2\n")) == [
        ("A", "1", 1),
        ("LONG", value, 2),
        ("B", "2", 3),
    ]


def test_lines_before_the_first_variable_are_issues_that_do_not_quote_them(
    tmp_path: Path,
) -> None:
    parsed = read(tmp_path, f"password: {CANARY}\n\n  {CANARY}\nA=1\n")
    assert triples(parsed) == [("A", "1", 4)]
    # The empty line 2 is no variable, but says nothing worth a finding either.
    assert parsed.issues == [unparsable(1), unparsable(3)]
    assert CANARY not in repr(parsed)


def test_a_file_of_prose_is_all_issues(tmp_path: Path) -> None:
    parsed = read(tmp_path, "not an env dump\nat all\n")
    assert parsed.entries == []
    assert parsed.issues == [unparsable(1), unparsable(2)]


def test_byte_order_mark_is_dropped_and_reported(tmp_path: Path) -> None:
    parsed = read(tmp_path, "\ufeffA=1\nB=2\n")
    assert triples(parsed) == [("A", "1", 1), ("B", "2", 2)]
    assert parsed.issues == [
        SourceIssue(
            kind="byte-order-mark",
            origin=Origin(SHOWN, 1),
            detail="file starts with a UTF-8 byte-order mark; env never writes one; it was ignored",
        )
    ]


def test_reprs_never_show_values(tmp_path: Path) -> None:
    parsed = read(tmp_path, f"SECRET={CANARY}\nMORE=\n{CANARY}\n")
    assert triples(parsed)[0] == ("SECRET", CANARY, 1)
    assert CANARY not in repr(parsed)
    assert CANARY not in str(parsed.entries[0])


@needs_env
def test_real_env_output_round_trips(tmp_path: Path) -> None:
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PLAIN": "x",
        "MULTI": "line one\n  line two\nline three",
        "TRAILING": "ends with newline\n",
        "SPACES": "  both  ",
        "EQUALS": "k=v",
    }
    output = subprocess.run(["env"], env=environment, capture_output=True, check=True).stdout
    parsed = read(tmp_path, output)
    assert parsed.issues == []
    assert {entry.key: entry.value for entry in parsed.entries} == environment


# --- env -0 output --------------------------------------------------------------------


def test_nul_separated_output_splits_on_nul_only(tmp_path: Path) -> None:
    parsed = read(tmp_path, "A=1\0MULTI=line one\nB=not a name\0EMPTY=\0C=x=y\0")
    assert parsed.issues == []
    assert triples(parsed) == [
        ("A", "1", 1),
        ("MULTI", "line one\nB=not a name", 1),
        ("EMPTY", "", 2),
        ("C", "x=y", 2),
    ]


def test_nul_separated_output_with_a_trailing_newline(tmp_path: Path) -> None:
    assert triples(read(tmp_path, "A=1\0B=2\0\n")) == [("A", "1", 1), ("B", "2", 1)]


def test_nul_separated_output_takes_any_name(tmp_path: Path) -> None:
    parsed = read(tmp_path, "1ODD NAME=x\0ProgramFiles(x86)=C:\\\0")
    assert triples(parsed) == [("1ODD NAME", "x", 1), ("ProgramFiles(x86)", "C:\\", 1)]


def test_nul_separated_entries_that_are_not_name_value_are_issues(tmp_path: Path) -> None:
    parsed = read(tmp_path, f"A=1\0{CANARY}\0=x\0\nB=2\0")
    assert triples(parsed) == [("A", "1", 1)]
    detail = "NUL-separated entry is not NAME=value"
    assert parsed.issues == [
        SourceIssue("unparsable-line", Origin(SHOWN, 1), detail),
        SourceIssue("unparsable-line", Origin(SHOWN, 1), detail),
        SourceIssue("unparsable-line", Origin(SHOWN, 1), detail),
    ]
    assert CANARY not in repr(parsed)


@needs_env
def test_real_env_dash_zero_output_round_trips(tmp_path: Path) -> None:
    environment = {"A": "1", "MULTI": "x\nY=z\n", "EMPTY": ""}
    output = subprocess.run(["env", "-0"], env=environment, capture_output=True, check=True).stdout
    parsed = read(tmp_path, output)
    assert parsed.issues == []
    assert {entry.key: entry.value for entry in parsed.entries} == environment


def test_stray_nul_in_newline_output_is_an_error_at_its_line(tmp_path: Path) -> None:
    error = read_error(tmp_path, f"A=1\nSECRET={CANARY}\0tail\nB=2\n")
    assert str(error) == (
        f"{SHOWN}:2: contains a NUL byte but is not `env -0` output "
        "(which ends every entry with NUL)"
    )
    assert CANARY not in str(error)
    assert CANARY not in repr(error)


def test_utf16_without_byte_order_mark_is_an_error(tmp_path: Path) -> None:
    error = read_error(tmp_path, "A=1\nB=2\n".encode("utf-16-le"))
    assert str(error) == (
        f"{SHOWN}: contains NUL bytes but no NAME=value entry; is it UTF-16 or a binary file?"
    )


def test_parse_env_dump_reads_text_directly() -> None:
    parsed = parse_env_dump("A=1\n", "<stdin>")
    assert [(e.key, e.value, e.origin) for e in parsed.entries] == [
        ("A", "1", Origin("<stdin>", 1))
    ]


# --- reading the file -----------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DriftcheckError) as caught:
        read_env_dump(tmp_path / "absent", SHOWN)
    assert str(caught.value) == f"{SHOWN}: cannot read: no such file"


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(DriftcheckError) as caught:
        read_env_dump(tmp_path, SHOWN)
    assert str(caught.value) == f"{SHOWN}: is a directory, expected a file"


def test_symlink_loop(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    with pytest.raises(DriftcheckError) as caught:
        read_env_dump(loop, SHOWN)
    assert str(caught.value) == f"{SHOWN}: cannot read: too many levels of symbolic links"


def test_invalid_utf8_reports_its_line(tmp_path: Path) -> None:
    error = read_error(tmp_path, b"A=1\nB=2\nSECRET=" + CANARY.encode() + b"\xc3\x28\n")
    assert str(error) == f"{SHOWN}:3: invalid UTF-8 (byte 0xC3 at column {8 + len(CANARY)})"
    assert CANARY not in repr(error)
    assert error.__context__ is None
    assert error.__cause__ is None


def test_utf16_with_byte_order_mark_is_invalid_utf8_with_a_hint(tmp_path: Path) -> None:
    error = read_error(tmp_path, "A=1\n".encode("utf-16"))
    assert str(error) == (
        f"{SHOWN}:1: invalid UTF-8 (byte 0xFF at column 1); "
        "the file looks UTF-16 encoded, save it as UTF-8"
    )
