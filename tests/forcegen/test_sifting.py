"""Sifting solves the same LP relaxation as the simplex on all columns, with a valid bound."""

from __future__ import annotations

import numpy as np
import pytest

from bluehelmet.forcegen.data import prepare
from bluehelmet.forcegen.formulation import build_model
from bluehelmet.forcegen.generate import random_scenario
from bluehelmet.forcegen.greedy import greedy_plan
from bluehelmet.forcegen.lp import solve_relaxation
from bluehelmet.forcegen.sifting import sifted_relaxation, working_set
from bluehelmet.optimize.linear import LinearModel


def _model(seed: int, pledges: int = 120) -> tuple[LinearModel, np.ndarray]:
    s = random_scenario(n_missions=5, n_months=18, n_pledges=pledges, n_unit_types=6, seed=seed)
    d, _ = prepare(s)
    m = build_model(d)
    return m, working_set(m, d.candidates, greedy_plan(m, d))


def _feasible(m: LinearModel, x: np.ndarray) -> bool:
    col_lo, col_hi, _, row_lo, row_hi = m.bounds()
    act = m.matrix @ x
    return bool(
        (x >= col_lo - 1e-7).all()
        and (x <= col_hi + 1e-7).all()
        and (act >= row_lo - 1e-6).all()
        and (act <= row_hi + 1e-6).all()
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sifting_reaches_the_full_lp_optimum(seed: int) -> None:
    m, start = _model(seed)
    c = m.objective_vector("unmet")
    full = float(c @ solve_relaxation(m, "unmet"))
    x, bound, solved = sifted_relaxation(m, c, start)
    assert solved
    assert float(c @ x) == pytest.approx(full, rel=1e-7, abs=1e-6)
    assert bound <= full + 1e-6 and bound == pytest.approx(full, rel=1e-6)
    assert _feasible(m, x)
    # It did not need every column: the point of sifting.
    assert start.sum() < m.n_cols


def test_bound_is_valid_when_stopped_early() -> None:
    m, start = _model(4, pledges=200)
    c = m.objective_vector("unmet")
    full = float(c @ solve_relaxation(m, "unmet"))
    x, bound, solved = sifted_relaxation(m, c, start, max_rounds=1)
    assert not solved  # this instance needs more than its first working set
    assert bound <= full + 1e-6 < float(c @ x)
    assert _feasible(m, x)
