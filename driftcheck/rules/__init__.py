"""The rule registry: an explicit list, in code order.

Each rule is one module with ``CODE``, ``NAME``, ``SEVERITY``, a ``check(project)``
generator of problems, and a docstring that is its user documentation
(``driftcheck rule CODE`` prints it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import ModuleType
from typing import NamedTuple

from driftcheck.findings import Problem, Severity
from driftcheck.project import Project
from driftcheck.rules import (
    address_wrong_port,
    alias_conflict,
    byte_order_mark,
    constraint_violation,
    control_character,
    deprecated_name_used,
    discovery_port_mismatch,
    duplicate_key,
    environment_parity,
    invalid_port,
    invalid_value,
    key_outside_environments,
    near_miss_key,
    port_collision,
    port_mismatch,
    reference_not_found,
    required_key_empty,
    required_key_missing,
    secret_reused_across_environments,
    shared_name_mismatch,
    shared_value_mismatch,
    surrounding_whitespace,
    unknown_key,
    unparsable_line,
    weak_secret,
)

FAMILIES = {
    "1": "Missing",
    "2": "Name drift",
    "3": "Secret and shared-value drift",
    "4": "Port drift",
    "5": "Type and value",
    "6": "Parity",
    "7": "File hygiene",
}


class Rule(NamedTuple):
    code: str
    name: str
    severity: Severity
    documentation: str
    check: Callable[[Project], Iterator[Problem]]

    @property
    def summary(self) -> str:
        return self.documentation.strip().splitlines()[0]

    @property
    def family(self) -> str:
        return FAMILIES[self.code[2]]


def _rule(module: ModuleType) -> Rule:
    return Rule(
        code=module.CODE,
        name=module.NAME,
        severity=Severity.parse(module.SEVERITY),
        documentation=module.__doc__ or "",
        check=module.check,
    )


RULES: tuple[Rule, ...] = tuple(
    sorted(
        (
            _rule(module)
            for module in (
                required_key_missing,
                required_key_empty,
                reference_not_found,
                deprecated_name_used,
                alias_conflict,
                near_miss_key,
                shared_name_mismatch,
                shared_value_mismatch,
                secret_reused_across_environments,
                weak_secret,
                port_mismatch,
                address_wrong_port,
                discovery_port_mismatch,
                port_collision,
                invalid_port,
                invalid_value,
                constraint_violation,
                control_character,
                surrounding_whitespace,
                environment_parity,
                unknown_key,
                key_outside_environments,
                duplicate_key,
                unparsable_line,
                byte_order_mark,
            )
        ),
        key=lambda rule: rule.code,
    )
)

BY_CODE = {rule.code: rule for rule in RULES}
BY_NAME = {rule.name: rule for rule in RULES}


def find_rule(code_or_name: str) -> Rule | None:
    return BY_CODE.get(code_or_name.upper()) or BY_NAME.get(code_or_name.lower())
