"""The force plan's solver figures as a reader must see them: each objective stage's status and gap.

The planner solves its objectives in stages (unmet requirement first, then cost, then the gender
shares). A plan is proven optimal only when every stage is; a stage stopped at its time limit
without a finite bound has an unknown gap, never "0 %". :func:`solver_stages` turns the planner's
summary into one row per stage and :func:`plan_proven` says whether the whole plan is proven.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

STAGE_COLUMNS = ["stage", "status", "objective", "bound", "mip_gap", "proven", "gap_known"]


def _number(value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out if math.isfinite(out) else math.nan


def solver_stages(summary: Mapping[str, Any]) -> pd.DataFrame:
    """One row per objective stage: status, objective, bound and gap as the planner reports them.

    A summary without ``stages`` (a single-stage planner) becomes one row from its ``status`` and
    ``mip_gap``.

    Returns
    -------
    DataFrame
        ``stage, status, objective, bound, mip_gap, proven, gap_known``: ``mip_gap`` is NaN and
        ``gap_known`` false when the stage has no finite bound (its gap is unknown); ``proven``
        is true only for a stage with status ``optimal``.
    """
    stages = summary.get("stages")
    if not stages:
        bound = summary.get("bound", summary.get("objective"))
        stages = [
            {
                "stage": "plan",
                "status": summary.get("status", "unknown"),
                "objective": summary.get("objective"),
                "bound": bound,
                "mip_gap": summary.get("mip_gap"),
            }
        ]
    rows = []
    for s in stages:
        status = str(s.get("status") or "unknown")
        bound = _number(s.get("bound"))
        gap = _number(s.get("mip_gap"))
        known = not math.isnan(bound) and not math.isnan(gap)
        rows.append(
            {
                "stage": str(s.get("stage", "")),
                "status": status,
                "objective": _number(s.get("objective")),
                "bound": bound,
                "mip_gap": gap if known else math.nan,
                "proven": status == "optimal",
                "gap_known": known,
            }
        )
    return pd.DataFrame(rows, columns=STAGE_COLUMNS)


def plan_proven(stages: pd.DataFrame) -> bool:
    """True when every stage is proven optimal (only then may a brief call the plan optimal)."""
    return bool(len(stages)) and bool(stages["proven"].all())
