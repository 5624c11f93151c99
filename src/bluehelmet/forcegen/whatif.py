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

from bluehelmet.errors import SolverError
from bluehelmet.forcegen.data import RDL_DAYS, prepare
from bluehelmet.forcegen.formulation import build_model
from bluehelmet.forcegen.generate import frame
from bluehelmet.forcegen.lp import solve_relaxation
from bluehelmet.forcegen.pipeline import Solved
from bluehelmet.highs import to_highs
from bluehelmet.optimize.linear import LinearModel
from bluehelmet.scenario.core import Scenario

ASK_CONTRIBUTOR = "UN-ASK"
ASK_SOURCE = "assumed: the unit the UN would ask for"


def _lp(model: LinearModel, deadline: float | None = None) -> highspy.Highs:
    """A HiGHS LP of the first stage (integrality dropped), solved once by ``deadline``."""
    h = to_highs(model)
    h.changeColsCost(
        model.n_cols, np.arange(model.n_cols, dtype=np.int32), model.objective_vector("unmet")
    )
    h.setOptionValue("solve_relaxation", True)
    if deadline is not None:
        h.setOptionValue("time_limit", max(0.01, deadline - time.perf_counter()))
    h.run()
    return h


def no_time_to_rebuild(deadline: float | None, solved: Solved) -> bool:
    """True when what is left of the budget is less than building the model took.

    A what-if that prepares and builds a new model (and solves its LP) needs at least that
    long; started anyway it would overrun the wall-clock limit by most of a build (minutes at
    100,000 pledges).
    """
    return deadline is not None and deadline - time.perf_counter() < 2 * solved.build_seconds


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
    row = frame(
        "contributors",
        {
            "id": [ASK_CONTRIBUTOR],
            "name": ["Hypothetical new pledge"],
            "kind": ["member_state"],
            "languages": [langs],
        },
        ASK_SOURCE,
    )
    s.tables["contributors"] = pd.concat([s.tables["contributors"], row], ignore_index=True)
    all_missions = list(missions.index.astype(str))
    n = len(asks)
    others = [
        ";".join(m for m in all_missions if m != str(mid)) or pd.NA for mid in asks["mission_id"]
    ]
    pledges = frame(
        "pledges",
        {
            "id": [f"ASK-{i}" for i in range(n)],
            "contributor_id": [ASK_CONTRIBUTOR] * n,
            "unit_type_id": asks["unit_type_id"].astype(str).tolist(),
            "count": [1] * n,
            "pcrs_level": ["RDL"] * n,
            "available_from": [start] * n,
            "rotation_months": [12] * n,
            "women_share": [0.0] * n,
            "excluded_missions": others,
            "languages": [langs] * n,
        },
        ASK_SOURCE,
    )
    s.tables["pledges"] = pd.concat([s.tables["pledges"], pledges], ignore_index=True)
    return s


def request_by(
    first_short: pd.Timestamp, level: str, lead_months: int, handover: int, loading_days: float
) -> pd.Timestamp:
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
    return (
        arrive_by
        - pd.Timedelta(days=int(np.ceil(loading_days)))
        - pd.DateOffset(months=lead_months)
    )


def value_of_one_more_unit(
    view: Scenario,
    solved: Solved,
    horizon: int | None,
    asks: pd.DataFrame,
    deadline: float | None = None,
) -> np.ndarray:
    """Weighted unmet requirement-months one more unit would close (LP estimate), per ask.

    ``asks`` has ``mission_id, unit_type_id``; each is one hypothetical RDL pledge restricted to
    its mission, released in turn in the coverage stage's LP (budget, lift and ceilings priced
    as in the plan). 0 where such a unit could not arrive in time or work in the language; NaN
    where the run's time budget (``deadline``) left no time for it.
    """
    if len(asks) == 0:
        return np.zeros(0)
    if out_of_time(deadline) or no_time_to_rebuild(deadline, solved):
        return np.full(len(asks), np.nan)
    s = _with_asks(view, asks.reset_index(drop=True))
    d2, _ = prepare(s, horizon)
    m2 = build_model(d2)
    tours = m2.var_families["Tour-start"]
    ask_p = {pid: i for i, pid in enumerate(d2.pledges["id"]) if str(pid).startswith("ASK-")}
    cand_p = d2.candidates["pledge"].to_numpy()
    cols = {pid: tours.start + np.flatnonzero(cand_p == i) for pid, i in ask_p.items()}
    every = np.concatenate([np.zeros(0, np.int64), *cols.values()]).astype(np.int32)
    h = _lp(m2, deadline)
    h.changeColsBounds(len(every), every, np.zeros(len(every)), np.zeros(len(every)))
    base = _value(h, deadline)
    if np.isnan(base):
        return np.full(len(asks), np.nan)
    out = np.zeros(len(asks))
    for i in range(len(asks)):
        c = cols.get(f"ASK-{i}", np.zeros(0, np.int64)).astype(np.int32)
        if len(c):
            h.changeColsBounds(len(c), c, np.zeros(len(c)), np.ones(len(c)))
            # Round away LP round-off (values of 1e-12 are "no value").
            out[i] = round(base - _value(h, deadline), 6)
            h.changeColsBounds(len(c), c, np.zeros(len(c)), np.zeros(len(c)))
    return out


def sensitivity_table(
    view: Scenario, solved: Solved, horizon: int | None, deadline: float | None = None
) -> pd.DataFrame:
    """Weighted unmet requirement-months (LP) under more budget, faster readiness, more lift.

    What-ifs the run's time budget (``deadline``) leaves no time for are left out, and then
    ``table.attrs["cut_by_time_limit"]`` is true.
    """
    cut = pd.DataFrame()
    cut.attrs["cut_by_time_limit"] = True
    if out_of_time(deadline):
        return cut
    m = solved.model
    h = _lp(m, deadline)
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return cut
    base = float(h.getInfo().objective_function_value)
    _, _, _, lo, hi = m.bounds()
    rows = []
    skipped = False

    def scaled(family: str, factor: float) -> float:
        fam = m.con_families.get(family)
        if fam is None or fam.stop == fam.start:
            return base
        idx = np.arange(fam.start, fam.stop, dtype=np.int32)
        h.changeRowsBounds(len(idx), idx, lo[idx], hi[idx] * factor)  # type: ignore[attr-defined]
        value = _value(h, deadline)
        h.changeRowsBounds(len(idx), idx, lo[idx], hi[idx])  # type: ignore[attr-defined]
        return value

    for label, family, factor in (
        ("budget headroom +10 %", "Budget-fiscal-year", 1.1),
        ("budget headroom unlimited", "Budget-fiscal-year", 1e6),
        ("strategic lift +50 %", "Lift-moves", 1.5),
    ):
        if out_of_time(deadline):
            skipped = True
            break
        v = scaled(family, factor)
        rows.append({"change": label, "weighted_unmet_lp": round(v, 6), "gain": round(base - v, 6)})
    for level, to in {"L1": "L2", "L2": "L3", "L3": "RDL"}.items():
        p = view.tables["pledges"]
        if not (p["pcrs_level"] == level).any():
            continue
        if no_time_to_rebuild(deadline, solved):
            skipped = True
            continue
        s = view.copy()
        s.tables["pledges"] = p.assign(pcrs_level=p["pcrs_level"].replace({level: to}))
        d2, _ = prepare(s, horizon)
        m2 = build_model(d2)
        left = None if deadline is None else max(0.01, deadline - time.perf_counter())
        try:
            v = float(m2.objective_vector("unmet") @ solve_relaxation(m2, "unmet", left))
        except SolverError:
            skipped = True
            break
        rows.append(
            {
                "change": f"pledges at {level} reach {to}",
                "weighted_unmet_lp": round(v, 6),
                "gain": round(base - v, 6),
            }
        )
    out = pd.DataFrame(rows)
    out["note"] = "LP relaxation of the coverage stage (an estimate)"
    out.attrs["cut_by_time_limit"] = skipped or out_of_time(deadline)
    return out
