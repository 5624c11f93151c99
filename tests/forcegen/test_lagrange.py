"""The Lagrangian decomposition by unit type: a valid bound, exact at a known answer, and a
repair that gives plans the model's own rows accept."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bluehelmet.forcegen.data import PlanningData, prepare
from bluehelmet.forcegen.formulation import build_model
from bluehelmet.forcegen.generate import random_scenario
from bluehelmet.forcegen.greedy import greedy_plan, settle_shortfalls
from bluehelmet.forcegen.lagrange import (
    LOCAL_FAMILIES,
    decompose,
    is_feasible,
    lagrangian_bound,
    repair,
)
from bluehelmet.forcegen.options import SolveOptions
from bluehelmet.forcegen.solve import solve
from bluehelmet.optimize.linear import LinearModel
from tests.forcegen.tiny import pledge, tiny


def _two_units_one_move() -> tuple[PlanningData, LinearModel]:
    """Two units needed for 12 months, one lift move a month: the second unit is a month late.

    Hand-computed optimum: one unit starts in month 0, the other in month 1, so month 0 is one
    unit short: 1 unit-month x the critical weight 10 = 10. Without lift each unit type's
    subproblem covers everything (bound 0); the bound of 10 comes from pricing the lift row.
    """
    s = tiny(
        [pledge("A", rotation=12), pledge("B", rotation=12)],
        count=2,
        lift_moves_per_month=1,
        handover_months=0,
    )
    d, _ = prepare(s)
    return d, build_model(d)


def test_lift_priced_bound_equals_the_hand_computed_optimum() -> None:
    d, m = _two_units_one_move()
    c = m.objective_vector("unmet")
    assert float(c @ solve(m, ("unmet",), SolveOptions(mip_rel_gap=0.0)).x) == pytest.approx(10)
    for lp_start in (True, False):
        res = lagrangian_bound(m, d, greedy_plan(m, d), use_lp_duals=lp_start)
        assert res.bound == pytest.approx(10)
        assert res.plan_objective == pytest.approx(10)
        assert is_feasible(m, res.plan)
    # From zero multipliers the first round is the unpriced bound: every unit type alone.
    cold = lagrangian_bound(m, d, greedy_plan(m, d), use_lp_duals=False)
    assert cold.history[0] == pytest.approx(0)
    assert cold.lp_bound is None
    # The lift row of month 0 carries the price (a <= row: a non-positive multiplier).
    lift = m.con_families["Lift-moves"]
    assert cold.multipliers[lift.start] < 0


def test_repair_keeps_what_the_lift_allows() -> None:
    d, m = _two_units_one_move()
    cand = d.candidates
    both_at_once = np.zeros(m.n_cols)
    tours = m.var_families["Tour-start"]
    first = cand.index[(cand["start"] == 0) & (cand["end"] == 11)].to_numpy()
    assert len(first) == 2  # one tour per pledge, month 0 to 11
    both_at_once[tours.start + first] = 1
    both_at_once = settle_shortfalls(m, both_at_once)
    assert not is_feasible(m, both_at_once)  # two moves in month 0
    fixed = repair(m, d, both_at_once, decompose(m, d))
    assert fixed is not None and is_feasible(m, fixed)
    assert float(m.objective_vector("unmet") @ fixed) == pytest.approx(10)


def test_blocks_are_unit_types_and_every_other_family_is_priced() -> None:
    s = random_scenario(n_missions=3, n_months=12, n_pledges=40, n_unit_types=4, seed=3)
    d, _ = prepare(s)
    m = build_model(d)
    dec = decompose(m, d)
    assert dec.names == sorted(set(d.pledges["unit_type_id"]) | set(d.requirements["unit_type_id"]))
    priced = set(m.family_of_row()[dec.coupling])
    with_rows = {name for name, fam in m.con_families.items() if len(fam.labels)}
    assert priced == with_rows - set(LOCAL_FAMILIES)
    assert "Lift-moves" in priced and "Budget-fiscal-year" in priced


def test_lp_blocks_at_the_lp_duals_give_the_lp_value() -> None:
    """Strong duality: at the LP's row duals, the Lagrangian with LP blocks is the LP value."""
    s = random_scenario(n_missions=3, n_months=12, n_pledges=40, n_unit_types=4, seed=3)
    d, _ = prepare(s)
    m = build_model(d)
    res = lagrangian_bound(m, d, greedy_plan(m, d), mip_blocks=False, max_iterations=1)
    assert res.lp_bound is not None
    assert res.history[0] == pytest.approx(res.lp_bound, rel=1e-6, abs=1e-5)


instances = st.builds(
    random_scenario,
    n_missions=st.integers(1, 3),
    n_months=st.integers(3, 12),
    n_pledges=st.integers(2, 16),
    n_unit_types=st.integers(1, 3),
    seed=st.integers(0, 10**6),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances, st.sampled_from(["soft", "hard"]), st.booleans())
def test_bound_never_exceeds_a_feasible_plan(s, gender_mode: str, lp_start: bool) -> None:  # noqa: ANN001
    s.set_param("gender_mode", gender_mode)
    d, _ = prepare(s)
    m = build_model(d)
    c = m.objective_vector("unmet")
    start = greedy_plan(m, d)
    res = lagrangian_bound(m, d, start, max_iterations=12, use_lp_duals=lp_start)
    optimum = float(c @ solve(m, ("unmet",), SolveOptions(mip_rel_gap=0.0)).x)
    tol = 1e-6 * max(1.0, optimum)
    assert res.bound <= optimum + tol
    assert res.bound <= float(c @ start) + tol
    assert is_feasible(m, res.plan)
    assert res.plan_objective == pytest.approx(float(c @ res.plan))
    assert optimum - tol <= res.plan_objective <= float(c @ start) + tol
    if res.lp_bound is not None:
        # MIP blocks at the LP duals are at least the LP value (the integer hull is smaller).
        assert res.bound >= res.lp_bound - tol
