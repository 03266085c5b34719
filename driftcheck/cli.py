"""The command line: ``driftcheck check | matrix | snapshot | rule | init``.

Every command is a plain function returning an exit code; click only parses options.
Exit codes: 0 clean, 1 drift at or above ``--fail-on``, 2 the run could not be done.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import click

from driftcheck import __version__
from driftcheck.errors import DriftcheckError, DriftcheckErrors

EXIT_CLEAN = 0
EXIT_DRIFT = 1
EXIT_ERROR = 2
SEVERITY_CHOICES = ("error", "warning", "info")
FORMAT_CHOICES = ("auto", "text", "json", "sarif", "github", "junit")


def _report_errors(error: DriftcheckError) -> None:
    errors = error.errors if isinstance(error, DriftcheckErrors) else [error]
    for one in errors:
        click.echo(f"driftcheck: error: {one}", err=True)


def _guarded(command: Callable[[], int]) -> int:
    """Run a command, turning user errors into exit 2 and crashes into a report request.

    A crash shows only the exception type and where it happened, never its message:
    messages of third-party exceptions can quote configuration values.
    """
    try:
        return command()
    except DriftcheckError as error:
        _report_errors(error)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError as error:
        if not _stdout_reader_gone():
            _report_crash(error)  # a pipe of our own broke: a bug, not the reader leaving
            return EXIT_ERROR
        # The reader went away (`driftcheck check | head`): end quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_DRIFT
    except Exception as crash:
        _report_crash(crash)
        return EXIT_ERROR


def _report_crash(crash: BaseException) -> None:
    import traceback

    frame = traceback.extract_tb(crash.__traceback__)[-1]
    where = f"{Path(frame.filename).name}:{frame.lineno}"
    click.echo(
        f"driftcheck: internal error: {type(crash).__name__} at {where}. This is a bug in "
        f"driftcheck {__version__}; please report it with this line and your Python "
        f"version ({sys.version.split()[0]}).",
        err=True,
    )


def _stdout_reader_gone() -> bool:
    """Whether standard output is a pipe or socket whose reader has gone.

    poll() reports an error or a hang-up on such a descriptor. Where there is no poll()
    (Windows), a broken pipe is taken to be standard output's, as before.
    """
    import select

    if not hasattr(select, "poll"):
        return True
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        events = poller.poll(0)
    except (OSError, ValueError):  # no descriptor: not a pipe a reader could leave
        return False
    return any(event & (select.POLLERR | select.POLLHUP) for _, event in events)


def _use_colour(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return stream.isatty()


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from driftcheck.output import write_atomically

    write_atomically(output, text)


def run_check(
    path: Path,
    output_format: str = "auto",
    output: Path | None = None,
    fail_on: str = "error",
    select: tuple[str, ...] = (),
    ignore: tuple[str, ...] = (),
    services: tuple[str, ...] = (),
    environments: tuple[str, ...] = (),
    statistics: bool = False,
    quiet: bool = False,
    jobs: int | None = None,
) -> int:
    """``driftcheck check``: load, run the rules, print, and return the exit code."""
    from driftcheck.config import find_config, load_config
    from driftcheck.findings import Severity
    from driftcheck.report import Report
    from driftcheck.shards import check as check_project
    from driftcheck.values import Fingerprinter

    config = load_config(find_config(path))
    fingerprinter = Fingerprinter.from_environment(dict(os.environ))
    choice = (_split(select), _split(ignore), services, environments)
    outcome = check_project(config, fingerprinter, choice, jobs)
    environment_names = config.environment_names
    report = Report(
        findings=tuple(outcome.findings),
        services=tuple(s.name for s in config.services if not services or s.name in services),
        environments=tuple(e for e in environment_names if not environments or e in environments),
        files_read=len(outcome.files_read),
        fingerprints_keyed=fingerprinter.keyed,
        config_path=config.display_path,
    )
    if output_format == "auto":
        output_format = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    if output_format == "json":
        from driftcheck.formatters import json as json_format

        _write(json_format.render(report), output)
    elif output_format == "sarif":
        from driftcheck.formatters import sarif

        _write(sarif.render(report), output)
    elif output_format == "github":
        from driftcheck.formatters import github

        _write(github.render(report), output)
    elif output_format == "junit":
        from driftcheck.formatters import junit

        _write(junit.render(report, fail_on=Severity.parse(fail_on)), output)
    else:
        from driftcheck.formatters import text

        lines = text.render(report, statistics=statistics, quiet=quiet)
        if output is None and _use_colour(sys.stdout):
            text.print_coloured(lines)
        else:
            _write(text.to_plain(lines), output)
    threshold = Severity.parse(fail_on)
    worst = report.worst()
    return EXIT_DRIFT if worst is not None and worst >= threshold else EXIT_CLEAN


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    """``--select A,B --select C`` and ``--select A --select B,C`` mean the same."""
    return tuple(part for value in values for part in value.split(",") if part.strip())


def run_rule(code: str | None) -> int:
    """``driftcheck rule [CODE|NAME]``: one rule's documentation, or the table of rules."""
    from driftcheck.rules import RULES, find_rule

    if code is None:
        width = max(len(rule.name) for rule in RULES)
        lines = [f"{'code':<6} {'name':<{width}} {'severity':<8} summary"]
        lines += [
            f"{rule.code:<6} {rule.name:<{width}} {rule.severity!s:<8} {rule.summary}"
            for rule in RULES
        ]
        _write("\n".join(lines) + "\n", None)
        return EXIT_CLEAN
    rule = find_rule(code)
    if rule is None:
        raise DriftcheckError(f"unknown rule '{code}' (run 'driftcheck rule' for the list)")
    header = f"{rule.code} {rule.name} ({rule.family}; default severity: {rule.severity})"
    _write(f"{header}\n\n{rule.documentation.strip()}\n", None)
    return EXIT_CLEAN


def run_matrix(
    path: Path, services: tuple[str, ...] = (), environments: tuple[str, ...] = ()
) -> int:
    """``driftcheck matrix``: keys down, (service, environment) across."""
    from driftcheck.engine import make_selection
    from driftcheck.matrix import build_matrix, print_matrix
    from driftcheck.project import load_project

    project = load_project(path)
    # Checks --service, --env and the config's [rules] as `check` does, for the same errors.
    make_selection(project, services=services, environments=environments)
    matrix = build_matrix(project, services, environments)
    print_matrix(matrix, colour=_use_colour(sys.stdout))
    return EXIT_DRIFT if matrix.has_drift else EXIT_CLEAN


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="driftcheck")
def cli() -> None:
    """Catch configuration drift between services and environments."""


_path_argument = click.argument(
    "path", required=False, default=".", type=click.Path(path_type=Path)
)
_service_option = click.option(
    "--service", "services", multiple=True, help="Report only this service (repeatable)."
)
_env_option = click.option(
    "--env", "environments", multiple=True, help="Report only this environment (repeatable)."
)


@cli.command()
@_path_argument
@_env_option
@_service_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMAT_CHOICES),
    default="auto",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report to this file instead of standard output.",
)
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITY_CHOICES),
    default="error",
    show_default=True,
    help="Exit 1 when a finding is at least this severe.",
)
@click.option("--select", multiple=True, help="Run only these rules (codes, names, prefixes).")
@click.option("--ignore", multiple=True, help="Skip these rules (codes, names, prefixes).")
@click.option("--statistics", is_flag=True, help="Count findings per rule.")
@click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    help="Check in this many processes (default: one per core for a large project).",
)
def check(
    path: Path,
    environments: tuple[str, ...],
    services: tuple[str, ...],
    output_format: str,
    output: Path | None,
    fail_on: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    statistics: bool,
    quiet: bool,
    jobs: int | None,
) -> None:
    """Check every service in every environment for drift (the CI gate)."""
    sys.exit(
        _guarded(
            lambda: run_check(
                path,
                output_format,
                output,
                fail_on,
                select,
                ignore,
                services,
                environments,
                statistics,
                quiet,
                jobs,
            )
        )
    )


@cli.command()
@_path_argument
@_env_option
@_service_option
def matrix(path: Path, environments: tuple[str, ...], services: tuple[str, ...]) -> None:
    """Show every key across services and environments: present, missing, differs."""
    sys.exit(_guarded(lambda: run_matrix(path, services, environments)))


@cli.command()
@click.argument("code", required=False)
def rule(code: str | None) -> None:
    """Print a rule's documentation, or the table of rules."""
    sys.exit(_guarded(lambda: run_rule(code)))


@cli.command()
@_path_argument
@click.option("--service", required=True, help="The service to capture.")
@click.option("--env", "environment", required=True, help="The environment it runs in.")
@click.option(
    "--from-env",
    is_flag=True,
    help="Take the values from this process's environment: only the keys the service's "
    "schema reads and their deprecated names (nothing else an environment holds).",
)
@click.option(
    "--from",
    "from_files",
    multiple=True,
    metavar="FILE",
    type=click.Path(path_type=Path),
    help="Take the values from these files, later ones winning (repeatable): .json is JSON, "
    ".dump/.envdump/.environ or NUL-separated is `env`/`printenv` output (schema keys "
    "only), anything else is a .env file.",
)
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The snapshot file to write (atomically; never one of the inputs).",
)
@click.option(
    "--allow-unkeyed",
    is_flag=True,
    help="Write even without DRIFTCHECK_HASH_KEY; the snapshot is marked unkeyed and its "
    "fingerprints compare with nothing.",
)
def snapshot(
    path: Path,
    service: str,
    environment: str,
    from_env: bool,
    from_files: tuple[Path, ...],
    output: Path,
    allow_unkeyed: bool,
) -> None:
    """Write one service's values in one environment, secrets as fingerprints.

    By default the values come from the service's configured sources for that
    environment. Secrets (and URLs with credentials) are stored as HMAC-SHA256 digests
    keyed with DRIFTCHECK_HASH_KEY, which must be set.
    """
    from driftcheck.snapshot import run_snapshot

    sys.exit(
        _guarded(
            lambda: run_snapshot(
                path, service, environment, from_env, from_files, output, allow_unkeyed
            )
        )
    )


@cli.command()
@_path_argument
@click.option(
    "--env",
    "environments",
    multiple=True,
    metavar="NAME",
    help="Keep only this environment, in the order given (repeatable). Without files that "
    "name environments, these name them.",
)
@click.option(
    "--service",
    "services",
    multiple=True,
    metavar="NAME",
    help="Keep only this service (repeatable).",
)
@click.option("--force", is_flag=True, help="Overwrite driftcheck.toml and schema files.")
@click.option(
    "--dry-run",
    "--stdout",
    "dry_run",
    is_flag=True,
    help="Print the files instead of writing them (what was inferred goes to stderr).",
)
def init(
    path: Path,
    environments: tuple[str, ...],
    services: tuple[str, ...],
    force: bool,
    dry_run: bool,
) -> None:
    """Write a starting driftcheck.toml and schemas/ from what PATH holds.

    Scans PATH (default: .) for .env files (.env, .env.ENV, ENV.env, SERVICE.env, in
    service directories), docker compose files and Kubernetes / Cloud Run manifests,
    infers services, environments, key types, secrets, shared settings and what URLs
    point at, and writes the config and one schema per service. Nothing is overwritten
    without --force. Then run `driftcheck check`.
    """
    from driftcheck.init.command import run_init

    sys.exit(_guarded(lambda: run_init(path, environments, services, force, dry_run)))


def main() -> None:
    """The console script: click parses, and its usage errors become one line, exit 2."""
    # The cyclic garbage collector would scan the hundreds of thousands of records of a
    # large project again and again (a third of its run time), and they hold no cycles;
    # the process is short-lived. Only the command line does this, never the library.
    gc.disable()
    code = _exit_code(_run)
    # Then skip the interpreter's teardown of every module and record, as mypy does: it
    # is a tenth of a small run, and the pre-commit hook runs on every commit. Nothing
    # is left to do but flush what was printed.
    for stream in (sys.stdout, sys.stderr):
        # The reader may have gone away, or the stream been closed: nothing to flush to.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def _run() -> None:
    try:
        result = cli.main(prog_name="driftcheck", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as shown:
        click.echo(shown.format_message(), err=True)
        sys.exit(EXIT_ERROR)
    except click.UsageError as error:
        command = error.ctx.command_path if error.ctx is not None else "driftcheck"
        click.echo(
            f"driftcheck: error: {error.format_message()} (see '{command} --help')", err=True
        )
        sys.exit(EXIT_ERROR)
    except click.Abort:
        sys.exit(130)
    sys.exit(result if isinstance(result, int) else EXIT_CLEAN)


def _exit_code(run: Callable[[], None]) -> int:
    """The exit code ``run`` ends with, as ``sys.exit`` would turn it into one."""
    try:
        run()
    except SystemExit as exit_:
        if exit_.code is None:
            return EXIT_CLEAN
        if isinstance(exit_.code, int):
            return exit_.code
        print(exit_.code, file=sys.stderr)
        return 1
    return EXIT_CLEAN
