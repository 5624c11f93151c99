"""The covering model on hand-solved cases, against brute force, and against the greedy baseline."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bluehelmet.errors import DataError
from bluehelmet.protect import greedy, optimise, recommend, today
from bluehelmet.protect.problem import Reach, expected_coverage
from bluehelmet.protect.solve import evaluate
from tests.protect.helpers import asset_table, clusters_problem, random_problem


def test_today_covers_nothing_when_the_base_is_out_of_reach() -> None:
    sol = today(clusters_problem())
    assert sol.covered_value == 0.0
    assert sol.total_value == pytest.approx(2.0)


def test_one_helicopter_covers_both_clusters_one_company_only_one() -> None:
    heli = optimise(clusters_problem(extra={"heli": 1}))
    coy = optimise(clusters_problem(extra={"coy": 1}))
    assert heli.covered_value == pytest.approx(2.0)
    assert coy.covered_value == pytest.approx(1.0)
    placed = heli.deployment.set_index("asset_type_id").loc["heli"]
    assert placed["site_id"] == "base" and placed["added"] == 1
    # It takes two companies, at two new bases, to do what one helicopter does.
    assert optimise(clusters_problem(extra={"coy": 2})).covered_value == pytest.approx(2.0)
    assert optimise(
        clusters_problem(extra={"coy": 2}, max_new_sites=1)
    ).covered_value == pytest.approx(1.0)


def test_helicopter_with_two_thirds_availability_still_beats_a_company() -> None:
    assets = asset_table(heli={"availability": 2 / 3})
    heli = optimise(clusters_problem(asset_types=assets, extra={"heli": 1}))
    assert heli.covered_value == pytest.approx(4 / 3)
    steps, _ = recommend(clusters_problem(asset_types=assets), max_units=1)
    assert list(steps["asset_type_id"]) == ["heli"]
    assert steps["gain"].iloc[0] == pytest.approx(4 / 3)


def test_backup_helicopters_add_expected_coverage_one_minus_q_cubed() -> None:
    assets = asset_table(heli={"availability": 2 / 3})
    sol = optimise(clusters_problem(asset_types=assets, extra={"heli": 3}))
    assert sol.covered_value == pytest.approx(2 * (1 - (1 / 3) ** 3))
    # A fourth helicopter beyond the backup depth of 3 counts for nothing.
    four = optimise(clusters_problem(asset_types=assets, extra={"heli": 4}))
    assert four.covered_value == pytest.approx(sol.covered_value)


def test_helicopters_do_not_stand_at_new_sites_by_default() -> None:
    far = asset_table(heli={"range_km": 20.0})
    sol = optimise(clusters_problem(asset_types=far, extra={"heli": 1}))
    assert sol.covered_value == 0.0
    allowed = optimise(
        clusters_problem(asset_types=far, extra={"heli": 1}, new_site_assets=("coy", "heli"))
    )
    assert allowed.covered_value == pytest.approx(1.0)


def test_zero_new_assets_reproduce_todays_coverage() -> None:
    for seed in range(5):
        problem = random_problem(seed)
        problem = replace(problem, extra={})
        now, best = today(problem), optimise(problem)
        assert best.covered_value == pytest.approx(now.covered_value, abs=1e-9)
        assert (best.x == problem.fixed_counts()).all()


def test_relocating_never_does_worse_than_today() -> None:
    problem = replace(random_problem(3), extra={})
    moved = optimise(replace(problem, relocate=True))
    assert moved.covered_value >= today(problem).covered_value - 1e-9


def test_mobilisation_longer_than_response_time_covers_nothing() -> None:
    slow = asset_table(coy={"mobilisation_minutes": 200.0}, heli={"mobilisation_minutes": 200.0})
    sol = optimise(clusters_problem(asset_types=slow, extra={"heli": 1, "coy": 2}))
    assert sol.covered_value == 0.0
    assert sol.status == "Optimal"


def _brute_force(problem) -> float:  # type: ignore[no-untyped-def]
    reach = Reach(problem)
    base = problem.fixed_counts()
    open_today = problem.open_today()
    allowed_new = problem.allowed_at_new_sites()
    sizes = problem.group_sizes()
    slots = [
        a
        for a in range(len(problem.asset_types))
        for _ in range(
            int(problem.extra.get(str(problem.asset_types.index[a]), 0)) // int(sizes[a])
        )
    ]
    best = 0.0
    for placement in itertools.product(range(len(problem.sites)), repeat=len(slots)):
        x = base.copy()
        for a, j in zip(slots, placement, strict=True):
            if not open_today[j] and not allowed_new[a]:
                break
            x[a, j] += sizes[a]
        else:
            new = (~open_today) & (x.sum(axis=0) > 0)
            if new.sum() > problem.max_new_sites:
                continue
            best = max(best, float(problem.value @ expected_coverage(reach, x)))
    return best


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000))
def test_optimum_matches_brute_force_and_beats_greedy(seed: int) -> None:
    problem = random_problem(seed)
    sol = optimise(problem)
    assert sol.covered_value == pytest.approx(_brute_force(problem), abs=1e-6)
    g = evaluate(problem, greedy(problem), method="greedy")
    assert sol.covered_value >= g.covered_value - 1e-9
    # The coverage reported for the deployment is the solver's objective (same measure).
    assert sol.covered_value == pytest.approx(evaluate(problem, sol.x).covered_value)
    # Supply and today's assets are respected.
    assert (sol.x.sum(axis=1) <= problem.totals()).all()
    assert (sol.x >= problem.fixed_counts()).all()
    assert np.isclose(sol.coverage["coverage"].clip(0, 1), sol.coverage["coverage"]).all()


def test_bad_problem_inputs_are_all_reported() -> None:
    problem = clusters_problem(extra={"tank": 1, "coy": -1}, response_minutes=0.0)
    problem.cells.loc[1, "risk"] = -0.5
    with pytest.raises(DataError) as err:
        optimise(problem)
    text = str(err.value)
    assert "line 3, column 'risk': value '-0.5'" in text
    assert "'extra': value 'tank': unknown asset type" in text
    assert "'extra[coy]': value '-1'" in text
    assert "'response_minutes': value '0.0'" in text


def test_assets_at_an_unknown_base_are_an_error() -> None:
    import pandas as pd

    fixed = pd.DataFrame({"site_id": ["nowhere"], "asset_type_id": ["coy"], "count": [1]})
    with pytest.raises(DataError, match="'base_id': value 'nowhere'"):
        today(clusters_problem(fixed=fixed))


def test_groups_put_a_whole_helicopter_unit_at_one_base() -> None:
    assets = asset_table(heli={"range_km": 160.0}).assign(group_size=[1, 3])
    # Two existing bases, one per cluster: single helicopters would split, a group of 3 cannot.
    problem = clusters_problem(asset_types=assets, extra={"heli": 3}, max_new_sites=0)
    sites = problem.sites.assign(existing=[True, True, True])
    sol = optimise(replace(problem, sites=sites))
    added = sol.x[1] - problem.fixed_counts()[1]
    assert sorted(added[added > 0]) == [3]
    assert (greedy(replace(problem, sites=sites))[1] % 3 == 0).all()


def test_within_cell_distance_shrinks_reach() -> None:
    # The helicopter (200 km) reaches cells 150 and 161 km away: 45 km more leaves the inner two
    # (195 km), 52 km more none.
    def covered(km: float) -> float:
        return optimise(clusters_problem(extra={"heli": 1}, within_cell_km=km)).covered_value

    assert covered(38.0) == pytest.approx(2.0)
    assert covered(45.0) == pytest.approx(1.0)
    assert covered(52.0) == 0.0


def test_warm_start_is_a_complete_feasible_solution() -> None:
    from bluehelmet.optimize.linear import LinearModel
    from bluehelmet.protect import model as m

    for seed in range(4):
        problem = random_problem(seed)
        assets = problem.asset_types.assign(group_size=[1, 2])
        problem = replace(
            problem, asset_types=assets, extra={"coy": 2, "heli": 4}, relocate=bool(seed % 2)
        )
        reach = Reach(problem)
        start = greedy(problem, reach)
        b = LinearModel()
        n_types, n_sites = len(problem.asset_types), len(problem.sites)
        candidates = np.flatnonzero(~problem.open_today())
        x0 = m.define_assign(b, problem, n_types, n_sites)
        y0 = m.define_open(b, problem, candidates)
        m.define_groups(b, problem, x0, n_sites)
        m.define_supply(b, problem, x0, n_types, n_sites)
        m.define_site_open(b, problem, x0, y0, candidates, n_sites)
        cover = m.define_cover(
            b, problem, reach, x0, n_sites, np.zeros(len(problem.cells), dtype=bool)
        )
        v = m._start_vector(b, problem, reach, start, candidates, cover)
        col_lower, col_upper, _, row_lower, row_upper = b.bounds()
        activity = b.matrix @ v
        assert (activity >= row_lower - 1e-9).all()
        assert (activity <= row_upper + 1e-9).all()
        assert (v >= col_lower - 1e-9).all()
        assert (v <= col_upper + 1e-9).all()
        assert float(b.objective_vector(m.COVERAGE) @ v) == pytest.approx(
            evaluate(problem, start, reach=reach).covered_value
        )


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["coy", "heli"]))
def test_one_more_asset_never_lowers_the_optimum(seed: int, kind: str) -> None:
    problem = random_problem(seed)
    more = dict(problem.extra)
    more[kind] = more.get(kind, 0) + 1
    assert (
        optimise(replace(problem, extra=more)).covered_value
        >= optimise(problem).covered_value - 1e-9
    )


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.sampled_from([2, 4]))
def test_grouped_optimum_matches_brute_force(seed: int, helicopters: int) -> None:
    problem = random_problem(seed)
    assets = problem.asset_types.assign(group_size=[1, 2])
    problem = replace(
        problem,
        asset_types=assets,
        extra={"coy": 1, "heli": helicopters},
        new_site_assets=("coy", "heli"),
    )
    sol = optimise(problem)
    assert sol.covered_value == pytest.approx(_brute_force(problem), abs=1e-6)
    assert sol.covered_value == pytest.approx(evaluate(problem, sol.x).covered_value)
