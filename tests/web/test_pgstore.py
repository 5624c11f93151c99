"""One storage interface: the platform's PostgreSQL store adds as the library's SQLite store.

Generated imports (two in a row, the second reusing ids of the first, some changed) go through
``ReportStore.add`` of both stores with the same writer; the rows added, already present and
rejected (position and field) must be the same.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.conftest import unique

pytestmark = pytest.mark.usefixtures("platform")

LEVELS = ["unclassified", "confidential", "strictly_confidential"]
row = st.tuples(
    st.sampled_from(["mine", "mine", "AU"]), st.sampled_from(LEVELS), st.booleans()
)  # owner, classification, changed on the second import


def _table(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    from bluehelmet.intel.reports import validate_reports

    raw = pd.DataFrame(
        [
            {
                "id": rid,
                "time": "2018-06-01",
                "longitude": "2.4",
                "latitude": "15.9",
                "category": "ied",
                "source_type": "patrol",
                "description": text,
                "classification": level,
                "owner": owner,
                "source": "generated",
            }
            for rid, owner, level, text in rows
        ]
    )
    table, problems = validate_reports(raw, "generated.csv")
    assert problems == []
    return table


def _outcome(result: Any) -> tuple[int, int, set[tuple[int, str]]]:
    rejected = {
        (int(p), str(f))
        for p, f in zip(result.rejected["position"], result.rejected["field"], strict=True)
    }
    return result.added, result.present, rejected


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=st.lists(row, min_size=1, max_size=6), extra=st.lists(row, max_size=3))
def test_platform_store_adds_as_the_library_store(
    first: list[tuple[str, str, bool]], extra: list[tuple[str, str, bool]]
) -> None:
    from django.db import transaction

    from bluehelmet.intel.store import open_store
    from bluehelmet.model.access import AccessContext, Classification
    from bluehelmet.web.policy import set_reader
    from bluehelmet.web.reports.pgstore import PlatformReportStore

    org = unique("DIF")
    writer = AccessContext(org, Classification.CONFIDENTIAL)

    def owner(name: str) -> str:
        return org if name == "mine" else name

    one = _table([(f"r{i}", owner(o), lv, "first") for i, (o, lv, _) in enumerate(first)])
    again = [
        (f"r{i}", owner(o), lv, "changed" if ch else "first") for i, (o, lv, ch) in enumerate(first)
    ] + [(f"n{i}", owner(o), lv, "new") for i, (o, lv, _) in enumerate(extra)]
    two = _table(again)
    with (
        tempfile.TemporaryDirectory() as folder,
        open_store(Path(folder) / "s", create=True) as library,
    ):
        expected = [_outcome(library.add(t, writer)) for t in (one, two)]
    with transaction.atomic():
        set_reader(writer)
        platform = PlatformReportStore()
        got = [_outcome(platform.add(t, writer)) for t in (one, two)]
        seen = platform.view(writer)  # the library's view type, through the same gate
        assert len(seen.reports) == platform.count(writer)
        transaction.set_rollback(True)  # leave the shared database as it was
    assert got == expected
