"""The README's generated parts stay in step with the code.

Regenerate with ``python -m tests.test_readme --update``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from driftcheck.rules import RULES

README = Path(__file__).resolve().parent.parent / "README.md"
_TABLE = re.compile(r"(<!-- rules-table:start -->\n).*?(<!-- rules-table:end -->)", re.DOTALL)


def rules_table() -> str:
    rows = ["| code | name | severity | what it finds |", "| --- | --- | --- | --- |"]
    rows += [
        f"| {rule.code} | `{rule.name}` | {rule.severity} | {rule.summary} |" for rule in RULES
    ]
    return "\n".join(rows) + "\n"


def _regenerated(text: str) -> str:
    return _TABLE.sub(lambda match: match.group(1) + rules_table() + match.group(2), text)


def test_readme_rules_table_is_current() -> None:
    text = README.read_text(encoding="utf-8")
    assert _TABLE.search(text), "README lost its rules-table markers"
    assert text == _regenerated(text), "run: python -m tests.test_readme --update"


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python -m tests.test_readme --update")
    README.write_text(_regenerated(README.read_text(encoding="utf-8")), encoding="utf-8")


_FINGERPRINT = re.compile(r"hmac:[0-9a-f]{12}")
_TOUR = re.compile(r"keyed for one run only\):\n\n```\n(.*?)\n    \.\.\.\n```", re.DOTALL)


def test_readme_tour_shows_what_the_incident_example_prints() -> None:
    from tests.helpers import run_cli

    match = _TOUR.search(README.read_text(encoding="utf-8"))
    assert match, "README lost its tour excerpt"
    run = run_cli("check", "examples/incident", cwd=README.parent)
    assert run.exit_code == 1
    shown = _FINGERPRINT.sub("hmac:…", match.group(1))
    assert _FINGERPRINT.sub("hmac:…", run.stdout).startswith(shown + "\n")
