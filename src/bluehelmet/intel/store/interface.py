"""The storage interface of intelligence reports (SQLite here, PostgreSQL on the platform)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd

from bluehelmet.intel.view import ReportView
from bluehelmet.model.access import AccessContext


@dataclass
class AddResult:
    """What :meth:`ReportStore.add` did with each row of the table it was given.

    Attributes
    ----------
    added, present
        Rows stored now; rows identical to a report already stored (importing twice changes
        nothing).
    rejected
        Rows refused, as positions into the table given with ``field``, ``value``, ``reason``
        and ``fix`` columns.
    """

    added: int = 0
    present: int = 0
    rejected: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["position", "field", "value", "reason", "fix"]
        )
    )


class ReportStore(Protocol):
    """A report store: add, view, count, check.

    :meth:`view` is the only way to read reports for analysis (it returns the
    :class:`~bluehelmet.intel.view.ReportView` analyses accept); :meth:`count` answers with the
    same predicate without reading the reports.
    """

    def add(self, table: pd.DataFrame, writer: AccessContext | None) -> AddResult:
        """Add validated reports in one transaction; ``writer=None`` only for published data."""
        ...

    def view(self, reader: AccessContext) -> ReportView:
        """The reports ``reader`` may see, in the order they were stored, through the gate."""
        ...

    def count(self, reader: AccessContext) -> int:
        """How many reports ``reader`` may see."""
        ...

    def check(self) -> None:
        """Raise :class:`~bluehelmet.errors.StoreError` unless the store is intact."""
        ...
