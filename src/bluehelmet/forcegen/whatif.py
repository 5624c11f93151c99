"""What one more unit, more money or faster readiness would buy: re-solves of the model.

The value of one more unit for a mission and unit type is measured by adding one hypothetical
pledge of that type at the best readiness (RDL, offered from the start of planning, leaving from
the mission area so only loading time counts) and re-solving the LP relaxation of the first
(coverage) stage: the drop in weighted unmet requirement-months is the value of that unit. LP
re-solves are used because they are fast and monotone; a MIP re-solve with a short time limit
often returns its start and shows a value of zero. The LP value is an estimate (it can credit
fractions of a unit); the table says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from bluehelmet.forcegen.data import prepare
from bluehelmet.forcegen.formulation import build_model
from bluehelmet.forcegen.generate import frame
from bluehelmet.forcegen.solve import solve_relaxation
from bluehelmet.scenario.core import Scenario

if TYPE_CHECKING:
    from bluehelmet.forcegen.api import Solved

ASK_CONTRIBUTOR = "UN-ASK"


def _resolve_unmet(s: Scenario, horizon: int | None, solved: Solved) -> float:
    """First-stage optimum of the changed scenario: the LP relaxation's value.

    The LP value moves monotonically with more resources and solves in well under a second even
    where the MIP needs minutes, so every what-if is compared LP to LP (see :func:`base_value`).
    """
    d, _ = prepare(s, horizon)
    m = build_model(d)
    return float(m.objective_vector("unmet") @ solve_relaxation(m, "unmet"))


def base_value(solved: Solved) -> float:
    """LP-relaxation value of the first stage of the base model (the what-ifs' reference)."""
    m = solved.model
    return float(m.objective_vector("unmet") @ solve_relaxation(m, "unmet"))


def _with_ask(view: Scenario, mission_id: str, unit_type_id: str) -> Scenario:
    s = view.copy()
    start = pd.Timestamp(s.param("planning_start"))
    lang = str(s.missions.set_index("id").loc[mission_id, "language"])
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
    base = base_value(solved)
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
    for g in gaps.itertuples(index=False):
        s = _with_ask(view, str(g.mission_id), str(g.unit_type_id))
        d2, _ = prepare(s, horizon)
        n_new = len(d2.candidates) - len(d.candidates)
        value = base - _resolve_unmet(s, horizon, solved) if n_new > 0 else 0.0
        first = pd.Timestamp(str(g.first_short) + "-01")
        u = units.loc[str(g.unit_type_id)]
        monthly = (float(str(u["personnel"])) * float(d.rate[0])
                   + float(str(u["equipment_monthly_usd"]))
                   + float(str(u["aviation_monthly_usd"])))
        row = {"mission_id": g.mission_id, "unit_type_id": g.unit_type_id,
               "unit_type": u["name"], "capability": u["capability"],
               "critical": bool(g.critical), "units_short_at_worst": int(float(str(g.max_short))),
               "unit_months_short": float(str(g.short_months)),
               "weighted_short": float(str(g.weighted_short)),
               "first_month_short": g.first_short}
        for level, months in leads.items():
            row[f"request_by_{level}"] = (first - pd.DateOffset(months=int(str(months)))).strftime(
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
    base = base_value(solved)
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
        unmet = _resolve_unmet(s, horizon, solved)
        rows.append({"change": label, "weighted_unmet_lp": unmet, "gain": base - unmet})
    return pd.DataFrame(rows)
