"""A line of a `.env` file does not parse; python-dotenv skips it with a warning.

## What it does
Reports lines python-dotenv cannot parse (an unterminated quote, text after a closing
quote, a key with spaces...), and for env dumps lines that are not `KEY=value`. The
rest of the file is still read and checked. The line's text is not shown: it may hold
a secret.

## Why is this bad?
The setting on that line is silently absent at run time.

## Example
```
API_KEY="abc" def
```

## Use instead
```
API_KEY="abc def"
```
"""

from __future__ import annotations

from collections.abc import Iterator

from driftcheck.findings import Problem
from driftcheck.project import Project
from driftcheck.rules._common import file_issues

CODE = "DC702"
NAME = "unparsable-line"
SEVERITY = "error"
ISSUE_KIND = "unparsable-line"


def check(project: Project) -> Iterator[Problem]:
    for layer, _source, issue in file_issues(project, ISSUE_KIND):
        yield Problem(
            f"line does not parse: {issue.detail}",
            service=layer.service,
            environment=layer.environment,
            origin=issue.origin,
            hint="python-dotenv skips this line; fix its quoting",
        )
