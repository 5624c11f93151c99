"""The month-by-month flow bound: hand-computed values, and never above the model's LP optimum."""

from __future__ import annotations

import pytest

from bluehelmet.forcegen.data import prepare
from bluehelmet.forcegen.flow_bound import flow_bound
from bluehelmet.forcegen.formulation import build_model
from bluehelmet.forcegen.generate import random_scenario
from bluehelmet.forcegen.generate_mixed import mixed_scenario
from bluehelmet.forcegen.lp import solve_relaxation
from bluehelmet.scenario.core import Scenario
from tests.forcegen.tiny import ceiling, pledge, tiny


def _bound(s: Scenario) -> float:
    d, _ = prepare(s)
    b = flow_bound(d).bound
    assert b is not None
    return b


def _lp(s: Scenario) -> float:
    d, _ = prepare(s)
    m = build_model(d)
    return float(m.objective_vector("unmet") @ solve_relaxation(m, "unmet"))


def test_known_value_equals_the_optimum_where_only_readiness_limits() -> None:
    # Need 3 units for 12 months, one pledge of 1 unit ready in July; hand-over 1 month: July
    # is short 3 units, August-June 2 each: 3 + 22 = 25 unit-months at weight 10 (critical).
    # The plan (one tour July-June) reaches exactly this, so the bound is tight here.
    assert _bound(tiny([pledge("A", rotation=12)], count=3)) == pytest.approx(250.0, rel=1e-5)


def test_known_value_with_a_binding_budget() -> None:
    # One unit costs US$100,000 a month (100 persons at US$1,000); headroom US$300,000 per fiscal
    # year (the horizon is FY 2018/19): at most 3 unit-months are paid for. July cannot count
    # (hand-over), so at least 12 - 3 = 9 months stay short: 90. (The model itself can afford
    # no 6-month tour at all, US$600,000: its optimum is 120; the bound is valid, not tight.)
    s = tiny([pledge("A")], headroom=300_000.0)
    assert _bound(s) == pytest.approx(90.0, rel=1e-5)
    assert _bound(s) <= _lp(s) + 1e-6


def test_council_ceiling_limits_the_flow() -> None:
    # Three units pledged, three needed, but the ceiling has room for one 100-person unit:
    # July short 3, then 2 a month: 3 + 22 = 25 unit-months at weight 10.
    s = tiny([pledge("A", count=3, rotation=12)], count=3, ceilings=[ceiling(100)])
    assert _bound(s) == pytest.approx(250.0, rel=1e-5)
    free = tiny([pledge("A", count=3, rotation=12)], count=3)
    assert _bound(free) == pytest.approx(30.0, rel=1e-5)  # only July short


@pytest.mark.parametrize(
    "make",
    [
        lambda seed: random_scenario(
            n_missions=4, n_months=12, n_pledges=120, n_unit_types=5, seed=seed
        ),
        lambda seed: mixed_scenario(150, n_missions=6, n_months=12, n_unit_types=8, seed=seed),
    ],
    ids=["random", "mixed"],
)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_never_above_the_models_lp_optimum(make, seed: int) -> None:  # noqa: ANN001
    # The flow LP is a relaxation of the model's LP relaxation (module docstring), so its
    # optimum is at most the LP's, which is at most the first stage's optimum.
    s = make(seed)
    assert _bound(s) <= _lp(s) + 1e-6 * max(1.0, _lp(s))
