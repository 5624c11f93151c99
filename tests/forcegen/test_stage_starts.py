"""Later objective stages start from the previous plan without losing optimality.

highspy 1.16 reported the cost stage of ``random_scenario(seed=5)`` as optimal at 6.447 with a
dual bound of 4.99 when given the stage-1 plan as a start (the optimum is 6.173, which CBC
confirms in ``test_against_cbc``); the solver detects such an unproven claim and re-solves cold.
"""

from __future__ import annotations

import pytest

from bluehelmet.forcegen import solve as solve_module
from bluehelmet.forcegen.generate import random_scenario
from bluehelmet.forcegen.options import SolveOptions
from bluehelmet.forcegen.pipeline import solve_scenario


@pytest.mark.parametrize("seed", [5, 7])
def test_warm_started_stages_match_cold_stages(seed: int) -> None:
    def run(warm: bool) -> dict[str, solve_module.StageResult]:
        s = random_scenario(n_missions=3, n_months=12, n_pledges=14, n_unit_types=4, seed=seed)
        s.set_param("gender_mode", "soft")
        options = SolveOptions(mip_rel_gap=0.0, warm_start_later_stages=warm)
        solved = solve_scenario(s, options)
        return {st.stage: st for st in solved.solution.stages}

    warm = run(True)
    cold = run(False)
    assert warm.keys() == cold.keys()
    for stage, res in warm.items():
        assert res.status == "optimal"
        # A proven optimum: the dual bound meets the objective.
        assert res.bound == pytest.approx(res.objective, rel=1e-6, abs=1e-6)
        assert res.objective == pytest.approx(cold[stage].objective, rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("seed", [5, 7, 11])
def test_same_gaps_search_keeps_the_lexicographic_optimum(seed: int) -> None:
    """Searching plans with the same gaps first (large models only) changes no stage's optimum."""

    def run(above: int) -> dict[str, solve_module.StageResult]:
        s = random_scenario(n_missions=3, n_months=12, n_pledges=14, n_unit_types=4, seed=seed)
        s.set_param("gender_mode", "soft")
        options = SolveOptions(mip_rel_gap=0.0, time_limit=60, same_gaps_above_columns=above)
        solved = solve_scenario(s, options)
        return {st.stage: st for st in solved.solution.stages}

    plain = run(SolveOptions().same_gaps_above_columns)
    with_search = run(0)
    assert plain.keys() == with_search.keys()
    for stage, res in with_search.items():
        assert res.status == "optimal"
        assert res.objective == pytest.approx(plain[stage].objective, rel=1e-6, abs=1e-6)


def test_same_gaps_search_finds_a_cheaper_plan_with_no_larger_gap() -> None:
    """From a costly first-stage plan the restricted search keeps every gap and lowers the cost."""
    import numpy as np

    from bluehelmet.forcegen.data import prepare
    from bluehelmet.forcegen.formulation import build_model
    from bluehelmet.forcegen.greedy import greedy_plan

    # Seed 4: since tour bounds follow the open need (no unit beyond it), seed 3's costliest
    # plan with the greedy gaps is already the cheapest with those gaps; seed 4's is not.
    s = random_scenario(n_missions=3, n_months=12, n_pledges=30, n_unit_types=4, seed=4)
    s.set_param("lift_move_usd", 0.0)  # the instance this search case was written on
    d, _ = prepare(s)
    m = build_model(d)
    x0 = greedy_plan(m, d)
    unmet, cost = m.objective_vector("unmet"), m.objective_vector("cost")
    # A worse start: every pledge unit that still fits adds cost without closing a gap.
    h = solve_module._stage_highs(m, 0.0, None, [(unmet, float(unmet @ x0))])
    h.changeColsCost(m.n_cols, np.arange(m.n_cols, dtype=np.int32), -cost)
    h.setOptionValue("time_limit", 10.0)
    h.run()
    costly = np.round(np.asarray(h.getSolution().col_value), 9)
    assert cost @ costly > cost @ x0
    h2 = solve_module._stage_highs(m, 0.0, None, [(unmet, float(unmet @ x0))])
    h2.changeColsCost(m.n_cols, np.arange(m.n_cols, dtype=np.int32), cost)
    found = solve_module._same_gaps_first(m, cost, costly, h2, 10.0)
    short = m.var_families["Shortfall"]
    assert (found[short.start : short.stop] <= costly[short.start : short.stop] + 1e-6).all()
    assert cost @ found < cost @ costly - 1e-6
    lo, hi = m.bounds()[3], m.bounds()[4]
    act = m.matrix @ found
    assert (act >= lo - 1e-6).all() and (act <= hi + 1e-6).all()
