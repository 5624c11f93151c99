"""Small hand-built protection problems and a minimal scenario for the tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bluehelmet.model.validate import coerce_table
from bluehelmet.protect.problem import CoverageProblem
from bluehelmet.scenario.core import Scenario

#: Kilometres per degree of longitude at the equator (haversine, mean Earth radius).
KM_PER_DEG = 111.195


def asset_table(**overrides: dict[str, float]) -> pd.DataFrame:
    """Two asset types: a road company (80 km in 120 min) and a helicopter (200 km)."""
    rows = {
        "coy": {
            "mode": "ground",
            "speed_kmh": 40.0,
            "route_factor": 1.0,
            "mobilisation_minutes": 0.0,
            "range_km": np.nan,
            "availability": 1.0,
            "unit_type_id": "infantry_battalion",
            "assets_per_unit": 1,
        },
        "heli": {
            "mode": "air",
            "speed_kmh": 100.0,
            "route_factor": 1.0,
            "mobilisation_minutes": 0.0,
            "range_km": np.nan,
            "availability": 1.0,
            "unit_type_id": "utility_helicopter_unit",
            "assets_per_unit": 1,
        },
    }
    for key, values in overrides.items():
        rows[key].update(values)
    return pd.DataFrame.from_dict(rows, orient="index")


def clusters_problem(**kwargs: object) -> CoverageProblem:
    """Two clusters of two cells, 150 km west and east of a central base on the equator.

    Candidate sites sit in each cluster. A company (80 km) at the base reaches neither cluster,
    at a candidate site it covers that cluster only; a helicopter (200 km) at the base covers both.
    """
    d = 150 / KM_PER_DEG
    cells = pd.DataFrame(
        {
            "cell_id": ["w1", "w2", "e1", "e2"],
            "longitude": [-d, -d - 0.1, d, d + 0.1],
            "latitude": [0.0] * 4,
            "risk": [0.5, 0.5, 0.5, 0.5],
        }
    )
    sites = pd.DataFrame(
        {
            "site_id": ["base", "tob_w", "tob_e"],
            "name": ["Base", "W", "E"],
            "longitude": [0.0, -d, d],
            "latitude": [0.0, 0.0, 0.0],
            "existing": [True, False, False],
        }
    )
    fixed = pd.DataFrame({"site_id": ["base"], "asset_type_id": ["coy"], "count": [1]})
    args: dict[str, object] = {
        "cells": cells,
        "sites": sites,
        "asset_types": asset_table(),
        "fixed": fixed,
        "response_minutes": 120.0,
        "max_new_sites": 2,
    }
    args.update(kwargs)
    return CoverageProblem(**args)  # type: ignore[arg-type]


def random_problem(seed: int, n_cells: int = 12, n_sites: int = 5) -> CoverageProblem:
    """A random small problem around (0, 0); the first two sites are existing bases."""
    rng = np.random.default_rng(seed)
    cells = pd.DataFrame(
        {
            "cell_id": np.arange(n_cells),
            "longitude": rng.uniform(-2, 2, n_cells),
            "latitude": rng.uniform(-2, 2, n_cells),
            "risk": rng.uniform(0, 1, n_cells).round(3),
        }
    )
    sites = pd.DataFrame(
        {
            "site_id": [f"s{j}" for j in range(n_sites)],
            "name": [f"s{j}" for j in range(n_sites)],
            "longitude": rng.uniform(-2, 2, n_sites),
            "latitude": rng.uniform(-2, 2, n_sites),
            "existing": [j < 2 for j in range(n_sites)],
        }
    )
    assets = asset_table(heli={"availability": 0.667, "range_km": 150.0})
    fixed = pd.DataFrame(
        {"site_id": ["s0", "s1"], "asset_type_id": ["coy", "heli"], "count": [1, 1]}
    )
    return CoverageProblem(
        cells,
        sites,
        assets,
        fixed,
        {"coy": int(rng.integers(0, 3)), "heli": int(rng.integers(0, 2))},
        response_minutes=90.0,
        max_new_sites=int(rng.integers(0, 3)),
    )


def mini_scenario() -> Scenario:
    """A scenario holding MINUSMA (host MLI) and the three unit types the asset types name."""
    missions, _ = coerce_table(
        "missions",
        pd.DataFrame(
            [
                {
                    "id": "MINUSMA",
                    "name": "MINUSMA",
                    "host_iso3": "MLI",
                    "language": "fr",
                    "source": "test",
                }
            ]
        ),
        "missions",
    )
    rows = []
    for uid, cap, crit in [
        ("infantry_battalion", "infantry", "false"),
        ("quick_reaction_force", "quick_reaction", "true"),
        ("utility_helicopter_unit", "aviation", "true"),
    ]:
        rows.append(
            {
                "id": uid,
                "name": uid,
                "capability": cap,
                "critical": crit,
                "personnel": "100",
                "personnel_category": "troops",
                "personnel_source": "t",
                "cost_source": "t",
                "lift_source": "t",
                "source": "test",
            }
        )
    units, problems = coerce_table("unit_types", pd.DataFrame(rows), "unit_types")
    assert not problems
    return Scenario("mini", {"missions": missions, "unit_types": units})
