"""The shortcuts taken for 100,000 pledges give what their month-by-month definitions give.

Per-period tour costs and per-year months cut at period boundaries instead of listing every
tour-month; the output tables computed on the plan's tours only; the greedy plan with the flow
bound as the answer when the time limit leaves no time for the solver.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bluehelmet.forcegen.data import (
    PlanningData,
    budget_periods,
    month_segments,
    prepare,
    tour_month_cost,
    tour_period_costs,
    tour_year_months,
)
from bluehelmet.forcegen.flow_bound import flow_bound
from bluehelmet.forcegen.formulation import build_model, committed, present
from bluehelmet.forcegen.generate import random_scenario
from bluehelmet.forcegen.generate_mixed import mixed_scenario
from bluehelmet.forcegen.greedy import greedy_plan
from bluehelmet.forcegen.pipeline import unsolved
from bluehelmet.forcegen.tables import costs_table, reached_periods
from tests.forcegen.tiny import pledge, tiny


def _data(kind: str, seed: int) -> PlanningData:
    if kind == "random":
        s = random_scenario(n_missions=4, n_months=18, n_pledges=150, n_unit_types=5, seed=seed)
    else:
        s = mixed_scenario(200, n_missions=6, n_months=24, n_unit_types=8, seed=seed)
    return prepare(s)[0]


CASES = [("random", 1), ("random", 2), ("mixed", 1), ("mixed", 2)]


def test_month_segments_cut_at_code_changes() -> None:
    code = np.array([0, 0, 1, 1, 1, 2])
    i, c, lo, hi = month_segments(np.array([1, 3]), np.array([4, 3]), code)
    assert i.tolist() == [0, 0, 1] and c.tolist() == [0, 1, 1]
    assert lo.tolist() == [1, 2, 3] and hi.tolist() == [1, 4, 3]
    with pytest.raises(ValueError, match="must not decrease"):
        month_segments(np.array([0]), np.array([1]), np.array([1, 0]))


@pytest.mark.parametrize(("kind", "seed"), CASES)
def test_tour_period_costs_are_the_monthly_sums_exactly(kind: str, seed: int) -> None:
    d = _data(kind, seed)
    k, t = committed(d)
    # The sums as the model used to form them: every tour-month listed, then added in order.
    codes, labels = pd.factorize(budget_periods(d, k, t))
    key = k * len(labels) + codes
    pairs, inverse = np.unique(key, return_inverse=True)
    total = np.bincount(inverse, weights=tour_month_cost(d, k, t), minlength=len(pairs))
    index = pd.MultiIndex.from_arrays(
        [pairs // len(labels), np.asarray(labels)[pairs % len(labels)]], names=["k", "period"]
    )
    want = pd.Series(total, index=index).sort_index()
    tk, period, cost = tour_period_costs(d)
    got = pd.Series(cost, index=pd.MultiIndex.from_arrays([tk, period], names=["k", "period"]))
    got = got.sort_index()
    assert got.index.equals(want.index)
    # Added month by month in the same order: the same floating-point numbers, not just close.
    assert np.array_equal(got.to_numpy(), want.to_numpy())


@pytest.mark.parametrize(("kind", "seed"), CASES)
def test_tour_year_months_count_the_present_months(kind: str, seed: int) -> None:
    d = _data(kind, seed)
    k, t = present(d)
    want = pd.Series(1.0, index=k).groupby([k, d.months.year.to_numpy()[t]]).sum()
    tk, year, months = tour_year_months(d)
    got = pd.Series(months, index=pd.MultiIndex.from_arrays([tk, year])).sort_index()
    assert np.array_equal(got.index.to_numpy(), want.index.to_numpy())
    assert np.array_equal(got.to_numpy(), want.to_numpy())


@pytest.mark.parametrize(("kind", "seed"), CASES)
def test_costs_table_rows_reached_by_any_tour(kind: str, seed: int) -> None:
    # Row by row: every (mission, period) of every month any candidate tour is committed in.
    d = _data(kind, seed)
    k, t = committed(d)
    want = set(
        zip(
            d.requirements["mission_id"].to_numpy()[d.candidates["req"].to_numpy()[k]],
            budget_periods(d, k, t),
            strict=True,
        )
    )
    got = reached_periods(d)
    assert set(zip(got["mission_id"], got["fiscal_year"], strict=True)) == want
    # A plan with every tour at one unit: the table's cost is the tours' committed cost.
    y = np.ones(len(d.candidates), dtype=int)
    table = costs_table(d, y)
    assert table["cost_usd"].sum() == pytest.approx(d.candidates["cost"].sum(), rel=1e-9)


def test_unsolved_reports_the_greedy_plan_with_the_flow_bound() -> None:
    # One pledge of one unit ready in July, need 1 unit for 12 months, 12-month rotation: the
    # greedy plan (July-June, counted from August) leaves July short (10); the flow bound is 10
    # too, so the plan is proven optimal without the solver; later stages have no bound.
    d, _ = prepare(tiny([pledge("A", rotation=12)]))
    m = build_model(d)
    x = greedy_plan(m, d)
    b = flow_bound(d).bound
    sol = unsolved(m, x, ("unmet", "cost", "gender", "tiebreak"), b, 1e-4)
    first = sol.stages[0]
    assert (first.stage, first.status, first.objective, first.bound) == ("unmet", "optimal", 10, 10)
    assert all(s.status == "time_limit" and s.bound == -np.inf for s in sol.stages[1:])
    # Where the bound does not meet the plan, the stage is unproven with the gap it proves.
    weak = unsolved(m, x, ("unmet",), 4.2, 1e-4).stages[0]
    assert (weak.status, weak.bound) == ("time_limit", 5.0)  # whole weights: 4.2 rounds up
    assert weak.mip_gap == pytest.approx(0.5)
