"""A short load run (a few users for seconds): no error, every alert stored exactly once.

No timing is asserted (the CI machine is busy); ``benchmarks/web_load.py`` measures the
latencies with 50 users.
"""

from __future__ import annotations

from typing import Any

from benchmarks.web_users import run_load
from tests.web.conftest import unique

WRITERS = ("joc", "analyst", "partner")


def test_concurrent_users_get_no_error_and_alerts_are_stored_exactly_once(
    platform: dict[str, Any], server: str
) -> None:
    from bluehelmet.web.reports.models import Report

    users = platform["users"]
    marker = unique("load")
    result = run_load(
        server,
        [(users[u]["username"], users[u]["password"]) for u in WRITERS],
        users=4,
        seconds=8,
        marker=marker,
        think=(0.1, 0.5),
        seed=3,
    )
    assert result.errors == []
    assert result.latencies["page"] and result.alerts and result.reports
    stored = Report.objects.using("owner").filter(description__startswith=marker)
    counts: dict[str, int] = {}
    for text in stored.values_list("description", flat=True):
        counts[text] = counts.get(text, 0) + 1
    assert set(counts.values()) == {1}  # nothing stored twice, resends included
    assert set(counts) == set(result.alerts) | set(result.reports)  # nothing lost
