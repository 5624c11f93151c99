"""Hand-built reports for the intel tests."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from bluehelmet.intel.reports import validate_reports
from bluehelmet.intel.view import ReportTable, ReportView
from bluehelmet.model.access import AccessContext

HEADER = (
    "id,time,time_precision,longitude,latitude,place_name,category,fatalities,"
    "civilian_deaths,source_type,reliability,credibility,classification,owner,"
    "releasable_to,source,reporter_contact\n"
)

#: A patrol and villagers report the same attack; the same place is attacked again 4 days later;
#: a partner's strictly confidential report sits at a place no one else reports.
CASE = (
    HEADER
    + "\n".join(
        [
            "p1,2018-03-05T14:00,hour,-3.0,15.0,,attack_on_civilians,5,5,patrol,B,2,unclassified,"
            "MINUSMA,,patrol log,",
            "v1,2018-03-05T16:30,hour,-3.02,15.01,,attack_on_civilians,7,7,community_alert,F,3,"
            "confidential,MINUSMA,,CAN,+223 555 0101",
            "x1,2018-03-09T14:00,hour,-3.0,15.0,,attack_on_civilians,1,1,patrol,B,2,unclassified,"
            "MINUSMA,,patrol log,",
            "s1,2018-03-07,day,-1.0,16.0,,attack_on_civilians,40,40,partner,A,1,strictly_confidential,"
            "FRA,,partner,",
        ]
    )
    + "\n"
)


def reports(text: str = CASE) -> pd.DataFrame:
    table, problems = validate_reports(
        pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False), "case.csv"
    )
    assert problems == []
    return table


def view(table: pd.DataFrame, reader: AccessContext) -> ReportView:
    """``table`` as ``reader`` may see it (reports in memory, through the gate)."""
    return ReportTable(table, "test case").view(reader)


def fill_store(folder: Path, table: pd.DataFrame) -> Path:
    """A store in ``folder`` holding ``table``, each report added by its owner (full clearance)."""
    from bluehelmet.intel.store import open_store
    from bluehelmet.model.access import Classification

    with open_store(folder, create=True) as store:
        for owner in table["owner"].drop_duplicates():
            writer = AccessContext(str(owner), Classification.STRICTLY_CONFIDENTIAL)
            result = store.add(table[table["owner"] == owner], writer)
            assert len(result.rejected) == 0, result.rejected
    return folder
