"""A `.env` file starts with a UTF-8 byte-order mark.

## What it does
Reports files that start with U+FEFF, as some Windows editors write them.

## Why is this bad?
python-dotenv keeps the mark as part of the first key, so `PORT=8000` on the first
line sets a key named `\\ufeffPORT` and `PORT` is missing.

## Example
A file saved as "UTF-8 with BOM".

## Use instead
Save the file as plain UTF-8.
"""

from __future__ import annotations

from collections.abc import Iterator

from driftcheck.findings import Problem
from driftcheck.project import Project
from driftcheck.rules._common import file_issues

CODE = "DC703"
NAME = "byte-order-mark"
SEVERITY = "error"
ISSUE_KIND = "byte-order-mark"


def check(project: Project) -> Iterator[Problem]:
    for layer, source, issue in file_issues(project, ISSUE_KIND):
        entries = source.parsed.entries
        # python-dotenv keeps the mark in the first key; JSON and env-dump readers skip it.
        first = entries[0].key if entries else ""
        first_key = (first[1:] or None) if first.startswith("\ufeff") else None
        read_as = f"; the first key is read as '\\ufeff{first_key}'" if first_key else ""
        yield Problem(
            "file starts with a UTF-8 byte-order mark" + read_as,
            service=layer.service,
            environment=layer.environment,
            key=first_key,
            origin=issue.origin,
            hint="save the file as UTF-8 without BOM",
        )
