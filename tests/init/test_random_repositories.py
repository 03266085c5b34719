"""Whatever a repository holds, init writes a project check can read, or says why not.

Random layouts, service and environment names, key names and values (quotes, escapes,
non-ASCII text, IPv6 URLs, interpolation, braces, empty values): init either writes
files that driftcheck's own loader and every rule accept, or fails with a user error
(exit 2); it never crashes.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from driftcheck.engine import make_selection, run_rules
from driftcheck.errors import DriftcheckError
from driftcheck.init.command import run_init
from driftcheck.project import load_project
from tests.helpers import working_directory

WORDS = ("PORT", "URL", "HOST", "SECRET", "KEY", "TOKEN", "DEBUG", "LOG", "LEVEL", "MODE")
WORDS += ("API", "AUTH", "DB", "REDIS", "ORIGINS", "ID", "WORKERS", "ENABLED", "STAGING")
VALUES = (
    "",
    "8000",
    "3000",
    "true",
    "0",
    "info",
    "debug",
    "http://localhost:8000",
    "http://auth:8081",
    "https://api.example.com",
    "https://[2001:db8::1]",
    "postgres://u:p@db:5432/x",
    "redis://redis:6379/0",
    "a,b,c",
    "localhost",
    "Zq8vN2kL9mX4pR7tW1yB6cE3",
    "héllo wörld",
    "tab\\there",
    "${OTHER}",
    "{brace}",
    "99999999",
    "1.5",
    "changeme",
)
LAYOUTS = ("services/{s}/.env.{e}", "{s}/.env.{e}", ".env.{e}", "config/{e}.env", "{s}/.env")
SERVICES = ("api", "web", "auth", "my.svc", "svc-1", "Backend")
ENVIRONMENTS = ("dev", "staging", "prod", "qa", "production", "eu-west")

keys = st.lists(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map("_".join),
    min_size=1,
    max_size=6,
)
repositories = st.fixed_dictionaries(
    {
        "layout": st.sampled_from(LAYOUTS),
        "services": st.lists(st.sampled_from(SERVICES), min_size=1, max_size=3, unique=True),
        "environments": st.lists(
            st.sampled_from(ENVIRONMENTS), min_size=1, max_size=3, unique=True
        ),
        "keys": keys,
        "values": st.lists(st.sampled_from(VALUES), min_size=1, max_size=40),
        "gaps": st.lists(st.booleans(), min_size=1, max_size=40),
    }
)


def _write(root: Path, repo: dict[str, list[str] | str]) -> None:
    values, gaps = repo["values"], repo["gaps"]
    count = 0
    for service in repo["services"]:
        for env in repo["environments"]:
            lines = []
            for key in repo["keys"]:
                count += 1
                if not gaps[count % len(gaps)]:
                    lines.append(f"{key}={values[count % len(values)]}")
            path = root / str(repo["layout"]).format(s=service, e=env)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@settings(max_examples=40, deadline=None, derandomize=True)
@given(repositories)
def test_init_writes_what_check_reads_or_refuses_cleanly(repo: dict[str, list[str] | str]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        _write(root, repo)
        with working_directory(root):
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    run_init(Path("."))
            except DriftcheckError:
                return
            project = load_project(Path("."))
            run_rules(project, make_selection(project))
