"""Values from the live process environment (driftcheck's own, or one handed in)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from driftcheck.values import Entry, Origin, ParsedSource

PROCESS_ENVIRONMENT = "<process environment>"


def read_process_environment(
    environ: Mapping[str, str] | None = None,
    display_path: str = PROCESS_ENVIRONMENT,
) -> ParsedSource:
    """Every variable of ``environ`` (default: ``os.environ``) as an ambient entry.

    Entries are sorted by key, since environment order depends on how the process was
    started and findings should not. There are no lines, so origins carry none.
    """
    source = os.environ if environ is None else environ
    # One copy, so every key is looked up once in a mapping that cannot change meanwhile.
    snapshot = dict(source)
    return ParsedSource(
        entries=[
            Entry(key=key, value=snapshot[key], origin=Origin(display_path), ambient=True)
            for key in sorted(snapshot)
        ]
    )
