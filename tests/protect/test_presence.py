"""Presence and patrols, airfields and night capability: hand-computed cases."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bluehelmet.errors import DataError
from bluehelmet.protect.geometry import patrol_shares
from bluehelmet.protect.problem import CoverageProblem, Reach, expected_coverage
from bluehelmet.protect.solve import evaluate, greedy, optimise, today
from tests.protect.helpers import KM_PER_DEG, random_problem

#: Area of a 0.5 degree cell on the equator, km^2 (a square of 0.5 x 111.195 km).
CELL_KM2 = (0.5 * KM_PER_DEG) ** 2


def _assets(**rows: dict[str, object]) -> pd.DataFrame:
    base = {
        "mode": "ground",
        "speed_kmh": 4.0,
        "route_factor": 1.0,
        "mobilisation_minutes": 0.0,
        "range_km": np.nan,
        "availability": 1.0,
        "patrol_km": np.nan,
        "night_capable": True,
    }
    return pd.DataFrame.from_dict({k: {**base, **v} for k, v in rows.items()}, orient="index")


def _cells(*specs: tuple[str, float, float, float]) -> pd.DataFrame:
    return pd.DataFrame(specs, columns=["cell_id", "longitude", "latitude", "risk"])


def _sites(*specs: tuple[str, float, float, bool]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "site_id": [s[0] for s in specs],
            "name": [s[0] for s in specs],
            "longitude": [s[1] for s in specs],
            "latitude": [s[2] for s in specs],
            "existing": [s[3] for s in specs],
        }
    )


def _none() -> pd.DataFrame:
    return pd.DataFrame(columns=["site_id", "asset_type_id", "count"])


def test_a_foot_patrol_covers_the_share_of_its_cell_within_its_radius() -> None:
    # A company on foot at the centre of an equatorial cell, patrolling 10 km around its base:
    # pi 10^2 / (55.6 km)^2 = 0.1016 of the cell. Its two-hour response on foot reaches nothing
    # (8 km, less than the 21 km mean distance to a place in the cell), so without patrols the
    # company would count for 0.
    problem = CoverageProblem(
        _cells(("c", 0.0, 0.0, 1.0)),
        _sites(("base", 0.0, 0.0, True)),
        _assets(foot={"patrol_km": 10.0}),
        pd.DataFrame({"site_id": ["base"], "asset_type_id": ["foot"], "count": [1]}),
        response_minutes=120.0,
        within_cell_km=21.0,
    )
    expected = math.pi * 10.0**2 / CELL_KM2
    assert expected == pytest.approx(0.1016, abs=1e-4)
    now = today(problem)
    assert now.covered_value == pytest.approx(expected, abs=0.005)
    no_patrol = CoverageProblem(
        problem.cells,
        problem.sites,
        _assets(foot={}),
        problem.fixed,
        response_minutes=120.0,
        within_cell_km=21.0,
    )
    assert today(no_patrol).covered_value == 0.0


def test_a_patrol_radius_larger_than_the_cell_covers_all_of_it() -> None:
    shares = patrol_shares(np.array([0.0]), np.array([0.0]), np.array([0.0]), np.array([0.0]), 50.0)
    assert shares.toarray()[0, 0] == pytest.approx(1.0)
    # A neighbouring cell whose nearest edge is 27.8 km away: a 20 km patrol misses it.
    far = patrol_shares(np.array([0.5]), np.array([0.0]), np.array([0.0]), np.array([0.0]), 20.0)
    assert far.nnz == 0


def test_the_optimiser_places_a_patrolling_company_where_the_patrolled_risk_is_highest() -> None:
    # Two cells, one candidate site at the centre of each; one company on foot (its response
    # reaches no cell; 30 km patrol: the disc overhangs the 27.8 km half-cell, share 0.61 of the
    # cell) goes to the cell with risk 0.7, not 0.3.
    cells = _cells(("low", 0.0, 0.0, 0.3), ("high", 2.0, 0.0, 0.7))
    sites = _sites(("hq", 10.0, 0.0, True), ("s_low", 0.0, 0.0, False), ("s_high", 2.0, 0.0, False))
    problem = CoverageProblem(
        cells,
        sites,
        _assets(coy={"patrol_km": 30.0}),
        _none(),
        extra={"coy": 1},
        response_minutes=60.0,
        max_new_sites=1,
        within_cell_km=21.0,
    )
    share = Reach(problem).patrol[0].toarray()
    sol = optimise(problem)
    placed = sol.deployment.set_index("site_id")["count"]
    assert placed.to_dict() == {"s_high": 1}
    assert sol.covered_value == pytest.approx(0.7 * share[1, 2], abs=1e-6)
    assert sol.covered_value == pytest.approx(evaluate(problem, sol.x).covered_value)
    assert np.array_equal(greedy(problem), sol.x)


def test_a_second_company_at_the_same_site_patrols_the_same_area() -> None:
    cells = _cells(("c", 0.0, 0.0, 1.0))
    sites = _sites(("base", 0.0, 0.0, True))
    fixed = pd.DataFrame({"site_id": ["base"], "asset_type_id": ["coy"], "count": [1]})
    one = CoverageProblem(cells, sites, _assets(coy={"patrol_km": 10.0}), fixed)
    two = CoverageProblem(cells, sites, _assets(coy={"patrol_km": 10.0}), fixed, extra={"coy": 1})
    assert optimise(two).covered_value == pytest.approx(today(one).covered_value)


def _air_problem(**kwargs: object) -> CoverageProblem:
    # One cell 100 km east of a base without an airfield; an airstrip 100 km west of the cell.
    d = 100 / KM_PER_DEG
    cells = _cells(("c", d, 0.0, 1.0))
    sites = _sites(("base", 0.0, 0.0, True), ("strip", 2 * d, 0.0, False))
    sites["airfield"] = [False, True]
    heli = {"mode": "air", "speed_kmh": 200.0, "availability": 1.0}
    args: dict[str, object] = {
        "cells": cells,
        "sites": sites,
        "asset_types": _assets(heli=heli),
        "fixed": _none(),
        "extra": {"heli": 1},
        "response_minutes": 60.0,
        "max_new_sites": 1,
    }
    args.update(kwargs)
    return CoverageProblem(**args)  # type: ignore[arg-type]


def test_aircraft_stand_only_at_airfields() -> None:
    problem = _air_problem()
    sol = optimise(problem)
    assert sol.deployment.set_index("site_id")["count"].to_dict() == {"strip": 1}
    assert sol.covered_value == pytest.approx(1.0)
    assert np.array_equal(greedy(problem), sol.x)
    # With no new site allowed the airstrip cannot be used, and the base has no airfield.
    closed = optimise(_air_problem(max_new_sites=0))
    assert closed.covered_value == 0.0
    assert closed.x.sum() == 0


def test_aircraft_held_at_a_site_without_an_airfield_are_an_error() -> None:
    fixed = pd.DataFrame({"site_id": ["base"], "asset_type_id": ["heli"], "count": [1]})
    with pytest.raises(DataError, match="not an airfield"):
        today(_air_problem(fixed=fixed))


@pytest.mark.parametrize(
    ("night_capable", "count", "expected"), [(True, 1, 1.0), (False, 1, 0.5), (False, 2, 0.75)]
)
def test_helicopters_without_night_capability_respond_only_by_day(
    night_capable: bool, count: int, expected: float
) -> None:
    # Half of the day is dark (night_share 0.5): a day-only helicopter is there for half of
    # the incidents, two of them for 1 - 0.5^2.
    sites = _air_problem().sites.assign(airfield=[True, True])
    heli = {"mode": "air", "speed_kmh": 200.0, "availability": 1.0, "night_capable": night_capable}
    problem = _air_problem(
        sites=sites,
        asset_types=_assets(heli=heli),
        extra={},
        fixed=pd.DataFrame({"site_id": ["base"], "asset_type_id": ["heli"], "count": [count]}),
    )
    assert today(problem).covered_value == pytest.approx(expected)
    reach = Reach(problem)
    assert expected_coverage(reach, problem.fixed_counts())[0] == pytest.approx(expected)


def _brute_force(problem: CoverageProblem) -> float:
    """Best coverage over every placement of the extra assets (allowed sites, site limit)."""
    reach = Reach(problem)
    base = problem.fixed_counts()
    open_today = problem.open_today()
    allowed = problem.allowed_sites()
    slots = [
        a
        for a in range(len(problem.asset_types))
        for _ in range(int(problem.extra.get(str(problem.asset_types.index[a]), 0)))
    ]
    best = 0.0
    for placement in itertools.product(range(len(problem.sites)), repeat=len(slots)):
        x = base.copy()
        if not all(allowed[a, j] for a, j in zip(slots, placement, strict=True)):
            continue
        for a, j in zip(slots, placement, strict=True):
            x[a, j] += 1
        if ((~open_today) & (x.sum(axis=0) > 0)).sum() > problem.max_new_sites:
            continue
        best = max(best, float(problem.value @ expected_coverage(reach, x)))
    return best


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000))
def test_optimum_with_patrols_airfields_and_night_matches_brute_force(seed: int) -> None:
    problem = random_problem(seed, n_cells=10, n_sites=4)
    rng = np.random.default_rng(seed)
    assets = problem.asset_types.assign(
        patrol_km=[float(rng.choice([0.0, 20.0, 60.0])), 0.0],
        night_capable=[True, bool(rng.integers(0, 2))],
    )
    sites = problem.sites.assign(airfield=rng.integers(0, 2, len(problem.sites)).astype(bool))
    sites.loc[1, "airfield"] = True  # today's helicopter stands at s1
    problem = replace(
        problem,
        asset_types=assets,
        sites=sites,
        within_cell_km=10.0,
        extra={"coy": int(rng.integers(1, 3)), "heli": int(rng.integers(0, 2))},
    )
    sol = optimise(problem)
    assert sol.covered_value == pytest.approx(_brute_force(problem), abs=1e-6)
    assert sol.covered_value == pytest.approx(evaluate(problem, sol.x).covered_value)
    assert sol.covered_value >= evaluate(problem, greedy(problem)).covered_value - 1e-9
    assert (sol.x[1][~sites["airfield"].to_numpy(bool)] == 0).all()
