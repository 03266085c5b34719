"""``driftcheck matrix``: the drift at a glance, keys down and (service, environment) across."""

from __future__ import annotations

from dataclasses import dataclass, field

from driftcheck.project import Project

PRESENT = "present"
MISSING = "missing"
ABSENT = "-"
DIFFERS = "differs"
EMPTY = "empty"
#: Delivered by reference (a Secret Manager secret...), its value not in the sources.
REFERENCE = "reference"


@dataclass(slots=True)
class Matrix:
    columns: list[tuple[str, str]]
    rows: list[tuple[str, list[str]]] = field(default_factory=list)
    has_drift: bool = False


def _cell(project: Project, service: str, environment: str, key: str, values: set[str]) -> str:
    layer = project.layer(service, environment)
    entry = layer.values.get(key)
    spec = project.spec(service, key)
    if entry is None or not entry.present:
        if spec is not None and spec.required_in(environment):
            return MISSING
        return ABSENT
    if entry.value is None:
        return REFERENCE
    if not entry.value:
        return EMPTY
    if project.is_secret(service, key):
        return project.fingerprinter.fingerprint(entry.value)
    return DIFFERS if len(values) > 1 else PRESENT


def build_matrix(
    project: Project, services: tuple[str, ...] = (), environments: tuple[str, ...] = ()
) -> Matrix:
    chosen_services = [s for s in project.services if not services or s in services]
    chosen_envs = [e for e in project.environments if not environments or e in environments]
    matrix = Matrix(columns=[(s, e) for s in chosen_services for e in chosen_envs])
    keys: set[str] = set()
    for service in chosen_services:
        keys.update(project.schemas[service].keys)
        for environment in chosen_envs:
            layer = project.layer(service, environment)
            keys.update(k for k, entry in layer.values.items() if not entry.ambient)
    for key in sorted(keys):
        cells: list[str] = []
        for service in chosen_services:
            values = {
                entry.value
                for environment in chosen_envs
                if (entry := project.layer(service, environment).values.get(key)) is not None
                and entry.value is not None
            }
            cells.extend(_cell(project, service, env, key, values) for env in chosen_envs)
        if all(cell == ABSENT for cell in cells):
            continue
        if MISSING in cells or EMPTY in cells:
            matrix.has_drift = True
        matrix.rows.append((key, cells))
    return matrix


_STYLES = {
    MISSING: "bold red",
    EMPTY: "red",
    DIFFERS: "yellow",
    PRESENT: "green",
    ABSENT: "dim",
    REFERENCE: "cyan",
}


def print_matrix(matrix: Matrix, colour: bool) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(no_color=not colour, highlight=False, width=None if colour else 10_000)
    table = Table(show_lines=False)
    table.add_column("key", no_wrap=True)
    for service, environment in matrix.columns:
        table.add_column(f"{service}\n{environment}", no_wrap=True)
    for key, cells in matrix.rows:
        table.add_row(
            Text(key), *(Text(cell, style=_STYLES.get(cell, "magenta")) for cell in cells)
        )
    console.print(table)
