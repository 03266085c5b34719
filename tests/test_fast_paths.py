"""The optimised paths against plain ones, on projects of the benchmark's corpus generator.

Each fast path of a large run has a plain counterpart that is obviously right and too
slow to use: python-dotenv for ``.env`` files, tomllib for schemas (tests/test_tomlfile.py),
comparing every pair of names for near misses, and the drift the generator planted for
the findings of all the rules together. The benchmark itself is not run here (no timing in
tests); a smoke run checks that it still runs and reports every figure.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from dotenv import dotenv_values

from driftcheck.namematch import NearMissIndex, signatures
from driftcheck.sources.dotenv import read_dotenv
from driftcheck.valuetypes import InvalidValue, _split_url, parse_url
from tests.benchmarks import generate, run
from tests.helpers import run_cli


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    root = tmp_path_factory.mktemp("corpus")
    manifest = generate.write(root, 25)
    return root, manifest


def _files(corpus: tuple[Path, dict[str, object]]) -> list[Path]:
    root, manifest = corpus
    names = manifest["dotenv_files"]
    assert isinstance(names, list)
    return [root / name for name in names]


def test_every_generated_file_means_what_python_dotenv_says(
    corpus: tuple[Path, dict[str, object]],
) -> None:
    files = _files(corpus)
    assert len(files) == 100
    for path in files:
        ours = {entry.key: entry.value for entry in read_dotenv(path, str(path)).entries}
        assert ours == dotenv_values(path, interpolate=True), path


def test_the_findings_are_exactly_the_planted_drift(
    corpus: tuple[Path, dict[str, object]],
) -> None:
    root, manifest = corpus
    result = run_cli("check", str(root), "--format", "json", env={"DRIFTCHECK_HASH_KEY": "k"})
    assert result.exit_code == 1, result.stderr
    planted, missed, unexpected = run.planted_check(result.stdout, manifest)
    assert planted > 25
    assert (missed, unexpected) == (0, 0)


def test_the_near_miss_index_finds_what_comparing_every_pair_finds(
    corpus: tuple[Path, dict[str, object]],
) -> None:
    root, _ = corpus
    known: list[str] = []
    for schema in sorted((root / "schemas").glob("*.toml"))[:5]:
        known += [line[6:-1] for line in schema.read_text().splitlines() if line[:6] == "[keys."]
    looked_up: set[str] = set()
    for path in _files(corpus)[:20]:
        looked_up.update(entry.key for entry in read_dotenv(path, str(path)).entries)
    # Names one edit away from known ones, so that every kind of near miss is asked about.
    looked_up.update(name[:-1] for name in known[::7])
    looked_up.update(name + "_KEY" for name in known[::11])
    looked_up.update(name.replace("_", "", 1) for name in known[::5])
    index = NearMissIndex(known)
    filed = {name: signatures(name) for name in known}
    for name in sorted(looked_up):
        mine = signatures(name)
        every_pair = {other for other, theirs in filed.items() if other != name and mine & theirs}
        assert set(index.candidates(name)) == every_pair, name


def _url_or_fault(parse: Callable[[str], object], text: str) -> object:
    try:
        return parse(text)
    except InvalidValue as fault:
        return str(fault)


def test_urls_of_the_plain_shape_parse_as_urlsplit_parses_them() -> None:
    # URLs built from parts that urlsplit treats specially (brackets, percent signs, at
    # signs, colons, non-ASCII, whitespace, hostless schemes, big ports) and plain ones.
    rng = random.Random(7)
    schemes = ["http", "HTTPS", "postgres", "redis+tls", "x-y.z", "sqlite", "file", "9x", ""]
    seps = ["://", "://", "://", ":/", ":", "//"]
    users = ["", "", "u@", "u:p@", ":@", "a!$;=@", "a@b@", "us%20er@", "ü@", "[::1]@", "u/p@"]
    hosts = ["host", "Host.Example", "-h_", "h~", "[::1]", "[v1.x]", "h%25", "", "ħost", "h o"]
    ports = ["", ":", ":0", ":80", ":08080", ":65535", ":65536", ":99999", ":123456", ":8a"]
    tails = ["", "/", "/p?q#f", "?x", "#y", "/ü", "/a b", ":x", "\t/x", "@z", "\n", "/[x]"]

    def part(options: list[str]) -> str:
        # Half the time one of the first four, which make plain URLs.
        return rng.choice(options[:4] if rng.random() < 0.5 else options)

    texts = {
        part(schemes) + part(seps) + part(users) + part(hosts) + part(ports) + part(tails)
        for _ in range(20000)
    }
    texts.update(" " + text + "\t" for text in list(texts)[:2000])
    for text in sorted(texts):
        expected = _url_or_fault(lambda t: _split_url(t.strip()), text)
        assert _url_or_fault(parse_url, text) == expected, repr(text)


def test_the_benchmark_runs_and_reports_every_figure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DRIFTCHECK_HASH_KEY", raising=False)
    # The smallest size, one run each: a smoke run, whose figures mean nothing.
    code = run.main(["--sizes", "small", "--runs", "1", "--workdir", str(tmp_path)])
    printed = capsys.readouterr().out
    assert code in (0, 1)
    for label in (
        "import driftcheck adds",
        "driftcheck check examples/incident / import click",
        "driftcheck check / regex floor",
        "python-dotenv / driftcheck check",
        "peak memory",
        "planted drift: 0 missed, 0 unexpected",
        "the same, --jobs 1",
        "time per value (beyond start, --jobs 1)",
    ):
        assert label in printed, label
    assert "report of --jobs 1 differs" not in printed
    manifest = json.loads((tmp_path / "small" / "manifest.json").read_text())
    assert manifest["services"] == 25
    assert os.path.isdir(tmp_path / "small" / "schemas")
