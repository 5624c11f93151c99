"""The one great-circle distance of the package, on the one Earth radius."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bluehelmet.geodesy import (
    EARTH_RADIUS_KM,
    chord_to_km,
    haversine_km,
    km_to_chord,
    sphere_km,
    unit_vectors,
)

lon = st.floats(-180, 180)
lat = st.floats(-90, 90)


def test_known_distances() -> None:
    assert EARTH_RADIUS_KM == 6371.0088
    assert haversine_km(0, 0, 0, 1) == pytest.approx(np.pi * EARTH_RADIUS_KM / 180)
    assert haversine_km(0, 0, 180, 0) == pytest.approx(np.pi * EARTH_RADIUS_KM)
    # Gao to Timbuktu, about 320 km by air
    assert haversine_km(-0.04472, 16.27167, -3.00742, 16.77348) == pytest.approx(320, abs=5)


@given(lon, lat, lon, lat)
def test_haversine_agrees_with_the_chord_and_is_symmetric(
    a: float, b: float, c: float, d: float
) -> None:
    direct = haversine_km(a, b, c, d)
    assert direct == pytest.approx(haversine_km(c, d, a, b), abs=1e-6)
    chord = np.linalg.norm(unit_vectors([a], [b]) - unit_vectors([c], [d]))
    assert chord_to_km(chord) == pytest.approx(direct, abs=1e-3)
    assert 0 <= direct <= np.pi * EARTH_RADIUS_KM + 1e-6


def test_sphere_points_lie_on_the_earth_and_chords_invert() -> None:
    xyz = sphere_km([0, 90, -45], [0, 45, -30])
    assert np.linalg.norm(xyz, axis=1) == pytest.approx([EARTH_RADIUS_KM] * 3)
    assert chord_to_km(km_to_chord(1234.5)) == pytest.approx(1234.5)
