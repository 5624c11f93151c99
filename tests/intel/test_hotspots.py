from __future__ import annotations

import numpy as np
import pandas as pd

from bluehelmet.intel.hotspots import _bh, gi_star, poisson_trend


def test_gi_star_by_hand() -> None:
    # A 3 x 3 block of cells around one with value 9, others 0: n = 9, mean 1, sd sqrt(8).
    centre_gid = 100 * 720 + 100 + 1
    cells = np.array([centre_gid + dr * 720 + dc for dr in (-1, 0, 1) for dc in (-1, 0, 1)])
    z = dict(
        zip(*gi_star(pd.Series({centre_gid: 9.0}), cells)[["gid", "z"]].T.to_numpy(), strict=True)
    )
    # Centre: W = 9 (itself and 8 neighbours), sum = 9: numerator 9 - 1*9 = 0.
    assert np.isclose(z[centre_gid], 0.0)
    # Corner: W = 4, sum = 9: (9 - 4) / (sqrt(8) sqrt((9*4 - 16) / 8)) = 5 / sqrt(20)
    corner = cells[0]
    assert np.isclose(z[corner], 5 / np.sqrt(20))


def test_gi_star_finds_a_cluster() -> None:
    gids = np.array([200 * 720 + c + 1 + r * 720 for r in range(30) for c in range(30)])
    values = pd.Series(0.0, index=gids)
    cluster = [gids[i * 30 + j] for i in range(10, 13) for j in range(10, 13)]
    values[cluster] = 10.0
    result = gi_star(values, gids, fdr=True).set_index("gid")
    assert result.loc[cluster[4], "hotspot"]
    assert not result.loc[gids[0], "hotspot"]


def test_benjamini_hochberg() -> None:
    p = np.array([0.001, 0.02, 0.045, 0.5])
    assert list(_bh(p, 0.05)) == [True, True, False, False]  # 0.045 * 4 / 3 = 0.06 > 0.05
    assert list(_bh(np.array([0.2, 0.9]), 0.05)) == [False, False]


def test_poisson_trend() -> None:
    years = np.arange(2000, 2010, dtype=float)
    rising = np.round(10 * 1.2 ** (years - 2000))
    trend = poisson_trend(years, rising)
    assert abs(trend["change_per_year"] - 0.2) < 0.02 and trend["p"] < 0.001
    assert np.isnan(poisson_trend(years[:1], rising[:1])["z"])
