"""The robust plan: the planner's model with one copy of the coverage rows per training draw.

Formulation (sample average approximation): keep every variable and row of the force
generation model (:data:`~bluehelmet.forcegen.formulation.FORMULATION`: the tours ``y``, pledge
capacity, contributor limits, diversity, budget, lift, gender) and add, for every training draw
``s = 1 … S`` and requirement-month ``(r, t)`` a row of family ``Requirement-cover-draw``,

    Σ_{k: r(k)=r, a_{k,s} ≤ t ≤ e_k} y_k + u_{r,t,s} ≥ n_r,   u_{r,t,s} ≥ 0

where ``a_{k,s}`` is the month tour ``k`` counts from under draw ``s`` (its hand-over after the
drawn late arrival; tours of withdrawn pledges have no entries). The first objective stage
becomes the sample average ``(1/S) Σ_s Σ_{r,t} ω_r u_{r,t,s}`` instead of the nominal
``Σ ω_r u_{r,t}``; the cost and gender stages follow as before. The plan is chosen before the
disruptions are known and not changed after (no recourse), which is how it is evaluated.

The training draws come from stream 1 of the seed, the evaluation draws from stream 0, so the
robust plan is judged on draws it was not fitted to. ``u_{r,t,s}`` are continuous: with whole
``y`` and ``n_r`` their optimum is whole anyway.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bluehelmet.forcegen.data import PlanningData
from bluehelmet.forcegen.formulation import expand
from bluehelmet.forcegen.greedy import settle_shortfalls
from bluehelmet.optimize.linear import INF, LinearModel
from bluehelmet.robust.disruption import Draw, Rates, credit_start
from bluehelmet.robust.evaluate import requirement_months
from bluehelmet.robust.run import PlannedTours, solve_data

DRAW_ROWS = "Requirement-cover-draw"
DRAW_SHORT = "Shortfall-draw"


def define_draw_cover(m: LinearModel, data: PlanningData, r: Rates, draws: list[Draw]) -> None:
    """Add the coverage rows and shortfall columns of every training draw; set stage 1."""
    need, ridx, offset = requirement_months(data)
    n_rm, n_s = len(need), len(draws)
    first = data.requirements["first"].to_numpy()
    month = (
        np.concatenate(
            [
                np.arange(a, b + 1)
                for a, b in zip(first, data.requirements["last"].to_numpy(), strict=True)
            ]
        )
        if n_rm
        else np.zeros(0, int)
    )
    labels = pd.DataFrame(
        {
            "req": np.tile(ridx, n_s),
            "month": np.tile(month, n_s),
            "draw": np.repeat([d.index for d in draws], n_rm),
        }
    )
    short = m.add_variables(DRAW_SHORT, labels, 0.0, np.tile(need, n_s))
    tours = m.var_families["Tour-start"]
    end = np.minimum(data.candidates["end"].to_numpy(), data.n_months - 1)
    q_all = data.candidates["req"].to_numpy()
    handover = int(data.params["handover_months"])
    rows, cols = [], []
    for s, d in enumerate(draws):
        credit = credit_start(data, r, d, handover)
        ok = np.flatnonzero(credit >= 0)
        k, t = expand(credit[ok], end[ok])
        q = q_all[ok[k]]
        rows.append(s * n_rm + offset[q] + t - first[q])
        cols.append(tours.start + ok[k])
    n = len(labels)
    m.add_constraints(
        DRAW_ROWS,
        labels,
        np.concatenate([*rows, np.arange(n)]),
        np.concatenate([*cols, short.start + np.arange(n)]),
        np.ones(sum(map(len, rows)) + n),
        np.tile(need, n_s),
        INF,
    )
    weight = data.requirements["weight"].to_numpy()[ridx]
    m.set_objective(
        "unmet",
        "Shortfall",
        np.zeros(m.var_families["Shortfall"].stop - m.var_families["Shortfall"].start),
    )
    m.set_objective("unmet", DRAW_SHORT, np.tile(weight, n_s) / max(n_s, 1))


def settle_draw_shortfalls(m: LinearModel, x: np.ndarray) -> np.ndarray:
    """``x`` with the draw shortfalls set to what its tours leave open."""
    x = settle_shortfalls(m, x)
    rows, cols = m.con_families[DRAW_ROWS], m.var_families[DRAW_SHORT]
    tours = m.var_families["Tour-start"]
    _, col_hi, _, row_lo, _ = m.bounds()
    act = m.matrix[rows.start : rows.stop, tours.start : tours.stop] @ x[tours.start : tours.stop]
    x[cols.start : cols.stop] = np.clip(
        row_lo[rows.start : rows.stop] - act, 0, col_hi[cols.start : cols.stop]
    )
    return x


def robust_plan(
    data: PlanningData,
    r: Rates,
    draws: list[Draw],
    start_units: np.ndarray,
    time_limit: float | None,
) -> PlannedTours:
    """Plan against ``draws`` (sample average of weighted unmet months), from ``start_units``."""
    return solve_data(
        data,
        time_limit=time_limit,
        extend=lambda m: define_draw_cover(m, data, r, draws),
        settle=settle_draw_shortfalls,
        start_units=start_units,
    )
