"""A check split over several processes reports exactly what one process reports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from driftcheck.config import find_config, load_config
from driftcheck.shards import CheckOutcome, check_in_shards, plan_shards
from driftcheck.values import Fingerprinter
from tests.benchmarks import generate
from tests.helpers import run_cli, write_project

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(path.parent for path in (ROOT / "examples").glob("*/driftcheck.toml"))
NO_CHOICE: tuple[tuple[str, ...], ...] = ((), (), (), ())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    generate.write(root, 25)
    return root


def _check(root: Path, *args: str) -> tuple[int, str, str]:
    run = run_cli("check", str(root), *args, env={"DRIFTCHECK_HASH_KEY": "k"})
    return run.exit_code, run.stdout, run.stderr


@pytest.mark.parametrize("output_format", ["json", "text"])
@pytest.mark.parametrize("jobs", ["2", "3", "7"])
def test_a_generated_project_checked_in_shards_reports_what_one_process_reports(
    corpus: Path, output_format: str, jobs: str
) -> None:
    alone = _check(corpus, "--format", output_format, "--jobs", "1")
    assert alone[0] == 1
    assert alone[1].count("DC") > 25
    assert _check(corpus, "--format", output_format, "--jobs", jobs) == alone


@pytest.mark.parametrize("example", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_every_example_checked_in_shards_reports_what_one_process_reports(
    example: Path,
) -> None:
    alone = _check(example, "--format", "json", "--jobs", "1")
    assert _check(example, "--format", "json", "--jobs", "3") == alone


def test_narrowed_runs_in_shards_report_what_one_process_reports(corpus: Path) -> None:
    narrowed = ("--format", "json", "--service", "auth", "--service", "search", "--env", "prod")
    selected = ("--format", "json", "--select", "DC3,DC4", "--ignore", "DC404")
    for args in (narrowed, selected):
        alone = _check(corpus, *args, "--jobs", "1")
        assert alone[0] == 1
        assert _check(corpus, *args, "--jobs", "2") == alone


def test_the_shards_really_check_in_several_processes(corpus: Path) -> None:
    config = load_config(find_config(corpus))
    shards = plan_shards(config, 2)
    assert len(shards) == 2
    assert shards[0] | shards[1] == {service.name for service in config.services}
    outcome = check_in_shards(config, shards, Fingerprinter(b"k"), NO_CHOICE)
    assert isinstance(outcome, CheckOutcome)
    # Findings of services of both shards, cross-service ones among them.
    services = {finding.service for finding in outcome.findings}
    assert services & shards[0]
    assert services & shards[1]
    assert {"DC301", "DC401", "DC402", "DC403"} <= {f.code for f in outcome.findings}


@pytest.mark.parametrize("broken_services", [(1,), (-1,), (1, -1)])
@pytest.mark.parametrize("broken_part", ["schema", "source"])
def test_input_errors_in_shards_are_reported_as_one_process_reports_them(
    corpus: Path, tmp_path: Path, broken_part: str, broken_services: tuple[int, ...]
) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(corpus, broken)
    config = load_config(find_config(broken))
    for index in broken_services:
        service = config.services[index]
        if broken_part == "schema":
            (broken / service.schema).write_text("[keys.PORT\n", encoding="utf-8")
        else:
            (broken / "services" / service.name / ".env.qa").write_bytes(b"A=\xff\n")
    alone = _check(broken, "--jobs", "1")
    assert alone[0] == 2
    assert alone[2].count("error:") == len(broken_services)
    # Several times: a shard that stops early must not trip up the others.
    for _ in range(3):
        assert _check(broken, "--jobs", "2") == alone


def test_services_reading_one_file_stay_in_one_shard(tmp_path: Path) -> None:
    services = "\n".join(
        f'[services.s{index}]\nsources = ["{source}"]\n'
        for index, source in enumerate(
            ["common.env", "s1.env", "common.env", "s3.env", "s4.env", "s5.env"]
        )
    )
    root = write_project(
        tmp_path,
        {
            "driftcheck.toml": 'environments = ["prod"]\n'
            '[defaults]\nschema = "schemas/{service}.toml"\n' + services,
            **{f"schemas/s{index}.toml": "[keys.A]\n" for index in range(6)},
            **{f"s{index}.env": "A=1\n" for index in (1, 3, 4, 5)},
            "common.env": "A=1\nA=2\n",
        },
    )
    shards = plan_shards(load_config(find_config(root)), 3)
    assert len(shards) == 3
    assert any({"s0", "s2"} <= shard for shard in shards)
    assert sorted(len(shard) for shard in shards) == [2, 2, 2]
    # The duplicate key of the common file is reported once, for its first reader.
    exit_code, stdout, _ = _check(root, "--format", "json", "--jobs", "3")
    assert (exit_code, stdout) == _check(root, "--format", "json", "--jobs", "1")[:2]
    assert stdout.count('"DC701"') == 1


def test_a_project_of_one_group_is_checked_in_one_shard(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {
            "driftcheck.toml": 'environments = ["prod"]\n[services.a]\nschema = "a.toml"\n'
            'sources = ["x.env"]\n[services.b]\nschema = "b.toml"\nsources = ["x.env"]\n',
            "a.toml": "[keys.A]\n",
            "b.toml": "[keys.A]\n",
            "x.env": "A=1\n",
        },
    )
    assert len(plan_shards(load_config(find_config(root)), 4)) == 1
