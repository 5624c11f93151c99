"""Great-circle distances, reach and the sparse cell-site pairs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bluehelmet.protect.geometry import haversine_km, pairs_within, reach_km


def test_haversine_known_distances() -> None:
    assert haversine_km(0.0, 0.0, 0.0, 1.0) == pytest.approx(111.195, abs=0.01)
    # Gao to Timbuktu (UCDP-geocoded towns): about 330 km apart.
    assert haversine_km(-0.04472, 16.27167, -3.00559, 16.77046) == pytest.approx(320, abs=15)


def test_reach_uses_speed_route_factor_mobilisation_and_range() -> None:
    assets = pd.DataFrame(
        {
            "speed_kmh": [40.0, 220.0, 4.0],
            "route_factor": [1.4, 1.0, 1.2],
            "mobilisation_minutes": [30.0, 45.0, 200.0],
            "range_km": [np.nan, 250.0, np.nan],
        },
        index=["road", "heli", "foot"],
    )
    reach = reach_km(assets, 120.0)
    assert reach["road"] == pytest.approx(90 / 60 * 40 / 1.4)
    assert reach["heli"] == pytest.approx(250.0)  # 275 km of flying, capped by the radius
    assert reach["foot"] == 0.0


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.floats(1.0, 400.0))
def test_sparse_pairs_equal_brute_force(seed: int, max_km: float) -> None:
    rng = np.random.default_rng(seed)
    clon, clat = rng.uniform(-5, 5, 60), rng.uniform(10, 20, 60)
    slon, slat = rng.uniform(-5, 5, 7), rng.uniform(10, 20, 7)
    pairs = pairs_within(clon, clat, slon, slat, max_km).toarray()
    full = haversine_km(clon[:, None], clat[:, None], slon[None, :], slat[None, :])
    assert ((pairs > 0) == (full <= max_km)).all()
    assert np.allclose(pairs[pairs > 0], np.maximum(full[full <= max_km], 1e-9))
