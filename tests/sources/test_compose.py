"""docker compose files: interpolation, environment, env_file, ports, merging, errors.

The differential tests at the end run Debian's docker-compose (1.29) on the same files
and compare every service's resolved environment and ports with driftcheck's. They use
what docker-compose 1.29 and the Compose Specification agree on; where they differ
(``:+``, nested defaults, the long ``env_file`` form), the unit tests pin the
specification's meaning.
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest
import yaml

from driftcheck.errors import DriftcheckError
from driftcheck.sources.compose import (
    PUBLISHED_HOSTS,
    ComposeProject,
    Interpolation,
    compose_service_source,
    load_compose_project,
)
from tests.helpers import run_tool, write_project


def _load(root: Path, *names: str, project_env: str | None = None) -> ComposeProject:
    names = names or ("compose.yaml",)
    env = None if project_env is None else (root / project_env, project_env)
    return load_compose_project([root / name for name in names], list(names), env)


def _environment(project: ComposeProject, service: str) -> dict[str, str | None]:
    return {entry.key: entry.value for entry in project.services[service].entries}


def _compose(tmp_path: Path, compose: str, **files: str) -> ComposeProject:
    write_project(
        tmp_path, {"compose.yaml": compose, **{k.replace("_", "."): v for k, v in files.items()}}
    )
    return _load(tmp_path)


# -- interpolation ------------------------------------------------------------------------

LOOKUP = {"SET": "value", "EMPTY": "", "OTHER": "o"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("$SET", "value"),
        ("${SET}", "value"),
        ("a${SET}b$SET.c", "avaluebvalue.c"),
        ("$UNSET", ""),
        ("${UNSET}", ""),
        ("${UNSET:-default}", "default"),
        ("${EMPTY:-default}", "default"),
        ("${EMPTY-default}", ""),
        ("${UNSET-default}", "default"),
        ("${SET:-default}", "value"),
        ("${SET:+alt}", "alt"),
        ("${EMPTY:+alt}", ""),
        ("${EMPTY+alt}", "alt"),
        ("${UNSET+alt}", ""),
        ("${SET:?message}", "value"),
        ("${EMPTY?message}", ""),
        ("$$", "$"),
        ("$$SET", "$SET"),
        ("$${SET}", "${SET}"),
        ("${UNSET:-${OTHER}}", "o"),
        ("${UNSET:-${ALSO_UNSET:-deep}}", "deep"),
        ("${UNSET:-a:b-c}", "a:b-c"),
        ("${UNSET:-}", ""),
    ],
)
def test_interpolation(text: str, expected: str) -> None:
    assert Interpolation(LOOKUP).apply(text, "c.yaml", 3) == expected


@pytest.mark.parametrize("text", ["${UNSET:?message}", "${EMPTY:?message}", "${UNSET?}"])
def test_a_required_variable_names_itself_file_and_line(text: str) -> None:
    with pytest.raises(DriftcheckError) as caught:
        Interpolation(LOOKUP).apply(text, "c.yaml", 3)
    message = str(caught.value)
    assert message.startswith("c.yaml:3: required variable ")
    assert ("UNSET" in message) or ("EMPTY" in message)
    assert "message" not in message  # the file's own text is not repeated


@pytest.mark.parametrize("text", ["$", "cost $5", "${", "${SET", "${1X}", "${SET:x}", "${}"])
def test_invalid_interpolation(text: str) -> None:
    with pytest.raises(DriftcheckError, match=r"^c.yaml:3: invalid interpolation"):
        Interpolation(LOOKUP).apply(text, "c.yaml", 3)


def test_interpolation_does_not_recurse_into_values() -> None:
    # One pass: a value that names a variable is not substituted again, so values that
    # name each other (or themselves) cannot loop.
    lookup = {"A": "${B}", "B": "${A}", "SELF": "$SELF"}
    interpolation = Interpolation(lookup)
    assert interpolation.apply("${A}", "c.yaml", 1) == "${B}"
    assert interpolation.apply("$SELF", "c.yaml", 1) == "$SELF"


def test_a_dotenv_cycle_resolves_as_compose_reads_it(tmp_path: Path) -> None:
    project = _compose(
        tmp_path,
        "services:\n  a:\n    image: x\n    environment:\n      A: $A\n      B: $B\n",
        _env="A=${B}\nB=${A}\n",
    )
    # python-dotenv reads .env top-down: A sees no B yet, B sees A (empty).
    assert _environment(project, "a") == {"A": "", "B": ""}


def test_nesting_is_bounded() -> None:
    text = "${A:-" * 30 + "x" + "}" * 30
    assert Interpolation({}).apply(text, "c.yaml", 1) == "x"
    with pytest.raises(DriftcheckError, match=r"^c.yaml:1: interpolation nests more than"):
        Interpolation({}).apply("${A:-" * 2000 + "x" + "}" * 2000, "c.yaml", 1)


def test_interpolation_is_linear() -> None:
    long = "$A" * 200_000
    assert Interpolation({"A": "z"}).apply(long, "c.yaml", 1) == "z" * 200_000


# -- environment and env_file ---------------------------------------------------------------


def test_environment_mapping_and_list_forms(tmp_path: Path) -> None:
    project = _compose(
        tmp_path,
        """
        services:
          api:
            image: x
            environment:
              PORT: 8000
              NAME: "${APP:-app}"
              FLAG: true
              BARE:
              FROM_DOTENV:
          web:
            image: x
            environment:
              - URL=http://api:8000
              - EQ=a=b
              - FROM_DOTENV
              - MISSING
        """,
        _env="FROM_DOTENV=dot\nAPP=shop\n",
    )
    assert _environment(project, "api") == {
        "PORT": "8000",
        "NAME": "shop",
        "FLAG": "true",
        "BARE": None,
        "FROM_DOTENV": "dot",
    }
    assert _environment(project, "web") == {
        "URL": "http://api:8000",
        "EQ": "a=b",
        "FROM_DOTENV": "dot",
        "MISSING": None,
    }
    lines = {e.key: e.origin.line for e in project.services["api"].entries}
    assert lines == {"PORT": 5, "NAME": 6, "FLAG": 7, "BARE": 8, "FROM_DOTENV": 9}


def test_env_files_in_order_then_environment_wins(tmp_path: Path) -> None:
    project = _compose(
        tmp_path,
        """
        services:
          api:
            image: x
            env_file: [base.env, more.env]
            environment:
              B: from-compose
              C:
        """,
        base_env="A=1\nB=1\nC=1\n",
        more_env="A=2\n",
    )
    assert _environment(project, "api") == {"A": "2", "B": "from-compose", "C": None}
    origins = {e.key: str(e.origin) for e in project.services["api"].entries}
    assert origins == {"A": "more.env:1", "B": "compose.yaml:6", "C": "compose.yaml:7"}


def test_env_file_long_form_and_optional_files(tmp_path: Path) -> None:
    project = _compose(
        tmp_path,
        """
        services:
          api:
            image: x
            env_file:
              - path: base.env
              - path: local.env
                required: false
        """,
        base_env="A=1\n",
    )
    assert _environment(project, "api") == {"A": "1"}


def test_a_missing_env_file_is_an_error(tmp_path: Path) -> None:
    write_project(tmp_path, {"compose.yaml": "services:\n  api:\n    env_file: nope.env\n"})
    with pytest.raises(DriftcheckError) as caught:
        _load(tmp_path)
    assert str(caught.value).startswith("compose.yaml:3: env_file nope.env of service 'api'")


def test_env_file_values_interpolate_from_the_project_env(tmp_path: Path) -> None:
    project = _compose(
        tmp_path,
        "services:\n  api:\n    env_file: a.env\n",
        _env="HOST=db\n",
        a_env="URL=postgres://${HOST}:5432/app\n",
    )
    assert _environment(project, "api") == {"URL": "postgres://db:5432/app"}


def test_an_env_file_issue_is_kept(tmp_path: Path) -> None:
    project = _compose(
        tmp_path, "services:\n  api:\n    env_file: a.env\n", a_env="A=1\nBROKEN LINE\n"
    )
    (issue,) = project.services["api"].issues
    assert (issue.kind, str(issue.origin)) == ("unparsable-line", "a.env:2")


def test_project_env_replaces_the_default_dotenv(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "compose.yaml": "services:\n  api:\n    environment:\n      A: $A\n",
            ".env": "A=default\n",
            "prod.env": "A=prod\n",
        },
    )
    assert _environment(_load(tmp_path, project_env="prod.env"), "api") == {"A": "prod"}
    assert _environment(_load(tmp_path), "api") == {"A": "default"}


def test_a_required_variable_anywhere_fails_the_file(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {"compose.yaml": "services:\n  api:\n    image: 'app:${TAG:?set TAG}'\n"},
    )
    with pytest.raises(DriftcheckError) as caught:
        _load(tmp_path)
    assert str(caught.value).startswith("compose.yaml:3: required variable TAG is not set")


def test_the_process_environment_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FROM_SHELL", "shell")
    project = _compose(
        tmp_path,
        "services:\n  api:\n    environment:\n      - A=${FROM_SHELL}\n      - FROM_SHELL\n",
    )
    assert _environment(project, "api") == {"A": "", "FROM_SHELL": None}


# -- ports ----------------------------------------------------------------------------------


def test_ports_short_and_long_syntax(tmp_path: Path) -> None:
    project = _compose(
        tmp_path,
        """
        services:
          api:
            image: x
            ports:
              - "8080:8000"
              - 3000
              - "127.0.0.1:9000-9001:7000-7001/udp"
              - "[::1]:5432:5432"
              - target: 80
                published: "8081"
                host_ip: 10.1.2.3
              - 22:22
        """,
    )
    service = project.services["api"]
    assert {(p.target, p.published, p.host_ip, p.protocol) for p in service.ports} == {
        (8000, 8080, None, "tcp"),
        (3000, None, None, "tcp"),
        (7000, 9000, "127.0.0.1", "udp"),
        (7001, 9001, "127.0.0.1", "udp"),
        (5432, 5432, "::1", "tcp"),
        (80, 8081, "10.1.2.3", "tcp"),
        (22, 22, None, "tcp"),  # text, not YAML 1.1's base-60 number 1342
    }
    # Published ports are how the host reaches the service.
    assert {(a.hosts, a.port, a.target) for a in service.addresses} == {
        (PUBLISHED_HOSTS, 8080, 8000),
        (("127.0.0.1", "localhost"), 9000, 7000),
        (("127.0.0.1", "localhost"), 9001, 7001),
        (("::1", "localhost"), 5432, 5432),
        (("10.1.2.3",), 8081, 80),
        (PUBLISHED_HOSTS, 22, 22),
    }
    assert str(service.addresses[0].origin) == "compose.yaml:5"


@pytest.mark.parametrize(
    "port", ["'abc'", "'8080:'", "'1:2:3:4'", "'70000'", "'8000-7000'", "[1]", "'9000-9002:80-81'"]
)
def test_invalid_ports(tmp_path: Path, port: str) -> None:
    write_project(tmp_path, {"compose.yaml": f"services:\n  api:\n    ports:\n      - {port}\n"})
    with pytest.raises(DriftcheckError, match=r"^compose.yaml:4: "):
        _load(tmp_path)


# -- several files --------------------------------------------------------------------------


def test_files_merge_in_order(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "compose.yaml": """
                services:
                  api:
                    image: x
                    environment: {A: base, B: base}
                    env_file: one.env
                    ports: ["8080:8000"]
                """,
            "deploy/compose.prod.yaml": """
                services:
                  api:
                    environment: [B=prod, C=prod]
                    env_file: two.env
                    ports: ["9090:9090"]
                  worker:
                    image: y
                """,
            "one.env": "E1=1\nE=1\n",
            "two.env": "E=2\n",
        },
    )
    project = _load(tmp_path, "compose.yaml", "deploy/compose.prod.yaml")
    assert list(project.services) == ["api", "worker"]
    assert _environment(project, "api") == {
        "E1": "1",
        "E": "2",
        "A": "base",
        "B": "prod",
        "C": "prod",
    }
    origins = {e.key: str(e.origin) for e in project.services["api"].entries}
    assert origins["B"] == "deploy/compose.prod.yaml:3"
    assert origins["E"] == "two.env:1"  # relative to the project directory
    assert {(p.target, p.published) for p in project.services["api"].ports} == {
        (8000, 8080),
        (9090, 9090),
    }


def test_an_unknown_service_names_the_known_ones(tmp_path: Path) -> None:
    project = _compose(tmp_path, "services:\n  api: {image: x}\n  web: {image: y}\n")
    with pytest.raises(DriftcheckError, match=r"no service 'backend' .*api, web"):
        compose_service_source(project, "backend")


@pytest.mark.parametrize(
    ("compose", "fragment"),
    [
        pytest.param("", "empty", id="empty"),
        pytest.param("- a\n", "top level is a list", id="list"),
        pytest.param("services: [a]\n", "'services' is a list", id="services-list"),
        pytest.param("services:\n  a: 1\n", "service 'a' is a int", id="service-scalar"),
        pytest.param(
            "services:\n  a:\n    environment: x\n", "'environment' of service 'a'", id="env-str"
        ),
        pytest.param(
            "services:\n  a:\n    environment:\n      - 'A B=1'\n", "no whitespace", id="space"
        ),
        pytest.param(
            "services:\n  a:\n    environment:\n      A: [1]\n", "expected a value", id="nested"
        ),
        pytest.param("a: 1\n---\nb: 2\n", "one YAML document", id="two-documents"),
    ],
)
def test_malformed_compose_files(tmp_path: Path, compose: str, fragment: str) -> None:
    (tmp_path / "compose.yaml").write_text(compose)
    with pytest.raises(DriftcheckError, match=fragment):
        _load(tmp_path)


def test_a_huge_compose_file_is_read(tmp_path: Path) -> None:
    services = "".join(
        f"  s{i}:\n    image: x\n    environment:\n"
        + "".join(f"      K{k}: ${{V{k}:-d}}\n" for k in range(20))
        + f"    ports: ['{10000 + i}:8000']\n"
        for i in range(1000)
    )
    (tmp_path / "compose.yaml").write_text("services:\n" + services)
    project = _load(tmp_path)
    assert len(project.services) == 1000
    assert _environment(project, "s999")["K19"] == "d"


# -- the reference: docker-compose config ---------------------------------------------------


def _reference(
    root: Path, names: tuple[str, ...], project_env: str | None = None
) -> subprocess.CompletedProcess[str]:
    arguments = [] if project_env is None else ["--env-file", project_env]
    for name in names:
        arguments += ["-f", name]
    return run_tool("docker-compose", *arguments, "config", cwd=root)


def _reference_port(port: object) -> tuple[int, int | None, str | None, str]:
    if isinstance(port, dict):
        published = port.get("published")
        return (
            int(port["target"]),
            None if published is None else int(published),
            None,
            port.get("protocol") or "tcp",
        )
    assert isinstance(port, str)
    spec, _, protocol = port.partition("/")
    parts = spec.split(":")
    host_ip = parts[0] if len(parts) == 3 else None
    published = parts[-2] if len(parts) >= 2 and parts[-2] else None
    return (
        int(parts[-1]),
        None if published is None else int(published),
        host_ip,
        protocol or "tcp",
    )


def _compare_with_docker_compose(
    root: Path, names: tuple[str, ...], project_env: str | None = None
) -> None:
    reference = _reference(root, names, project_env)
    refused: DriftcheckError | None = None
    try:
        project = _load(root, *names, project_env=project_env)
    except DriftcheckError as error:
        refused = error
    if refused is not None:
        assert reference.returncode != 0, f"driftcheck refused what docker-compose read: {refused}"
        return
    assert reference.returncode == 0, reference.stderr
    expected = yaml.safe_load(reference.stdout)["services"]
    assert set(project.services) == set(expected)
    for name, service in expected.items():
        environment = {
            key: None if value is None else str(value).replace("$$", "$")
            for key, value in (service.get("environment") or {}).items()
        }
        assert _environment(project, name) == environment, name
        reference_ports = {_reference_port(port) for port in service.get("ports") or []}
        ours = {
            (p.target, p.published, p.host_ip, p.protocol) for p in project.services[name].ports
        }
        assert ours == reference_ports, name


HANDWRITTEN = {
    "interpolation": {
        "compose.yaml": """
            services:
              api:
                image: x
                environment:
                  A: "${SET}"
                  B: "$SET-suffix"
                  C: "${UNSET:-fallback}"
                  D: "${EMPTY:-fallback}"
                  E: "${EMPTY-fallback}"
                  F: "${UNSET-fallback}"
                  G: "$${LITERAL} and $$"
                  H: "${UNSET}"
                  I: "${SET:?needed}"
                  J: 12
                  K: 1.50
                  L:
                  M:
                ports:
                  - "${PUBLISHED:-8080}:8000"
            """,
        ".env": "SET=value\nEMPTY=\nL=from-dotenv\n",
    },
    "list-form-and-env-files": {
        "compose.yaml": """
            services:
              web:
                image: x
                env_file: [a.env, b.env]
                environment:
                  - URL=http://api:${API_PORT}
                  - FROM_A
                  - NOT_ANYWHERE
                  - X=a=b
                ports:
                  - 3000
                  - "127.0.0.1:9229:9229"
                  - target: 80
                    published: 8081
            """,
        ".env": "API_PORT=8000\nFROM_A=dotenv\n",
        "a.env": "FROM_A=file\nSHARED=a\nQUOTED='single $NOT'\n# comment\nexport EXPORTED=1\n",
        "b.env": 'SHARED=b\nDOUBLE="x y"\n',
    },
    "merged-files": {
        "compose.yaml": """
            x-common: &common
              LOG_LEVEL: info
              REGION: eu
            services:
              api:
                image: x
                environment:
                  <<: *common
                  A: base
                env_file: one.env
                ports: ["8080:8000"]
            """,
        "override.yaml": """
            services:
              api:
                environment:
                  - A=override
                  - REGION=us
                env_file: two.env
                ports: ["9090:9090", "8080:8000"]
              worker:
                image: y
                environment: {ONLY: worker}
            """,
        "one.env": "E=1\nONE=1\n",
        "two.env": "E=2\n",
    },
    "required-unset": {
        "compose.yaml": (
            'services:\n  api:\n    image: x\n    environment:\n      A: "${NOPE:?set NOPE}"\n'
        )
    },
    "invalid-dollar": {
        "compose.yaml": 'services:\n  api:\n    image: x\n    environment:\n      A: "costs $5"\n'
    },
    "missing-env-file": {
        "compose.yaml": "services:\n  api:\n    image: x\n    env_file: nope.env\n"
    },
}


@pytest.mark.parametrize("case", sorted(HANDWRITTEN))
def test_handwritten_projects_resolve_as_docker_compose_does(tmp_path: Path, case: str) -> None:
    files = HANDWRITTEN[case]
    write_project(tmp_path, files)
    names = tuple(name for name in files if name.endswith(".yaml"))
    _compare_with_docker_compose(tmp_path, names)


_VARIABLES = ("A", "B", "C_1", "EMPTY", "UNSET", "_U")


def _random_value(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(0, 3)):
        name = rng.choice(_VARIABLES)
        parts.append(
            rng.choice(
                [
                    "text",
                    "a b",
                    "$$",
                    "$$x",
                    f"${name}",
                    f"${{{name}}}",
                    f"${{{name}:-d{rng.randint(0, 9)}}}",
                    f"${{{name}-d}}",
                    "http://host:80/p?q=1",
                    "-",
                    ":",
                ]
            )
        )
    return "".join(parts)


def _random_project(rng: random.Random) -> dict[str, str]:
    dotenv = "".join(
        f"{name}={rng.choice(['', 'one', 'two words', '8000'])}\n"
        for name in ("A", "B", "C_1", "EMPTY")
        if rng.random() < 0.8
    )
    files = {".env": dotenv}
    names = ["compose.yaml"] + (["compose.override.yaml"] if rng.random() < 0.5 else [])
    for file_name in names:
        lines = ["services:"]
        for service in rng.sample(["api", "web", "worker"], rng.randint(1, 3)):
            lines += [f"  {service}:", "    image: x"]
            keys = rng.sample(["K1", "K2", "K3", "A", "B", "UNSET"], rng.randint(0, 5))
            if keys:
                lines.append("    environment:")
                mapping = rng.random() < 0.5
                for key in keys:
                    bare = rng.random() < 0.2
                    value = _random_value(rng).replace('"', "")
                    if mapping:
                        lines.append(f"      {key}:" if bare else f'      {key}: "{value}"')
                    else:
                        lines.append(f"      - {key}" if bare else f'      - "{key}={value}"')
            if rng.random() < 0.4:
                env_file = f"{service}-{file_name[:7]}.env"
                files[env_file] = "".join(
                    f"{key}={rng.choice(['x', 'y z', ''])}\n"
                    for key in rng.sample(["K1", "K2", "F1"], 2)
                )
                lines.append(f"    env_file: {env_file}")
            if rng.random() < 0.6:
                lines.append("    ports:")
                for target in rng.sample([80, 3000, 8000], rng.randint(1, 2)):
                    lines.append(
                        rng.choice(
                            [f"      - {target}", f'      - "{rng.randint(1024, 9999)}:{target}"']
                        )
                    )
        files[file_name] = "\n".join(lines) + "\n"
    return files


@pytest.mark.parametrize("seed", range(16))
def test_generated_projects_resolve_as_docker_compose_does(tmp_path: Path, seed: int) -> None:
    files = _random_project(random.Random(seed))
    write_project(tmp_path, files)
    names = tuple(name for name in ("compose.yaml", "compose.override.yaml") if name in files)
    _compare_with_docker_compose(tmp_path, names)


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_the_compose_example_resolves_as_docker_compose_does(environment: str) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "compose"
    names = ("compose.yaml", f"compose.{environment}.yaml")
    _compare_with_docker_compose(example, names, f"env/{environment}.env")
