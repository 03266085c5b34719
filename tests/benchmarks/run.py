"""The speed benchmark: whole processes, timed on this machine, against floors of the same run.

``python -m tests.benchmarks.run`` generates (once, into ``--workdir``) the corpus of
:mod:`tests.benchmarks.generate` at four sizes and times, as a user meets them, cold
processes: ``python -c pass``, ``import driftcheck``, ``import click``, ``driftcheck check``
on the incident example, and ``driftcheck check`` on each generated project next to

- the **regex floor**: a plain Python process that reads every ``.env`` file of the project
  and splits its lines with one regular expression (no meaning, no checks);
- the **compare floor**: the same, then comparing keys across environments and values
  across services (the least work any cross-file checker does);
- **python-dotenv**: ``dotenv_values`` on every file, with its default interpolation.

Each figure is the median of ``--runs`` runs (python-dotenv, much slower, runs once). Peak
memory is the largest resident set of the process. Every ratio of SPEC section 7 is
printed with its target, and the run exits 1 if one is missed, or if a run of driftcheck
misses a drift planted in the corpus or reports one that was not planted.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.benchmarks import generate

REPOSITORY = Path(__file__).resolve().parents[2]
INCIDENT = REPOSITORY / "examples" / "incident"

#: Reads every file listed on stdin and splits its lines: what no .env reader can beat.
REGEX_FLOOR = r"""
import re, sys
line = re.compile(r'^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.]*)[ \t]*=(.*)$', re.M)
files = sys.stdin.read().split("\n")
total = 0
for name in files:
    with open(name, encoding="utf-8") as stream:
        total += len(dict(line.findall(stream.read())))
print(total)
"""

#: The regex floor, then what a cross-file checker must at least do: keys missing from one
#: environment of a service, and values that differ between services in one environment.
COMPARE_FLOOR = r"""
import re, sys
line = re.compile(r'^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.]*)[ \t]*=(.*)$', re.M)
files = sys.stdin.read().split("\n")
by_service = {}
for name in files:
    service, environment = name.rsplit("/", 2)[-2], name.rsplit(".", 1)[-1]
    with open(name, encoding="utf-8") as stream:
        by_service.setdefault(service, {})[environment] = dict(line.findall(stream.read()))
missing = 0
values = {}
for service, environments in by_service.items():
    keys = set().union(*environments.values())
    for environment, table in environments.items():
        missing += len(keys - table.keys())
        for key, value in table.items():
            values.setdefault((environment, key), set()).add(value)
differing = sum(len(seen) > 1 for seen in values.values())
print(missing, differing)
"""

DOTENV = r"""
import sys
from dotenv import dotenv_values
files = sys.stdin.read().split("\n")
print(sum(len(dotenv_values(name)) for name in files))
"""


@dataclass(frozen=True)
class Measure:
    """Medians of several runs of one command."""

    seconds: float
    peak_mb: float
    stdout: str


def _resident_kb(pid: int) -> int:
    """The resident memory of ``pid`` and all its descendants, in KiB (0 once gone).

    Pages a forked child still shares with its parent count in both: an upper bound.
    """
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            resident = next(
                (int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0
            )
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as children:
            descendants = [int(child) for child in children.read().split()]
    except (OSError, ValueError):
        return 0
    return resident + sum(_resident_kb(child) for child in descendants)


#: How often the memory of a running command is looked at.
MEMORY_SAMPLE_SECONDS = 0.005


def _run_once(
    command: Sequence[str], stdin: str, cwd: Path, env: dict[str, str] | None
) -> tuple[float, float, str, int]:
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=out,
            stderr=subprocess.DEVNULL,
        )
        assert process.stdin is not None
        process.stdin.write(stdin.encode())
        process.stdin.close()
        # A check may fork a process per core: their memory is summed while they run, by
        # sampling /proc (where there is one). wait4 gives the first process's own peak.
        sampled = 0
        sampling = Path(f"/proc/{process.pid}/task/{process.pid}/children").exists()
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG if sampling else 0)
            if pid:
                break
            sampled = max(sampled, _resident_kb(process.pid))
            time.sleep(MEMORY_SAMPLE_SECONDS)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        peak_kb = max(usage.ru_maxrss, sampled)
        return elapsed, peak_kb / 1024, out.read().decode(), process.returncode


def measure(
    command: Sequence[str],
    runs: int,
    *,
    stdin: str = "",
    cwd: Path = REPOSITORY,
    ok: tuple[int, ...] = (0,),
    env: dict[str, str] | None = None,
) -> Measure:
    times, peaks, output = [], [], ""
    for _ in range(runs):
        elapsed, peak, output, code = _run_once(command, stdin, cwd, env)
        if code not in ok:
            raise SystemExit(f"benchmark: {' '.join(command)} exited {code}")
        times.append(elapsed)
        peaks.append(peak)
    return Measure(statistics.median(times), max(peaks), output)


def corpus(workdir: Path, size: str) -> tuple[Path, dict[str, object]]:
    """The generated project of ``size``, written once and reused while it is current."""
    root = workdir / size
    manifest_path = root / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("generator") == generate.GENERATOR_VERSION:
            return root, manifest
        shutil.rmtree(root)
    manifest = generate.write(root, generate.services_for(size), generate.DEFAULT_SEED, size)
    return root, manifest


def planted_check(report_text: str, manifest: dict[str, object]) -> tuple[int, int, int]:
    """(planted, missed, unexpected) between a JSON report and the corpus manifest."""
    report = json.loads(report_text)
    found = {
        (f["code"], f.get("service"), f.get("environment"), f.get("key"))
        for f in report["findings"]
    }
    planted_list = manifest["planted"]
    assert isinstance(planted_list, list)
    planted = {(p["code"], p["service"], p["environment"], p["key"]) for p in planted_list}
    return len(planted), len(planted - found), len(found - planted)


class Verdicts:
    def __init__(self) -> None:
        self.failed: list[str] = []

    def ratio(self, label: str, value: float, floor: float, target: str, ok: bool) -> None:
        mark = "ok" if ok else "MISSED"
        print(f"  {label:<58} {value / floor:6.2f}x   target {target:<12} {mark}")
        if not ok:
            self.failed.append(label)


def _figure(measure: Measure) -> str:
    return f"{measure.seconds:8.3f} s  {measure.peak_mb:6.0f} MB"


def _executable(name: str) -> str:
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(f"benchmark: no '{name}' beside {sys.executable}; pip install -e .")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(generate.SIZES), help="comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "dc-bench")
    parser.add_argument(
        "--no-dotenv", action="store_true", help="skip python-dotenv (the slowest figure)"
    )
    args = parser.parse_args(argv)
    sizes = [size for size in args.sizes.split(",") if size]
    python = sys.executable
    driftcheck = _executable("driftcheck")
    runs = args.runs
    verdicts = Verdicts()

    # A stale or missing .pyc makes every start compile from source (PYTHONDONTWRITEBYTECODE
    # keeps them from being written), which is not what an installed package does.
    import driftcheck as installed

    package = Path(installed.__file__).parent
    compileall.compile_dir(package, quiet=1)
    editable = any(
        path.name.startswith("__editable__") and path.suffix == ".py"
        for entry in map(Path, sys.path)
        if entry.is_dir() and entry.name == "site-packages"
        for path in entry.iterdir()
    )
    if editable:
        print(
            "note: driftcheck is installed in editable mode with an import hook, which adds "
            "~25 ms to every start; for the figures users get, install it with 'pip install .' "
            "or 'pip install -e . --config-settings editable_mode=compat'\n"
        )
    version = sys.version.split()[0]
    print(f"driftcheck benchmark: {runs} runs per figure (medians), Python {version}")
    print(f"{os.cpu_count()} CPUs; corpora in {args.workdir}\n")
    nothing = measure([python, "-c", "pass"], runs * 2)
    imported = measure([python, "-c", "import driftcheck"], runs * 2)
    click = measure([python, "-c", "import click"], runs * 2)
    incident = measure([driftcheck, "check", str(INCIDENT)], runs * 2, ok=(1,))
    print("start-up")
    print(f"  python -c pass                      {nothing.seconds * 1000:8.1f} ms")
    print(f"  python -c 'import driftcheck'       {imported.seconds * 1000:8.1f} ms")
    print(f"  python -c 'import click'            {click.seconds * 1000:8.1f} ms")
    print(f"  driftcheck check examples/incident  {incident.seconds * 1000:8.1f} ms")
    added = (imported.seconds - nothing.seconds) * 1000
    mark = "ok" if added <= 30 else "MISSED"
    print(f"  import driftcheck adds {added:.1f} ms over python -c pass   target <= 30 ms   {mark}")
    if added > 30:
        verdicts.failed.append("import driftcheck")
    verdicts.ratio(
        "driftcheck check examples/incident / import click",
        incident.seconds,
        click.seconds,
        "<= 2x",
        incident.seconds <= 2 * click.seconds,
    )

    per_value: dict[str, float] = {}
    for size in sizes:
        root, manifest = corpus(args.workdir, size)
        files = "\n".join(str(root / name) for name in manifest["dotenv_files"])  # type: ignore[attr-defined]
        values = int(manifest["values"])  # type: ignore[call-overload]
        with tempfile.TemporaryDirectory() as scratch:
            report = Path(scratch) / "report.json"
            command = [driftcheck, "check", str(root), "--format", "json", "--output", str(report)]
            # One hash key for both, so that their reports can be compared byte for byte.
            keyed = {**os.environ, "DRIFTCHECK_HASH_KEY": "benchmark"}
            check = measure(command, runs, ok=(1,), env=keyed)
            reported = report.read_text()
            planted, missed, unexpected = planted_check(reported, manifest)
            # In one process: a check shards from 32 services on, so the default runs of
            # the sizes do not compare like with like for growth.
            serial = measure([*command, "--jobs", "1"], runs, ok=(1,), env=keyed)
            same_report = report.read_text() == reported
        regex = measure([python, "-c", REGEX_FLOOR], runs, stdin=files)
        compare = measure([python, "-c", COMPARE_FLOOR], runs, stdin=files)
        print(
            f"\n{size}: {manifest['services']} services, {manifest['files']} files, "
            f"{values:,} values, {planted} planted findings"
        )
        print(f"  driftcheck check (all rules)   {_figure(check)}")
        print(f"  the same, --jobs 1             {_figure(serial)}")
        print(f"  regex floor                    {_figure(regex)}")
        print(f"  compare floor                  {_figure(compare)}")
        dotenv = None
        if not args.no_dotenv:
            dotenv = measure([python, "-c", DOTENV], 1, stdin=files)
            print(f"  python-dotenv dotenv_values    {_figure(dotenv)}")
        # The fixed cost of a run (start-up, imports, one small project) is left out, so
        # that sizes compare by the work that grows with them; in one process, so that
        # they compare like with like.
        per_value[size] = (serial.seconds - incident.seconds) / values * 1e6
        print(f"  time per value (beyond start, --jobs 1) {per_value[size]:8.2f} us")
        found = "ok" if not missed and not unexpected else "MISSED"
        print(f"  planted drift: {missed} missed, {unexpected} unexpected          {found}")
        if missed or unexpected:
            verdicts.failed.append(f"{size}: planted drift")
        if not same_report:
            print("  the report of --jobs 1 differs from the default run's          MISSED")
            verdicts.failed.append(f"{size}: --jobs 1 report")
        if size == sizes[-1]:
            print(f"\n{size}, against the floors of this run")
            verdicts.ratio(
                "driftcheck check / regex floor",
                check.seconds,
                regex.seconds,
                "<= 3x",
                check.seconds <= 3 * regex.seconds,
            )
            verdicts.ratio(
                "driftcheck check / compare floor",
                check.seconds,
                compare.seconds,
                "(shown)",
                True,
            )
            if dotenv is not None:
                verdicts.ratio(
                    "python-dotenv / driftcheck check (how many times faster)",
                    dotenv.seconds,
                    check.seconds,
                    ">= 10x",
                    dotenv.seconds >= 10 * check.seconds,
                )
            mark = "ok" if check.peak_mb < 250 else "MISSED"
            print(f"  {'peak memory (MB)':<58} {check.peak_mb:6.0f}    target < 250      {mark}")
            if check.peak_mb >= 250:
                verdicts.failed.append("peak memory")
    if len(per_value) > 1:
        smallest, largest = per_value[sizes[0]], per_value[sizes[-1]]
        growth = largest / smallest
        print(f"\nlinearity, --jobs 1: time per value {sizes[-1]} / {sizes[0]} = {growth:.2f}")
    if verdicts.failed:
        print(f"\nmissed: {', '.join(verdicts.failed)}")
        return 1
    print("\nevery target met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
