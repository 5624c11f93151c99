"""Invariants of every plan over hypothesis-generated instances."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bluehelmet import AccessContext
from bluehelmet.forcegen import PlanOptions, plan
from bluehelmet.forcegen.generate import random_scenario

instances = st.builds(
    random_scenario,
    n_missions=st.integers(1, 4),
    n_months=st.integers(3, 18),
    n_pledges=st.integers(1, 24),
    n_unit_types=st.integers(1, 5),
    seed=st.integers(0, 10**6),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances, st.sampled_from(["soft", "hard"]), st.integers(0, 2))
def test_plan_invariants(s, gender_mode: str, handover: int) -> None:  # noqa: ANN001
    s.set_param("gender_mode", gender_mode)
    s.set_param("handover_months", handover)
    r = plan(
        s.view(AccessContext.public()),
        PlanOptions(smart_pledging=False, sensitivities=False).with_solve(time_limit=10),
    )
    a = r.assignments
    months = pd.date_range(
        pd.Timestamp(s.param("planning_start")), periods=int(s.param("horizon_months")), freq="MS"
    )
    horizon = len(months)

    def pos(month: pd.Timestamp) -> int:
        """Month index from the planning start (past the horizon too: committed tours)."""
        return (month.year - months[0].year) * 12 + month.month - months[0].month

    # Budget never exceeded.
    c = r.costs.dropna(subset=["headroom_usd"])
    assert (c["cost_usd"] <= c["headroom_usd"] * (1 + 1e-6) + 1e-3).all()
    # No unit in two places: units of a pledge present in a month never exceed its count.
    pledges = s.pledges.set_index("id")
    present: dict[tuple[str, int], int] = {}
    for row in a.itertuples():
        assert pos(row.start) < horizon
        assert bool(row.beyond_horizon) == (pos(row.end) >= horizon)
        for t in range(pos(row.start), min(pos(row.end), horizon - 1) + 1):
            key = (row.pledge_id, t)
            present[key] = present.get(key, 0) + int(row.units)
    for (pid, _), n in present.items():
        assert n <= int(pledges.loc[pid, "count"])
    # Nothing starts before it can: availability plus PCRS lead time (transit only adds).
    leads = s.tables["pcrs_lead_times"].set_index("level")["lead_time_months"]
    start = pd.Timestamp(s.param("planning_start"))
    for row in a.itertuples():
        p = pledges.loc[row.pledge_id]
        base = max(pd.Timestamp(p["available_from"]), start)
        ready = base + pd.DateOffset(months=int(leads[p["pcrs_level"]]))
        if p["pcrs_level"] == "RDL":  # within 60 days of the request, transit included
            ready = min(ready, base + pd.Timedelta(days=60))
        assert row.start >= ready
        # Rotations respected: a tour never exceeds its rotations x the rotation length, and a
        # tour of j > 1 rotations lasts more than j - 1 of them (self-rotation only when needed).
        length = pos(row.end) - pos(row.start) + 1
        assert length <= int(row.rotations) * int(p["rotation_months"])
        assert length > (int(row.rotations) - 1) * int(p["rotation_months"])
    # Hard gender targets met.
    if gender_mode == "hard" and len(r.gender):
        g = r.gender.dropna(subset=["target_share"])
        assert (g["women_months"] >= g["target_share"] * g["person_months"] - 1e-6).all()
    # Coverage never exceeds what the plan deploys, and shortfall is consistent.
    assert np.all(r.coverage["covered"] <= r.coverage["required"])
    assert r.summary.unmet_requirement_months == r.gaps["unmet_unit_months"].sum()
    # Every pledge is explained.
    assert set(r.explanations["pledge_id"]) == set(s.pledges["id"])
    assert (r.explanations["reason_code"] != "").all()
