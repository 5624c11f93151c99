"""What one more unit, more money or faster readiness would buy: re-solves of the model.

The value of one more unit for a mission and unit type is measured by adding one hypothetical
pledge of that type at the best readiness (RDL, offered from the start of planning, leaving from
the mission area so only loading time counts) and re-solving the first (coverage) stage from the
current plan. This is exact for the model, unlike LP duals, which are zero or misleading in a MIP.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from bluehelmet.forcegen.formulation import build_model
from bluehelmet.forcegen.generate import frame
from bluehelmet.forcegen.data import prepare
from bluehelmet.forcegen.greedy import greedy_plan
from bluehelmet.forcegen.solve import solve
from bluehelmet.scenario.core import Scenario

if TYPE_CHECKING:
    from bluehelmet.forcegen.api import Solved

#: Seconds allowed for each re-solve.
RESOLVE_SECONDS = 5.0
ASK_CONTRIBUTOR = "UN-ASK"


def _resolve_unmet(s: Scenario, horizon: int | None, start: np.ndarray | None = None) -> float:
    d, _ = prepare(s, horizon)
    m = build_model(d)
    x0 = start if start is not None and len(start) == m.n_cols else greedy_plan(m, d)
    r = solve(m, ("unmet",), time_limit=RESOLVE_SECONDS, warm_start=x0)
    return r.stages[0].objective if r.stages else 0.0


def _with_ask(view: Scenario, mission_id: str, unit_type_id: str) -> Scenario:
    s = view.copy()
    start = pd.Timestamp(s.param("planning_start"))
    lang = s.missions.set_index("id").loc[mission_id, "language"]
    contributors = s.tables["contributors"]
    if ASK_CONTRIBUTOR not in set(contributors["id"].astype(str)):
        row = frame("contributors", {"id": [ASK_CONTRIBUTOR], "name": ["Hypothetical new pledge"],
                                     "kind": ["member_state"], "languages": [f"en;{lang}"]},
                    "assumed: the unit the UN would ask for")
        s.tables["contributors"] = pd.concat([contributors, row], ignore_index=True)
    pledge = frame("pledges", {"id": ["ASK-1"], "contributor_id": [ASK_CONTRIBUTOR],
                               "unit_type_id": [unit_type_id], "count": [1], "pcrs_level": ["RDL"],
                               "available_from": [start], "rotation_months": [12],
                               "women_share": [0.0], "languages": [f"en;{lang}"]},
                   "assumed: the unit the UN would ask for")
    s.tables["pledges"] = pd.concat([s.tables["pledges"], pledge], ignore_index=True)
    return s


def smart_pledging_table(view: Scenario, solved: Solved, horizon: int | None,
                         max_asks: int = 12) -> pd.DataFrame:
    """The units the UN should ask for, ranked by the coverage one more unit would add.

    Columns: mission, unit type, capability, priority, units short at the worst month, first month
    short, the latest date to request it at each PCRS level, the weighted requirement-months one
    more unit gains (``value``), its monthly cost and the reason.
    """
    d, m, sol = solved.data, solved.model, solved.solution
    base = sol.stages[0].objective if sol.stages else 0.0
    from bluehelmet.forcegen.results import coverage_table, tour_values

    cov = coverage_table(d, tour_values(m, sol.x))
    gaps = cov[cov["short"] > 0].groupby(["mission_id", "unit_type_id"]).agg(
        weighted_short=("weighted_short", "sum"), short_months=("short", "sum"),
        max_short=("short", "max"), first_short=("month_start", "min"),
        critical=("critical", "max")).reset_index()
    gaps = gaps.sort_values("weighted_short", ascending=False).head(max_asks)
    units = view.unit_types.set_index("id")
    leads = view.tables["pcrs_lead_times"].set_index("level")["lead_time_months"].astype(int)
    rows = []
    tours = m.var_families["Tour-start"]
    for g in gaps.itertuples(index=False):
        s = _with_ask(view, str(g.mission_id), str(g.unit_type_id))
        d2, _ = prepare(s, horizon)
        n_new = len(d2.candidates) - len(d.candidates)
        # The hypothetical pledge sorts last, so the current plan keeps its column positions.
        x0 = np.concatenate([sol.x[:tours.stop], np.zeros(max(n_new, 0)), sol.x[tours.stop:]])
        value = base - _resolve_unmet(s, horizon, x0) if n_new > 0 else 0.0
        first = pd.Timestamp(str(g.first_short) + "-01")
        u = units.loc[g.unit_type_id]
        monthly = float(u["personnel"]) * float(d.rate[0]) + float(
            u["equipment_monthly_usd"]) + float(u["aviation_monthly_usd"])
        row = {"mission_id": g.mission_id, "unit_type_id": g.unit_type_id,
               "unit_type": u["name"], "capability": u["capability"],
               "critical": bool(g.critical), "units_short_at_worst": int(g.max_short),
               "unit_months_short": float(g.short_months),
               "weighted_short": float(g.weighted_short), "first_month_short": g.first_short}
        for level, months in leads.items():
            row[f"request_by_{level}"] = (first - pd.DateOffset(months=int(months))).strftime(
                "%Y-%m-%d")
        row.update({"value_one_more_unit": float(value), "monthly_cost_usd": monthly,
                    "value_per_musd_month": float(value) / (monthly / 1e6) if monthly else np.nan,
                    "why": (f"{g.short_months:.0f} unit-months short from {g.first_short}"
                            + ("; critical capability" if g.critical else "")
                            + ("" if n_new > 0 else "; a new unit could not arrive in time "
                               "or is excluded by budget/language"))})
        rows.append(row)
    out = pd.DataFrame(rows)
    if len(out):
        out = out.sort_values(["value_one_more_unit", "weighted_short"],
                              ascending=False).reset_index(drop=True)
    return out


def sensitivity_table(view: Scenario, solved: Solved, horizon: int | None) -> pd.DataFrame:
    """Weighted unmet requirement-months under more budget, faster readiness and more lift."""
    base = solved.solution.stages[0].objective if solved.solution.stages else 0.0
    variants: list[tuple[str, Scenario]] = []
    for factor, label in ((1.1, "budget headroom +10 %"), (1e6, "budget headroom unlimited")):
        s = view.copy()
        s.tables["budgets"] = s.tables["budgets"].assign(
            headroom_usd=s.tables["budgets"]["headroom_usd"] * factor)
        variants.append((label, s))
    faster = {"L1": "L2", "L2": "L3", "L3": "RDL"}
    for level, to in faster.items():
        s = view.copy()
        p = s.tables["pledges"]
        if (p["pcrs_level"] == level).any():
            s.tables["pledges"] = p.assign(pcrs_level=p["pcrs_level"].replace({level: to}))
            variants.append((f"pledges at {level} reach {to}", s))
    s = view.copy()
    s.set_param("lift_moves_per_month", int(round(1.5 * int(view.param("lift_moves_per_month")))),
                "what-if")
    variants.append(("strategic lift +50 %", s))
    rows = []
    for label, s in variants:
        unmet = _resolve_unmet(s, horizon, None)
        rows.append({"change": label, "weighted_unmet": unmet, "gain": base - unmet})
    return pd.DataFrame(rows)
