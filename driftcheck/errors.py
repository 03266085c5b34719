"""The one error family for problems a user can fix (exit code 2)."""

from __future__ import annotations


class DriftcheckError(Exception):
    """A problem with driftcheck's input: bad config or schema, an unreadable source.

    The message names the file (and line) and what is wrong, on one line. It never
    contains a configuration value: callers describe values, they do not quote them.
    """

    def __init__(
        self,
        message: str,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        return where + self.message.replace("\n", " ")


class DriftcheckErrors(DriftcheckError):
    """Several independent input problems, reported together (one line each)."""

    def __init__(self, errors: list[DriftcheckError]) -> None:
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)
