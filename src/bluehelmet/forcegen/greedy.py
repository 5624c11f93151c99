"""A fast greedy plan: warm start for the solver and the baseline it must beat.

Requirements are served in order of priority weight; within a requirement, tours in order of
the month they start counting, then by cost per month. A tour is taken when at least half of its
counted months fill an open gap and no constraint of the model would be violated. The check is
made against the very rows of the model, so the greedy plan is feasible for the MIP by
construction.
"""

from __future__ import annotations

import numpy as np

from bluehelmet.errors import SolverError
from bluehelmet.forcegen.data import PlanningData
from bluehelmet.forcegen.lp import solve_relaxation
from bluehelmet.forcegen.sifting import SIFT_ABOVE_COLUMNS, sifted_relaxation, working_set
from bluehelmet.optimize.linear import LinearModel

#: A tour is taken only if at least this share of its counted months fills an open gap.
MIN_USEFUL_SHARE = 0.5
#: Tours screened together by one vectorised test before the survivors are tried one by one.
GREEDY_WINDOW = 256


def greedy_plan(
    model: LinearModel, d: PlanningData, initial: np.ndarray | None = None, fill: bool = True
) -> np.ndarray:
    """Column vector of a feasible plan for ``model`` (tours, shortfalls, gender shortfalls).

    ``initial`` (tour counts of a feasible partial plan, e.g. a rounded-down LP solution) is kept
    and completed greedily (unless ``fill`` is false: then only the other columns are set).
    """
    a = model.matrix
    col_lo, col_hi, _, row_lo, row_hi = model.bounds()
    tours = model.var_families["Tour-start"]
    cover = model.con_families["Requirement-cover"]
    gender = model.con_families.get("Gender-target")
    is_cover = np.zeros(model.n_rows, bool)
    is_cover[cover.start : cover.stop] = True
    # Gender rows only restrict the greedy choice when their shortfall variable is fixed at 0.
    check_lower = np.zeros(model.n_rows, bool)
    shortfall_fixed = str(d.params["gender_mode"]) == "hard"
    if gender is not None and shortfall_fixed:
        check_lower[gender.start : gender.stop] = True
    tours_x = np.zeros(tours.stop - tours.start) if initial is None else initial
    x = np.zeros(model.n_cols)
    x[tours.start : tours.stop] = tours_x
    act = a @ x
    need = np.zeros(model.n_rows)
    need[is_cover] = row_lo[is_cover] - act[is_cover]
    cand = d.candidates
    req = d.requirements
    weight = req["weight"].to_numpy()[cand["req"].to_numpy()]
    months = (np.minimum(cand["end"], d.n_months - 1) - cand["credit_from"] + 1).to_numpy()
    per_month = cand["cost"].to_numpy() / np.maximum(months, 1)
    order = np.lexsort((per_month, cand["credit_from"].to_numpy(), cand["req"].to_numpy(), -weight))
    indptr, indices, data = a.indptr, a.indices, a.data

    def still_possible(cols: np.ndarray) -> np.ndarray:
        """Mask of columns ``cols`` that pass the tests a growing plan can only fail more.

        Upper-bounded rows only fill up (every tour coefficient there is non-negative) and open
        gaps only close, so a column failing here now fails at its turn too.
        """
        n = indptr[cols + 1] - indptr[cols]
        owner = np.repeat(np.arange(len(cols)), n)
        at = indptr[cols][owner] + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
        r, v = indices[at], data[at]
        cov = is_cover[r]
        full = np.bincount(owner[~cov & (act[r] + v > row_hi[r] + 1e-9)], minlength=len(cols))
        opened = np.bincount(owner[cov & (need[r] > 0.5)], minlength=len(cols))
        counted = np.bincount(owner[cov], minlength=len(cols))
        return (
            (full == 0)
            & (opened > 0)
            & (opened >= MIN_USEFUL_SHARE * counted)
            & (x[cols] < col_hi[cols])
        )

    # The tours are screened a window at a time with one vectorised test, and only the
    # survivors are tried one by one: a tour that fails the test now would fail it at its turn
    # too, so the plan is the one the plain loop makes (at 100,000 pledges most tours fail).
    for lo in range(0, len(order) if fill else 0, GREEDY_WINDOW):
        window = order[lo : lo + GREEDY_WINDOW]
        for k in window[still_possible(tours.start + window)]:
            j = tours.start + k
            rows = indices[indptr[j] : indptr[j + 1]]
            vals = data[indptr[j] : indptr[j + 1]]
            cov = is_cover[rows]
            other, ovals = rows[~cov], vals[~cov]
            while x[j] < col_hi[j]:
                open_months = int((need[rows[cov]] > 0.5).sum())
                if open_months == 0 or open_months < MIN_USEFUL_SHARE * cov.sum():
                    break
                new = act[other] + ovals
                if (new > row_hi[other] + 1e-9).any():
                    break
                low = check_lower[other]
                if (new[low] < row_lo[other][low] - 1e-9).any():
                    break
                act[other] = new
                need[rows[cov]] -= vals[cov]
                x[j] += 1
    return settle_shortfalls(model, x)


def settle_shortfalls(model: LinearModel, x: np.ndarray) -> np.ndarray:
    """``x`` with every shortfall column set to what its tours leave open, no more, no less.

    Used after the greedy fill and after the solver's integer columns are snapped to whole
    numbers: a solver may leave a tour at 6e-7 units and book the shortfall to match, which
    rounding the tour would otherwise leave inconsistent.
    """
    x = np.array(x, dtype=float)
    a = model.matrix
    col_lo, col_hi, _, row_lo, _ = model.bounds()
    tours = model.var_families["Tour-start"]
    y = x[tours.start : tours.stop]
    for rows, cols in (("Requirement-cover", "Shortfall"), ("Gender-target", "Gender-shortfall")):
        if rows not in model.con_families or cols not in model.var_families:
            continue
        r, v = model.con_families[rows], model.var_families[cols]
        act = a[r.start : r.stop, tours.start : tours.stop] @ y
        x[v.start : v.stop] = np.clip(
            row_lo[r.start : r.stop] - act, col_lo[v.start : v.stop], col_hi[v.start : v.stop]
        )
    return x


def lp_rounding_plan(
    model: LinearModel,
    d: PlanningData,
    time_limit: float | None = None,
    greedy: np.ndarray | None = None,
) -> tuple[np.ndarray, float | None, np.ndarray]:
    """Round the LP relaxation of the first stage down, complete it greedily; also the LP value.

    Rounding down keeps every upper-bounded row feasible (all tour coefficients there are
    non-negative); only hard gender rows could break, so in hard gender mode the plain greedy
    plan is returned instead. The LP value is a valid lower bound on the first stage, which gives
    an honest gap even when the MIP solver runs out of time before its own root bound. Models
    above :data:`~bluehelmet.forcegen.sifting.SIFT_ABOVE_COLUMNS` columns get the LP by sifting,
    whose bound stays valid if time runs out before the LP is solved.
    Also returned: the tour columns the LP leaves at zero (for a search restricted to the LP's
    support, see :func:`bluehelmet.forcegen.api.solve_scenario`). If the LP is not solved within
    ``time_limit`` the greedy plan is returned with no bound. ``greedy`` is the greedy plan if
    already computed.
    """
    tours = model.var_families["Tour-start"]
    c = model.objective_vector("unmet")
    if greedy is None:
        greedy = greedy_plan(model, d)
    try:
        if model.n_cols > SIFT_ABOVE_COLUMNS:
            start = working_set(model, d.candidates, greedy)
            lp, bound, _ = sifted_relaxation(model, c, start, time_limit)
        else:
            lp = solve_relaxation(model, "unmet", time_limit)
            bound = float(c @ lp)
    except SolverError:
        return greedy, None, np.zeros(model.n_cols, bool)
    zero = np.zeros(model.n_cols, bool)
    zero[tours.start : tours.stop] = lp[tours.start : tours.stop] < 1e-6
    if str(d.params["gender_mode"]) == "hard":
        return greedy, bound, zero
    floor = np.floor(lp[tours.start : tours.stop] + 1e-6)
    x = greedy_plan(model, d, floor)
    zero &= x < 0.5
    return x, bound, zero
