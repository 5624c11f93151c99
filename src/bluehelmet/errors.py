"""All exceptions raised by bluehelmet, in one place.

Every error about input names where the problem is (file, row, field, value), why it is a problem
and what would be right, so that a user can fix the file without reading the code.
"""

from __future__ import annotations

from dataclasses import dataclass


class BluehelmetError(Exception):
    """Base class of every error bluehelmet raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem found in input data.

    Parameters
    ----------
    file
        The file (or table name) the problem was found in.
    row
        1-based line number in the file (the header is line 1), or ``None`` for a problem
        with the whole file.
    field
        The column concerned, or ``None``.
    value
        The offending value as read, or ``None``.
    reason
        Why the value is a problem.
    fix
        What would be right.

    """

    file: str
    row: int | None
    field: str | None
    value: str | None
    reason: str
    fix: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", line {self.row}"
        if self.field is not None:
            where += f", column '{self.field}'"
        value = "" if self.value is None else f": value {self.value!r}"
        return f"{where}{value}: {self.reason}. Fix: {self.fix}."


class DataError(BluehelmetError):
    """Input data that cannot be accepted; carries one or more :class:`Problem`."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        shown = "\n".join(f"  - {p}" for p in self.problems[:20])
        more = len(self.problems) - 20
        if more > 0:
            shown += f"\n  ... and {more} more"
        super().__init__(f"{len(self.problems)} problem(s) in input data:\n{shown}")


class UnreadableFileError(BluehelmetError):
    """A file that cannot be read at all (missing, not CSV, unknown format)."""


class ScenarioNotFoundError(BluehelmetError):
    """A scenario name that is neither bundled nor a folder."""


class AccessDeniedError(BluehelmetError):
    """The reader's access context does not allow the requested operation."""


class SolverError(BluehelmetError):
    """The optimisation solver failed or returned no usable solution."""


class StoreError(BluehelmetError):
    """A report store that is missing, damaged or not a bluehelmet store.

    Messages name the store and what is wrong with it, never a stored value.
    """


class OutputError(BluehelmetError):
    """An output file that cannot be written (a folder in its place, no permission, disk full)."""
