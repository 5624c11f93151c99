"""Space-time grid index: candidate pairs of points near in space and time, vectorised.

Points are placed on the unit sphere scaled to the Earth (3-D, km) plus time (hours) and binned
into cells of ``space_km`` x ``space_km`` x ``space_km`` x ``time_hours``. Two points within
``space_km`` of great-circle distance are within ``space_km`` of chord distance, so they fall in
the same or neighbouring cells; the 81 neighbouring cells in four dimensions are matched with
sorted keys and ``searchsorted``, never a Python loop over points. Candidates must then be
checked exactly by the caller.
"""

from __future__ import annotations

import itertools

import numpy as np

from bluehelmet.geodesy import EARTH_RADIUS_KM as EARTH_KM
from bluehelmet.geodesy import haversine_km, sphere_km

__all__ = ["GridIndex", "haversine_km", "pairs_between", "pairs_within", "sphere_km"]


class GridIndex:
    """Bin keys of points in space (km, 3-D) and time (hours) on a fixed 4-D grid."""

    def __init__(self, space_km: float, time_hours: float, t0: float, t1: float) -> None:
        self.space = float(space_km)
        self.time = float(time_hours)
        self.t0 = float(t0)
        # One empty cell of padding on each side so that neighbour keys never wrap into another
        # row of the mixed-radix key.
        n_space = int(np.ceil(2 * EARTH_KM / self.space)) + 3
        n_time = int(np.ceil((t1 - t0) / self.time)) + 3
        self.radix = np.array([n_space, n_space, n_space, n_time], dtype="int64")
        if float(np.prod(self.radix.astype(float))) >= 2.0**62:
            raise ValueError("grid too fine for 64-bit keys: increase distance or time window")

    def keys(self, xyz: np.ndarray, hours: np.ndarray) -> np.ndarray:
        """Cell key of each point (int64)."""
        cells = (
            np.column_stack(
                [np.floor((xyz + EARTH_KM) / self.space), np.floor((hours - self.t0) / self.time)]
            ).astype("int64")
            + 1
        )
        key = cells[:, 0]
        for d in range(1, 4):
            key = key * self.radix[d] + cells[:, d]
        return key

    def deltas(self, half: bool) -> np.ndarray:
        """Key offsets of the neighbouring cells (all 80, or the 40 "positive" ones if half)."""
        out = []
        for off in itertools.product((-1, 0, 1), repeat=4):
            if off == (0, 0, 0, 0) or (half and off < (0, 0, 0, 0)):
                continue
            key = off[0]
            for d in range(1, 4):
                key = key * int(self.radix[d]) + off[d]
            out.append(key)
        return np.asarray(out, dtype="int64")


def _expand(
    start_a: np.ndarray, count_a: np.ndarray, start_b: np.ndarray, count_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """All (a, b) position pairs of matched cells: a in [start_a, +count_a), b likewise."""
    sizes = count_a * count_b
    total = int(sizes.sum())
    if total == 0:
        return np.empty(0, "int64"), np.empty(0, "int64")
    which = np.repeat(np.arange(len(sizes)), sizes)
    within = np.arange(total) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return start_a[which] + within // count_b[which], start_b[which] + within % count_b[which]


def _cells(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    order = np.argsort(keys, kind="stable")
    unique, start, count = np.unique(keys[order], return_index=True, return_counts=True)
    return order, unique, start, count


def pairs_within(keys: np.ndarray, deltas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs (i < j by position) among one set of points: same or neighbouring cells."""
    order, unique, start, count = _cells(keys)
    ia, ib = _expand(start, count, start, count)
    same = ia < ib
    parts_a, parts_b = [order[ia[same]]], [order[ib[same]]]
    for delta in deltas:
        pos = np.searchsorted(unique, unique + delta)
        pos = np.minimum(pos, len(unique) - 1)
        hit = unique[pos] == unique + delta
        a, b = _expand(start[hit], count[hit], start[pos[hit]], count[pos[hit]])
        parts_a.append(order[a])
        parts_b.append(order[b])
    i, j = np.concatenate(parts_a), np.concatenate(parts_b)
    return np.minimum(i, j), np.maximum(i, j)


def pairs_between(
    keys_new: np.ndarray, keys_old: np.ndarray, deltas: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs (new position, old position) in the same or neighbouring cells.

    ``deltas`` must be the full neighbourhood (``half=False``); the same cell is always included.
    """
    order_n, unique_n, start_n, count_n = _cells(keys_new)
    order_o, unique_o, start_o, count_o = _cells(keys_old)
    parts_a, parts_b = [], []
    if len(unique_o) == 0:
        return np.empty(0, "int64"), np.empty(0, "int64")
    for delta in np.concatenate([[0], deltas]):
        pos = np.minimum(np.searchsorted(unique_o, unique_n + delta), len(unique_o) - 1)
        hit = unique_o[pos] == unique_n + delta
        a, b = _expand(start_n[hit], count_n[hit], start_o[pos[hit]], count_o[pos[hit]])
        parts_a.append(order_n[a])
        parts_b.append(order_o[b])
    return np.concatenate(parts_a), np.concatenate(parts_b)
