"""Benchmark: fuse 1,000,000 generated reports; compare the grid index with a cKDTree baseline.

Usage: python benchmarks/intel_fusion.py [N]. Prints wall time and peak memory (max RSS).
Generated data: events spread over a Mali-sized box (lon -12..4, lat 10..25) over two years, each
reported 1-4 times with up to 3 km and 12 hours of jitter (illustrative, not real reports).
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from bluehelmet.intel.fusion import CATEGORIES, Rules, extend, fuse, link_pairs
from bluehelmet.intel.index import sphere_km
from bluehelmet.intel.view import ReportTable
from bluehelmet.model.access import AccessContext


def generate(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_events = n // 2
    lon = rng.uniform(-12, 4, n_events)
    lat = rng.uniform(10, 25, n_events)
    hours = rng.uniform(0, 2 * 365 * 24, n_events)
    cat = rng.integers(0, len(CATEGORIES), n_events)
    event = rng.integers(0, n_events, n)  # ~2 reports per event on average, Poisson-like
    jitter_km = rng.uniform(0, 3, n)
    angle = rng.uniform(0, 2 * np.pi, n)
    r_lat = lat[event] + jitter_km * np.sin(angle) / 111.0
    r_lon = lon[event] + jitter_km * np.cos(angle) / (111.0 * np.cos(np.radians(lat[event])))
    r_hours = hours[event] + rng.uniform(0, 12, n)
    times = pd.Timestamp("2017-01-01") + pd.to_timedelta(np.round(r_hours * 60), unit="min")
    return pd.DataFrame(
        {
            "id": pd.array([f"r{i:07d}" for i in range(n)], dtype="string"),
            "time": times.strftime("%Y-%m-%dT%H:%M").astype("string"),
            "time_precision": "minute",
            "longitude": r_lon,
            "latitude": r_lat,
            "category": pd.array(np.asarray(CATEGORIES)[cat[event]], dtype="string"),
            "fatalities": pd.array(rng.integers(0, 5, n), dtype="Int64"),
            "civilian_deaths": pd.array(rng.integers(0, 3, n), dtype="Int64"),
            "source_type": "patrol",
            "reliability": "B",
            "credibility": pd.array(rng.integers(1, 7, n), dtype="Int64"),
            "reporter_contact": pd.array([pd.NA] * n, dtype="string"),
            "classification": "unclassified",
            "owner": "MINUSMA",
            "releasable_to": pd.array([pd.NA] * n, dtype="string"),
            "basis": "illustrative",
            "source": "generated for the benchmark",
        }
    )


def ckdtree_pairs(reports: pd.DataFrame, rules: Rules) -> int:
    """Baseline: cKDTree on space only, then filter by time and category (pair count)."""
    xyz = sphere_km(reports["longitude"].to_numpy(), reports["latitude"].to_numpy())
    pairs = cKDTree(xyz).query_pairs(rules.distance_km, output_type="ndarray")
    t = pd.to_datetime(reports["time"]).to_numpy().astype("datetime64[m]").astype(float) / 60
    ok = np.abs(t[pairs[:, 0]] - t[pairs[:, 1]]) <= rules.gap_hours
    return int(ok.sum())


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rules = Rules()
    reader = AccessContext("MINUSMA")
    data = generate(n)
    start = time.perf_counter()
    result = fuse(ReportTable(data).view(reader), rules)  # the gate included
    elapsed = time.perf_counter() - start
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(
        f"fuse {n:,} reports: {elapsed:.1f} s, peak RSS {peak_gb:.2f} GB, "
        f"{len(result.incidents):,} incidents, {len(result.links):,} links"
    )
    cut = n - n // 100
    earlier = fuse(ReportTable(data.iloc[:cut]).view(reader), rules)
    start = time.perf_counter()
    later = extend(earlier, ReportTable(data.iloc[cut:]).view(reader))
    t_extend = time.perf_counter() - start
    same = later.incidents.equals(result.incidents) and later.links.equals(result.links)
    print(
        f"extend by the last {n - cut:,} reports: {t_extend:.1f} s (batch {elapsed:.1f} s); "
        f"identical to the batch result: {same}"
    )
    sub = data.iloc[: n // 10].reset_index(drop=True)
    start = time.perf_counter()
    grid = len(link_pairs(sub, rules))
    t_grid = time.perf_counter() - start
    start = time.perf_counter()
    tree = ckdtree_pairs(sub, rules)
    t_tree = time.perf_counter() - start
    print(
        f"pair search on {len(sub):,} reports: grid index {t_grid:.2f} s ({grid:,} links), "
        f"cKDTree space-only + time filter {t_tree:.2f} s ({tree:,} space-time pairs before "
        f"the category rule); ratio cKDTree/grid = {t_tree / t_grid:.1f}"
    )


if __name__ == "__main__":
    main()
