"""Reduced-cost fixing between the lexicographic stages: hand-computed, and the same plan."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bluehelmet import AccessContext
from bluehelmet.forcegen import PlanOptions, plan
from bluehelmet.forcegen.generate import random_scenario
from bluehelmet.forcegen.solve import reduced_cost_bounds
from bluehelmet.highs import to_highs
from bluehelmet.optimize.linear import LinearModel


def two_columns() -> LinearModel:
    """min x1 + 3 x2 subject to x1 + x2 >= 1, x integer in 0..5."""
    m = LinearModel()
    m.add_variables("x", pd.DataFrame({"i": [1, 2]}), 0.0, 5.0, integer=True)
    m.add_constraints("cover", pd.DataFrame({"r": [0]}), [0, 0], [0, 1], [1.0, 1.0], 1.0, np.inf)
    m.set_objective("cost", "x", np.array([1.0, 3.0]))
    return m


@pytest.mark.parametrize(("limit", "x2_upper"), [(1.0, 0.0), (2.9, 0.0), (3.5, 1.0), (5.5, 2.0)])
def test_reduced_cost_bounds_hand_computed(limit: float, x2_upper: float) -> None:
    # LP optimum x = (1, 0), z = 1, row dual 1: the reduced cost of x2 is 3 - 1 = 2 (x1 is
    # basic, 0). A plan with cost <= limit has 1 + 2 x2 <= limit, so x2 <= floor((limit-1)/2).
    m = two_columns()
    h = to_highs(m, cost=m.objective_vector("cost"))
    lo, hi, integer, _, _ = m.bounds()
    new_lo, new_hi = reduced_cost_bounds(h, integer, limit, (lo, hi))
    assert new_hi.tolist() == [5.0, x2_upper]
    assert new_lo.tolist() == [0.0, 0.0]


instances = st.builds(
    random_scenario,
    n_missions=st.integers(1, 3),
    n_months=st.integers(3, 9),
    n_pledges=st.integers(2, 14),
    n_unit_types=st.integers(1, 3),
    seed=st.integers(0, 10**6),
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances)
def test_fixing_changes_neither_the_stage_values_nor_the_plan(s) -> None:  # noqa: ANN001
    # The fixing removes only plans worse than an earlier stage's optimum: with every stage
    # proven (no time limit), the stage values and the tie-break's one allocation are the same.
    view = s.view(AccessContext.public())
    base = PlanOptions(smart_pledging=False, sensitivities=False, explain=False)
    runs = [
        plan(view, base.with_solve(time_limit=None, reduced_cost_fixing=fixing))
        for fixing in (True, False)
    ]
    with_fixing, without = runs
    assert with_fixing.summary.status == without.summary.status == "optimal"
    for a, b in zip(with_fixing.summary.stages, without.summary.stages, strict=True):
        assert a.stage == b.stage
        assert a.objective == pytest.approx(b.objective, rel=1e-6, abs=1e-6)
    cols = ["pledge_id", "requirement_id", "start", "end", "units"]
    assert with_fixing.assignments[cols].equals(without.assignments[cols])
