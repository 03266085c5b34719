"""A secret outside development is a placeholder, too short, or one repeated character.

## What it does
Checks every secret value in environments not marked `development` against a list of
placeholders (`changeme`, `secret`, `password`, `your-secret-here`, ...), its minimum
length (`min_length` in the schema, 16 by default) and trivial patterns. The value is
never shown, not even as a fingerprint: a fingerprint of a known placeholder is a
confirmation.

## Why is this bad?
Placeholders copied from an example file reach staging and prod more often than anyone
admits, and a short secret can be brute-forced.

## Example
```
JWT_SECRET_KEY=changeme
```

## Use instead
```
JWT_SECRET_KEY=<64 random characters from your secret store>
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from driftcheck.findings import Problem
from driftcheck.project import Project

CODE = "DC303"
NAME = "weak-secret"
SEVERITY = "error"

PLACEHOLDERS = frozenset(
    {
        "changeme",
        "change-me",
        "change_me",
        "changeit",
        "secret",
        "password",
        "passwd",
        "default",
        "test",
        "testing",
        "example",
        "sample",
        "dummy",
        "todo",
        "fixme",
        "xxx",
        "replaceme",
        "replace-me",
        "replace_me",
        "your-secret-here",
        "your_secret_here",
        "yoursecret",
        "mysecret",
        "my-secret",
        "supersecret",
        "super-secret",
        "letmein",
        "admin",
        "root",
        "qwerty",
        "123456",
        "12345678",
        "none",
        "null",
        "undefined",
        "insecure",
        "notsecret",
        "not-a-secret",
        "dev",
        "development",
        "local",
        "secretkey",
        "secret-key",
        "secret_key",
        "jwt-secret",
        "jwt_secret",
        "jwtsecret",
    }
)
_PLACEHOLDER_SHAPE = re.compile(r"^(<[^>]*>|\$\{[^}]*\}|\{\{[^}]*\}\}|x+|\*+|\.+)$", re.IGNORECASE)


def weakness(value: str, min_length: int) -> str | None:
    """Why ``value`` is a weak secret, in words that do not reveal it, or None."""
    folded = value.strip().lower()
    if folded in PLACEHOLDERS or _PLACEHOLDER_SHAPE.match(folded):
        return "is a placeholder"
    if value and value == value[0] * len(value):
        return "is one character repeated"
    if len(value) < min_length:
        return f"is {len(value)} characters long; at least {min_length} expected"
    return None


def check(project: Project) -> Iterator[Problem]:
    for service in project.services:
        # Each secret's spec once per service, not once per environment.
        secrets = []
        for key in project.declared_secret_names(service):
            spec = project.spec(service, key)
            if spec is not None:
                secrets.append((key, spec.secret_min_length))
        for layer in project.layers_of(service):
            if project.is_development(layer.environment):
                continue
            values = layer.values
            for key, min_length in secrets:
                entry = values.get(key)
                if entry is None or not entry.value or entry.fingerprinted:
                    continue
                reason = weakness(entry.value, min_length)
                if reason is None:
                    continue
                yield Problem(
                    f"secret {key} {reason}",
                    service=layer.service,
                    environment=layer.environment,
                    key=key,
                    origin=entry.origin,
                    hint="use a long random value from your secret store",
                )
