"""What one more unit, more money, more lift or faster readiness would buy.

Every what-if is measured on the LP relaxation of the first (coverage) stage: the drop in weighted
unmet requirement-months. LP values move monotonically with more resources and re-solve in
milliseconds from the previous basis, whereas a MIP re-solve under a short time limit often
returns its start and shows a value of zero. The LP value is an estimate (it can credit fractions
of a unit); the tables say so in their column names.

The value of one more unit for a mission and unit type: one hypothetical pledge of that type at the
best readiness (RDL, offered from the start of planning, no transit beyond loading), restricted to
that mission. All hypothetical pledges are built into one model with their tours fixed at zero;
each is then released in turn and the LP re-solved from the previous basis. Budget and lift
changes are row-bound changes on the same LP; readiness changes need new candidate tours and are
rebuilt.
"""

from __future__ import annotations

import time

import highspy
import numpy as np
import pandas as pd

from bluehelmet.forcegen.data import RDL_DAYS, prepare
from bluehelmet.forcegen.formulation import build_model
from bluehelmet.forcegen.generate import frame
from bluehelmet.forcegen.lp import solve_relaxation
from bluehelmet.forcegen.pipeline import Solved
from bluehelmet.forcegen.tables import coverage_table, tour_values
from bluehelmet.highs import to_highs
from bluehelmet.optimize.linear import LinearModel
from bluehelmet.scenario.core import Scenario
from bluehelmet.statistics.money import fixed_monthly_cost, monthly_cost

#: The PCRS levels, each with a latest-request-date column in the smart-pledging table.
PCRS_LEVELS = ("RDL", "L3", "L2", "L1")

ASK_CONTRIBUTOR = "UN-ASK"
ASK_SOURCE = "assumed: the unit the UN would ask for"


def _lp(model: LinearModel) -> highspy.Highs:
    """A HiGHS LP of the first stage (integrality dropped), solved once."""
    h = to_highs(model)
    h.changeColsCost(model.n_cols, np.arange(model.n_cols, dtype=np.int32),
                     model.objective_vector("unmet"))
    h.setOptionValue("solve_relaxation", True)
    h.run()
    return h


def _value(h: highspy.Highs, deadline: float | None = None) -> float:
    """Re-solve the LP; NaN when ``deadline`` (a ``time.perf_counter`` value) has passed."""
    if deadline is not None:
        left = deadline - time.perf_counter()
        if left <= 0:
            return float("nan")
        h.setOptionValue("time_limit", left)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return float("nan")
    return float(h.getInfo().objective_function_value)


def out_of_time(deadline: float | None) -> bool:
    """True when the run's wall-clock budget is spent."""
    return deadline is not None and time.perf_counter() >= deadline


def _with_asks(view: Scenario, asks: pd.DataFrame) -> Scenario:
    """``view`` plus one hypothetical RDL pledge per row of ``asks`` (mission, unit type)."""
    s = view.copy()
    start = pd.Timestamp(s.param("planning_start"))
    missions = s.missions.set_index("id")
    langs = ";".join(sorted({"en", *missions["language"].astype(str)}))
    row = frame("contributors", {"id": [ASK_CONTRIBUTOR], "name": ["Hypothetical new pledge"],
                                 "kind": ["member_state"], "languages": [langs]}, ASK_SOURCE)
    s.tables["contributors"] = pd.concat([s.tables["contributors"], row], ignore_index=True)
    all_missions = list(missions.index.astype(str))
    n = len(asks)
    others = [";".join(m for m in all_missions if m != str(mid)) or pd.NA
              for mid in asks["mission_id"]]
    pledges = frame("pledges", {"id": [f"ASK-{i}" for i in range(n)],
                                "contributor_id": [ASK_CONTRIBUTOR] * n,
                                "unit_type_id": asks["unit_type_id"].astype(str).tolist(),
                                "count": [1] * n, "pcrs_level": ["RDL"] * n,
                                "available_from": [start] * n, "rotation_months": [12] * n,
                                "women_share": [0.0] * n, "excluded_missions": others,
                                "languages": [langs] * n}, ASK_SOURCE)
    s.tables["pledges"] = pd.concat([s.tables["pledges"], pledges], ignore_index=True)
    return s


def _gaps(solved: Solved, max_asks: int) -> pd.DataFrame:
    cov = coverage_table(solved.data, tour_values(solved.model, solved.solution.x))
    gaps = cov[cov["short"] > 0].groupby(["mission_id", "unit_type_id"]).agg(
        weighted_short=("weighted_short", "sum"), short_months=("short", "sum"),
        max_short=("short", "max"), first_short=("month", "min"),
        critical=("critical", "max")).reset_index()
    return gaps.sort_values("weighted_short", ascending=False).head(max_asks).reset_index(
        drop=True)


def request_by(first_short: pd.Timestamp, level: str, lead_months: int, handover: int,
               loading_days: float) -> pd.Timestamp:
    """Latest request date for a unit at PCRS ``level`` to count from ``first_short``.

    The planner's own readiness rule run backwards: a unit counts from its tour's start month
    plus the hand-over months, and starts in the first month it is ready on the first day of;
    it is ready ``lead_months`` after the request plus its loading (and transit, none for the
    hypothetical unit asked for: it is assumed near, as in the value column), or at RDL within
    60 days of the request, transit included. So the request is due by
    ``first day of (first_short - handover) - ceil(loading_days) days - lead_months``, at RDL by
    ``first day of (first_short - handover) - 60 days``.
    """
    arrive_by = pd.Timestamp(first_short) - pd.DateOffset(months=handover)
    if level == "RDL":
        return arrive_by - pd.Timedelta(days=RDL_DAYS)
    return (arrive_by - pd.Timedelta(days=int(np.ceil(loading_days)))
            - pd.DateOffset(months=lead_months))


def smart_pledging_table(view: Scenario, solved: Solved, horizon: int | None,
                         max_asks: int = 8, deadline: float | None = None) -> pd.DataFrame:
    """The units the UN should ask for, ranked by the coverage one more unit would add.

    Columns: mission, unit type, capability, units short at the worst month, unit-months short,
    first month short, the latest date to request it at each PCRS level, the weighted
    requirement-months one more unit gains (``value_one_more_unit``, LP estimate), its monthly
    cost, the value per million USD a month and the reason. A value that the run's time budget
    (``deadline``) left no time for is empty, and its reason says so.
    """
    gaps = _gaps(solved, max_asks)
    if len(gaps) == 0 or out_of_time(deadline):
        return pd.DataFrame()  # the plan declares the columns (outputs.csv)
    s = _with_asks(view, gaps)
    d2, _ = prepare(s, horizon)
    m2 = build_model(d2)
    tours = m2.var_families["Tour-start"]
    ask_p = {pid: i for i, pid in enumerate(d2.pledges["id"]) if str(pid).startswith("ASK-")}
    cand_p = d2.candidates["pledge"].to_numpy()
    cols = {pid: tours.start + np.flatnonzero(cand_p == i) for pid, i in ask_p.items()}
    every = np.concatenate(list(cols.values())).astype(np.int32)
    h = _lp(m2)
    h.changeColsBounds(len(every), every, np.zeros(len(every)), np.zeros(len(every)))
    base = _value(h, deadline)
    units = view.unit_types.set_index("id")
    fixed = fixed_monthly_cost(units)
    leads = view.tables["pcrs_lead_times"].set_index("level")["lead_time_months"]
    rate = float(solved.data.rate[0])
    handover = int(view.param("handover_months"))
    loading = float(view.param("loading_days"))
    rows = []
    for i, g in enumerate(gaps.itertuples(index=False)):
        c = cols[f"ASK-{i}"].astype(np.int32)
        value = 0.0
        if len(c):
            h.changeColsBounds(len(c), c, np.zeros(len(c)), np.ones(len(c)))
            # Round away LP round-off (values of 1e-12 are "no value").
            value = round(base - _value(h, deadline), 6)
            h.changeColsBounds(len(c), c, np.zeros(len(c)), np.zeros(len(c)))
        u = units.loc[str(g.unit_type_id)]
        monthly = monthly_cost(float(str(u["personnel"])), rate,
                               float(fixed[str(g.unit_type_id)]))
        first = pd.Timestamp(str(g.first_short))
        first_label = first.strftime("%Y-%m")
        row: dict[str, object] = {
            "mission_id": g.mission_id, "unit_type_id": g.unit_type_id, "unit_type": u["name"],
            "capability": u["capability"], "critical": bool(g.critical),
            "units_short_at_worst": int(float(str(g.max_short))),
            "unit_months_short": float(str(g.short_months)),
            "weighted_short": float(str(g.weighted_short)), "first_month_short": first}
        for level in PCRS_LEVELS:
            row[f"request_by_{level}"] = (request_by(first, level, int(str(leads[level])),
                                                     handover, loading)
                                          if level in leads.index else pd.NaT)
        row.update({
            "value_one_more_unit": value, "monthly_cost_usd": monthly,
            "value_per_musd_month": value / (monthly / 1e6) if monthly else np.nan,
            "why": (f"{float(str(g.short_months)):.0f} unit-months short from {first_label}"
                    + ("; critical capability" if g.critical else "")
                    + ("" if len(c) else "; a new unit could not arrive in time or work in "
                       "the mission's language")
                    + ("; value not computed: the time limit was reached"
                       if np.isnan(value) else ""))})
        rows.append(row)
    out = pd.DataFrame(rows)
    return out.sort_values(["value_one_more_unit", "weighted_short"],
                           ascending=False).reset_index(drop=True)


def sensitivity_table(view: Scenario, solved: Solved, horizon: int | None,
                      deadline: float | None = None) -> pd.DataFrame:
    """Weighted unmet requirement-months (LP) under more budget, faster readiness, more lift.

    What-ifs the run's time budget (``deadline``) leaves no time for are left out.
    """
    if out_of_time(deadline):
        return pd.DataFrame()
    m = solved.model
    h = _lp(m)
    base = float(h.getInfo().objective_function_value)
    _, _, _, lo, hi = m.bounds()
    rows = []

    def scaled(family: str, factor: float) -> float:
        fam = m.con_families.get(family)
        if fam is None or fam.stop == fam.start:
            return base
        idx = np.arange(fam.start, fam.stop, dtype=np.int32)
        h.changeRowsBounds(len(idx), idx, lo[idx], hi[idx] * factor)  # type: ignore[attr-defined]
        value = _value(h, deadline)
        h.changeRowsBounds(len(idx), idx, lo[idx], hi[idx])  # type: ignore[attr-defined]
        return value

    for label, family, factor in (("budget headroom +10 %", "Budget-fiscal-year", 1.1),
                                  ("budget headroom unlimited", "Budget-fiscal-year", 1e6),
                                  ("strategic lift +50 %", "Lift-moves", 1.5)):
        if out_of_time(deadline):
            break
        v = scaled(family, factor)
        rows.append({"change": label, "weighted_unmet_lp": round(v, 6),
                     "gain": round(base - v, 6)})
    for level, to in {"L1": "L2", "L2": "L3", "L3": "RDL"}.items():
        p = view.tables["pledges"]
        if not (p["pcrs_level"] == level).any() or out_of_time(deadline):
            continue
        s = view.copy()
        s.tables["pledges"] = p.assign(pcrs_level=p["pcrs_level"].replace({level: to}))
        d2, _ = prepare(s, horizon)
        m2 = build_model(d2)
        v = float(m2.objective_vector("unmet") @ solve_relaxation(m2, "unmet"))
        rows.append({"change": f"pledges at {level} reach {to}", "weighted_unmet_lp": round(v, 6),
                     "gain": round(base - v, 6)})
    out = pd.DataFrame(rows)
    out["note"] = "LP relaxation of the coverage stage (an estimate)"
    return out
