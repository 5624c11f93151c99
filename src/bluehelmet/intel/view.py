"""The gate for reports: :class:`ReportView` is the only thing intelligence analyses accept.

As :meth:`Scenario.view(reader) <bluehelmet.scenario.core.Scenario.view>` gives the
:class:`~bluehelmet.scenario.core.ScenarioView` every plan and statistic takes, a report store's
``view(reader)`` gives the :class:`ReportView` that fusion, hotspots, trends, early warning and
exports take, so ``mypy`` refuses a raw table of reports where a view is expected. A view is
obtained in two ways, both through :func:`admit`:

* :meth:`SQLiteReportStore.view(reader) <bluehelmet.intel.store.sqlite.SQLiteReportStore.view>`
  (and :func:`bluehelmet.intel.store.read_view`): the store selects the reader's rows in SQL with
  the one predicate, :meth:`NeedToKnow.sql <bluehelmet.model.access.NeedToKnow.sql>`;
* :meth:`ReportTable.view`: reports held in memory (UCDP events converted with
  :func:`~bluehelmet.intel.reports.events_to_reports`, a validated file), filtered with the same
  predicate's pandas rendering.

Either way the gate (:func:`bluehelmet.model.gate.gate`) is applied, the protected
``reporter_contact`` is blanked unless the reader is entitled to it
(:func:`bluehelmet.intel.contact.entitled`), and one audit line is logged
(:func:`bluehelmet.model.gate.audit`). The view's :attr:`~ReportView.marking` is the highest
classification among its reports: every derived file carries it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from bluehelmet.intel.contact import entitled
from bluehelmet.model.access import AccessContext, Classification, NeedToKnow
from bluehelmet.model.gate import audit, gate, highest_classification
from bluehelmet.model.schema import entity

#: The column that never leaves the record's owner (``model/schema/_sensitivity.csv``).
PROTECTED: tuple[str, ...] = tuple(entity("reports").protected_columns)


@dataclass(frozen=True)
class ReportView:
    """Reports as one reader may see them: what every intelligence analysis accepts.

    Obtain it with a store's ``view(reader)`` or :meth:`ReportTable.view`; never construct it
    directly (the constructors apply the gate and write the audit line).

    Attributes
    ----------
    reports
        The visible reports, with the declared columns of ``model/schema/reports.csv``
        (``reporter_contact`` only where the reader is entitled to it).
    reader
        Whose view it is.
    source
        What the reports were read from (for the audit line and messages).
    """

    reports: pd.DataFrame = field(repr=False)
    reader: AccessContext
    source: str

    def __len__(self) -> int:
        return len(self.reports)

    @property
    def policy(self) -> NeedToKnow:
        """The need-to-know predicate the view was filtered with."""
        return NeedToKnow.of(self.reader)

    @property
    def marking(self) -> Classification:
        """The highest classification among the view's reports (unclassified when empty)."""
        return highest_classification({"reports": self.reports})

    def subset(self, keep: pd.Series) -> ReportView:
        """The view restricted to the reports where the boolean mask ``keep`` is true.

        Never wider than the view (it only drops reports), so the gate is not applied again.
        """
        chosen = self.reports.loc[keep.to_numpy(bool)].reset_index(drop=True)
        return ReportView(chosen, self.reader, self.source)


def admit(table: pd.DataFrame, reader: AccessContext, source: str) -> ReportView:
    """``table`` through the gate for ``reader``: the one constructor of :class:`ReportView`.

    Need to know (:class:`~bluehelmet.model.access.NeedToKnow`), protected columns blanked
    unless the reader acts for the owner, the reporter's contact further blanked unless the
    reader is entitled to it (owner organisation at confidential or above), one audit line.
    Stores call it on the rows their query selected (a second, in-memory application of the
    same predicate); :meth:`ReportTable.view` on every row.
    """
    shown = gate({"reports": table}, NeedToKnow.of(reader))
    audit(reader, source, shown)
    out = shown["reports"]
    for column in PROTECTED:
        if column in out and len(out):
            out[column] = out[column].where(entitled(out, reader), pd.NA).astype("string")
    return ReportView(out, reader, source)


@dataclass(frozen=True)
class ReportTable:
    """Reports held in memory (not in a store), e.g. UCDP events or a validated report file.

    Parameters
    ----------
    reports
        Reports with the declared columns (:func:`bluehelmet.intel.reports.validate_reports`,
        :func:`~bluehelmet.intel.reports.events_to_reports`).
    source
        What they are, for the audit line (e.g. ``"UCDP GED 20.1"``).
    """

    reports: pd.DataFrame = field(repr=False)
    source: str = "reports"

    def view(self, reader: AccessContext) -> ReportView:
        """The reports ``reader`` may see, through the gate (see :func:`admit`)."""
        return admit(self.reports, reader, self.source)
