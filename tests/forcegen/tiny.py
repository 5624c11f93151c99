"""Tiny hand-built scenarios with known optima."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from bluehelmet.forcegen.generate import frame
from bluehelmet.scenario.core import Scenario

SRC = "test case"


def tiny(
    pledges: list[dict[str, object]],
    requirement_months: int = 12,
    count: int = 1,
    headroom: float = 1e12,
    in_place: list[dict[str, object]] | None = None,
    ceilings: list[dict[str, object]] | None = None,
    **params: object,
) -> Scenario:
    """One mission (no coordinates: no transit), one unit type of 100 persons at US$1,000.

    ``in_place`` rows (see :func:`unit_in_place`) and ``ceilings`` rows (see :func:`ceiling`)
    fill the force in place and the Council ceilings of mission M.
    """
    t0 = pd.Timestamp(2018, 7, 1)
    tables = {
        "missions": frame(
            "missions",
            {"id": ["M"], "name": ["Mission"], "language": ["en"], "region": ["africa"]},
            SRC,
        ),
        "contributors": frame(
            "contributors",
            {"id": ["A", "B"], "name": ["A", "B"], "kind": ["member_state"] * 2},
            SRC,
        ),
        "unit_types": frame(
            "unit_types",
            {
                "id": ["U"],
                "name": ["Unit"],
                "capability": ["aviation"],
                "critical": [True],
                "personnel": [100],
                "personnel_category": ["troops"],
                "personnel_source": [SRC],
                "equipment_monthly_usd": [0.0],
                "aviation_monthly_usd": [0.0],
                "cost_source": [SRC],
                "lift_moves": [1],
                "lift_source": [SRC],
            },
            SRC,
        ),
        "pledges": frame(
            "pledges",
            {
                "id": [f"P{i}" for i in range(len(pledges))],
                **{k: [p[k] for p in pledges] for k in pledges[0]},
            },
            SRC,
        ),
        "requirements": frame(
            "requirements",
            {
                "id": ["R"],
                "mission_id": ["M"],
                "unit_type_id": ["U"],
                "count": [count],
                "start": [t0],
                "end": [t0 + pd.DateOffset(months=requirement_months) - pd.Timedelta(days=1)],
                "priority": ["critical"],
            },
            SRC,
        ),
        "reimbursement_rates": frame(
            "reimbursement_rates",
            {
                "id": ["r"],
                "valid_from": [pd.Timestamp(2018, 1, 1)],
                "usd_per_person_month": [1000.0],
            },
            SRC,
        ),
        "budgets": frame(
            "budgets",
            {
                "id": ["b1", "b2"],
                "mission_id": ["M", "M"],
                "fiscal_year": ["2018/19", "2019/20"],
                "headroom_usd": [headroom, headroom],
            },
            SRC,
        ),
        "pcrs_lead_times": frame(
            "pcrs_lead_times",
            {"id": ["L1", "RDL"], "level": ["L1", "RDL"], "lead_time_months": [3, 0]},
            SRC,
        ),
        "gender_targets": frame(
            "gender_targets",
            {"id": ["g"], "year": [2018], "personnel_category": ["troops"], "target_share": [0.1]},
            SRC,
        ),
    }
    if in_place:
        tables["units_in_place"] = frame(
            "units_in_place",
            {
                "id": [f"IP{i}" for i in range(len(in_place))],
                **{k: [u.get(k) for u in in_place] for k in in_place[0]},
            },
            SRC,
        )
    if ceilings:
        tables["ceilings"] = frame(
            "ceilings",
            {
                "id": [f"C{i}" for i in range(len(ceilings))],
                **{k: [c.get(k) for c in ceilings] for k in ceilings[0]},
            },
            SRC,
        )
    s = Scenario("tiny", tables)
    s.set_param("planning_start", dt.date(2018, 7, 1))
    s.set_param("horizon_months", 12)
    s.set_param("loading_days", 0)
    s.set_param("max_contributor_share", 1.0)
    s.set_param("lift_moves_per_month", 10)
    s.set_param("lift_move_usd", 0.0)  # no emplacement cost unless a test sets one
    for k, v in params.items():
        s.set_param(k, v)
    return s


def pledge(
    contributor: str = "A",
    level: str = "RDL",
    rotation: int = 6,
    count: int = 1,
    women: float = 0.2,
    available_from: str = "2018-07-01",
) -> dict[str, object]:
    """A pledge row of unit type U."""
    return {
        "contributor_id": contributor,
        "unit_type_id": "U",
        "count": count,
        "pcrs_level": level,
        "available_from": pd.Timestamp(available_from),
        "rotation_months": rotation,
        "women_share": women,
    }


def unit_in_place(
    contributor: str = "B",
    count: int = 1,
    since: str | None = None,
    until: str | None = None,
    personnel: int | None = None,
    pledge_id: str | None = None,
) -> dict[str, object]:
    """A ``units_in_place`` row of unit type U in mission M."""
    return {
        "mission_id": "M",
        "location": "Base",
        "contributor_id": contributor,
        "unit_type_id": "U",
        "count": count,
        "since": pd.Timestamp(since) if since else pd.NaT,
        "until": pd.Timestamp(until) if until else pd.NaT,
        "personnel": personnel if personnel is not None else pd.NA,
        "pledge_id": pledge_id if pledge_id else pd.NA,
    }


def ceiling(
    persons: int | None,
    valid_from: str = "2018-01-01",
    valid_to: str | None = None,
    component: str = "military",
) -> dict[str, object]:
    """A ``ceilings`` row of mission M (``persons`` None: the resolution sets no number)."""
    return {
        "mission_id": "M",
        "component": component,
        "valid_from": pd.Timestamp(valid_from),
        "valid_to": pd.Timestamp(valid_to) if valid_to else pd.NaT,
        "kind": "numeric" if persons is not None else "none",
        "ceiling": persons if persons is not None else pd.NA,
    }
