"""Fusion: link reports about the same event into incidents, explainably and incrementally.

Two reports are **linked** when all of these hold (the rule, with its limits, is written on every
link):

* both are located and their time precision is ``day`` or finer;
* great-circle distance <= ``distance_km``;
* the gap between their time intervals ``[time, time + precision)`` is <= ``gap_hours``;
* their categories are compatible: equal, one of them ``other``, or a pair of
  ``intel/category_compatibility.csv``.

Incidents are the connected components of the links (single linkage, computed with
``scipy.sparse.csgraph``), so the result does not depend on the order of the reports and adding
reports one by one gives exactly the batch result. An incident's id is ``inc-`` + the id of its
earliest report (time, then id): stable across re-runs.

Need to know: incidents are built **for a reader, from the reports that reader may see**:
:func:`fuse` and :func:`extend` take a :class:`~bluehelmet.intel.view.ReportView` (a store's
``view(reader)``), never a raw table. An incident's classification is the highest of its
reports'; it is owned by the reader's organisation (a derived product), so nothing of a hidden
report can surface.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from bluehelmet.intel.index import GridIndex, haversine_km, pairs_between, pairs_within, sphere_km
from bluehelmet.intel.reports import PRECISION_HOURS, parse_times
from bluehelmet.intel.view import ReportView
from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.model.gate import highest_classification
from bluehelmet.model.validate import empty_table

#: Categories, most specific first; an incident takes the first one among its reports.
CATEGORIES: tuple[str, ...] = (
    "attack_on_civilians",
    "attack_on_peacekeepers",
    "ied",
    "armed_group_movement",
    "displacement",
    "restriction_of_movement",
    "hate_speech",
    "other",
)


@dataclass(frozen=True)
class Rules:
    """Limits of the linking rule."""

    distance_km: float = 10.0
    gap_hours: float = 48.0

    def text(self) -> str:
        """The rule as written on each link."""
        return (
            f"same event: distance <= {self.distance_km:g} km, time gap <= "
            f"{self.gap_hours:g} h, compatible categories"
        )


@dataclass
class Fusion:
    """Fusion result for one reader.

    Attributes
    ----------
    reports
        The reports fused (those the reader may see), with an ``incident_id`` column added.
    reader
        Whose view was fused (incidents are owned by the reader's organisation).
    incidents
        One row per incident (the ``incidents`` entity's columns).
    links
        One row per linked pair (the ``incident_links`` entity's columns).
    """

    reports: pd.DataFrame
    incidents: pd.DataFrame
    links: pd.DataFrame
    rules: Rules
    reader: AccessContext

    @property
    def marking(self) -> Classification:
        """The highest classification among the fused reports (the marking of the files)."""
        return highest_classification({"reports": self.reports})


@cache
def _compatible() -> np.ndarray:
    text = resources.files("bluehelmet.intel").joinpath("category_compatibility.csv")
    table = pd.read_csv(str(text))
    code = {c: i for i, c in enumerate(CATEGORIES)}
    ok = np.eye(len(CATEGORIES), dtype=bool)
    ok[code["other"], :] = ok[:, code["other"]] = True
    for a, b in zip(table["category_a"], table["category_b"], strict=True):
        ok[code[a], code[b]] = ok[code[b], code[a]] = True
    return ok


@cache
def _grades() -> dict[str, dict[str, float]]:
    text = resources.files("bluehelmet.intel").joinpath("admiralty.csv")
    table = pd.read_csv(str(text), dtype={"grade": str})
    return {
        str(k): dict(zip(g["grade"], g["probability"], strict=True))
        for k, g in table.groupby("kind")
    }


def report_probability(reports: pd.DataFrame) -> np.ndarray:
    """Report probability: P(source reliable) x P(information true), from ``admiralty.csv``."""
    grades = _grades()
    r = reports["reliability"].astype("string").map(grades["reliability"]).fillna(0.6)
    c = reports["credibility"].astype("string").map(grades["credibility"]).fillna(0.6)
    return (r.astype(float) * c.astype(float)).to_numpy()


@dataclass(frozen=True)
class _Prepared:
    hours: np.ndarray
    span: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    category: np.ndarray
    linkable: np.ndarray


def _prepare(reports: pd.DataFrame) -> _Prepared:
    times = parse_times(reports["time"])
    hours = (times - pd.Timestamp("1970-01-01")).dt.total_seconds().to_numpy() / 3600.0
    span = reports["time_precision"].astype("string").map(PRECISION_HOURS).astype(float).to_numpy()
    lon = reports["longitude"].to_numpy("float64", na_value=np.nan)
    lat = reports["latitude"].to_numpy("float64", na_value=np.nan)
    code = {c: i for i, c in enumerate(CATEGORIES)}
    category = reports["category"].astype("string").map(code).fillna(code["other"]).to_numpy(int)
    linkable = (
        np.isfinite(hours) & np.isfinite(lon) & np.isfinite(lat) & (span <= PRECISION_HOURS["day"])
    )
    return _Prepared(hours, span, lon, lat, category, linkable)


def _check(
    p: _Prepared, i: np.ndarray, j: np.ndarray, rules: Rules
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Exact rule on candidate pairs; returns the linked (i, j, distance, gap)."""
    dist = haversine_km(p.lon[i], p.lat[i], p.lon[j], p.lat[j])
    gap = np.maximum(
        0.0,
        np.maximum(p.hours[i], p.hours[j])
        - np.minimum(p.hours[i] + p.span[i], p.hours[j] + p.span[j]),
    )
    ok = (
        (dist <= rules.distance_km)
        & (gap <= rules.gap_hours)
        & _compatible()[p.category[i], p.category[j]]
    )
    return i[ok], j[ok], dist[ok], gap[ok]


def _index(p: _Prepared, rules: Rules, t0: float, t1: float) -> tuple[GridIndex, np.ndarray]:
    # A time cell spans the gap plus the longest linkable precision, so linked pairs are
    # at most one cell apart in time.
    grid = GridIndex(rules.distance_km, rules.gap_hours + PRECISION_HOURS["day"], t0, t1)
    keys = np.full(len(p.hours), -1, dtype="int64")
    m = p.linkable
    keys[m] = grid.keys(sphere_km(p.lon[m], p.lat[m]), p.hours[m])
    return grid, keys


def _time_range(p: _Prepared) -> tuple[float, float]:
    h = p.hours[p.linkable]
    return (float(h.min()), float(h.max())) if len(h) else (0.0, 1.0)


def link_pairs(
    reports: pd.DataFrame, rules: Rules, prepared: _Prepared | None = None
) -> pd.DataFrame:
    """All linked pairs among ``reports`` (positions ``i < j``), with distance and gap."""
    p = prepared or _prepare(reports)
    grid, keys = _index(p, rules, *_time_range(p))
    pos = np.flatnonzero(p.linkable)
    a, b = pairs_within(keys[pos], grid.deltas(half=True))
    i, j, dist, gap = _check(p, pos[a], pos[b], rules)
    return pd.DataFrame({"i": i, "j": j, "distance_km": dist, "gap_hours": gap})


def fuse(view: ReportView, rules: Rules | None = None) -> Fusion:
    """Fuse the reports of ``view`` (those its reader may see) into incidents."""
    rules = rules or Rules()
    shown = view.reports
    p = _prepare(shown)
    return _assemble(shown, link_pairs(shown, rules, p), rules, view.reader, p)


def extend(previous: Fusion, new_reports: ReportView) -> Fusion:
    """Add reports to an earlier fusion for the same reader; equals fusing everything at once.

    Only pairs that involve a new report are searched (the new reports are indexed and matched
    against each other and against the reports fused before), and only the incidents they touch
    are recomputed.

    Raises
    ------
    ValueError
        If ``new_reports`` is another reader's view than the one ``previous`` was fused for.
    """
    if new_reports.reader != previous.reader:
        raise ValueError(
            "extend a fusion only with a view of the same reader "
            f"({previous.reader.organisation}, {previous.reader.clearance.label})"
        )
    reader = previous.reader
    rules = previous.rules
    new = new_reports.reports
    new = new[~_member(new["id"], previous.reports["id"])].reset_index(drop=True)
    old = previous.reports.drop(columns="incident_id")
    combined = pd.concat([old, new], ignore_index=True)
    p = _prepare(combined)
    grid, keys = _index(p, rules, *_time_range(p))
    n_old = len(old)
    old_pos = np.flatnonzero(p.linkable[:n_old])
    new_pos = n_old + np.flatnonzero(p.linkable[n_old:])
    a, b = pairs_within(keys[new_pos], grid.deltas(half=True))
    i1, j1, d1, g1 = _check(p, new_pos[a], new_pos[b], rules)
    a, b = pairs_between(keys[new_pos], keys[old_pos], grid.deltas(half=False))
    i2, j2, d2, g2 = _check(p, old_pos[b], new_pos[a], rules)
    # Only incidents that a new report links to change; every other incident and link is kept.
    old_incident = previous.reports["incident_id"].to_numpy(str)
    touched = np.unique(old_incident[i2])
    sub = np.concatenate(
        [np.flatnonzero(np.isin(old_incident, touched)), np.arange(n_old, len(combined))]
    )
    where = np.full(len(combined), -1)
    where[sub] = np.arange(len(sub))
    id_pos = pd.Series(np.arange(n_old), index=old["id"].to_numpy())
    links_touched = _member(previous.links["incident_id"], touched)
    earlier = previous.links[links_touched]
    pairs = pd.DataFrame(
        {
            "i": where[np.concatenate([id_pos.reindex(earlier["report_a"]).to_numpy(int), i1, i2])],
            "j": where[np.concatenate([id_pos.reindex(earlier["report_b"]).to_numpy(int), j1, j2])],
            "distance_km": np.concatenate([earlier["distance_km"].to_numpy(float), d1, d2]),
            "gap_hours": np.concatenate([earlier["gap_hours"].to_numpy(float), g1, g2]),
        }
    )
    part = _assemble(combined.iloc[sub].reset_index(drop=True), pairs, rules, reader, _take(p, sub))
    incident_id = np.concatenate([old_incident, np.full(len(new), "", dtype=object)]).astype(object)
    incident_id[sub] = part.reports["incident_id"].to_numpy(str)
    fused = combined.assign(incident_id=pd.array(incident_id.astype(str), dtype="string"))
    keep = ~_member(previous.incidents["id"], touched)
    incidents = pd.concat([previous.incidents[keep], part.incidents], ignore_index=True)
    links = pd.concat([previous.links[~links_touched], part.links], ignore_index=True)
    return Fusion(
        fused,
        incidents.sort_values("id", ignore_index=True),
        links.sort_values(["incident_id", "report_a", "report_b"], ignore_index=True),
        rules,
        reader,
    )


def _member(values: pd.Series, pool: pd.Series | np.ndarray) -> np.ndarray:
    """Which ``values`` are in ``pool``, by hash lookup (``isin`` on Arrow strings is slow)."""
    index = pd.Index(np.asarray(pool, dtype=object)).unique()
    return np.asarray(index.get_indexer(values.to_numpy(dtype=object)) >= 0)


def _take(p: _Prepared, rows: np.ndarray) -> _Prepared:
    return _Prepared(
        p.hours[rows], p.span[rows], p.lon[rows], p.lat[rows], p.category[rows], p.linkable[rows]
    )


def _assemble(
    reports: pd.DataFrame, pairs: pd.DataFrame, rules: Rules, reader: AccessContext, p: _Prepared
) -> Fusion:
    n = len(reports)
    graph = sp.coo_matrix((np.ones(len(pairs)), (pairs["i"], pairs["j"])), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    ids = reports["id"].to_numpy(str)
    # Reports grouped by incident, each group in time order (time, then id): the first report
    # of a group names the incident, so ids are stable across re-runs.
    by_time = np.lexsort((ids, np.nan_to_num(p.hours, nan=np.inf)))
    grouped = by_time[np.argsort(component[by_time], kind="stable")]
    _, start = np.unique(component[grouped], return_index=True)
    names = np.char.add("inc-", ids[grouped[start]])
    incident_id = names[component]  # components are numbered 0..k-1, in the order of unique
    fused = reports.assign(incident_id=pd.array(incident_id, dtype="string"))
    incidents = _summarise(reports, grouped, start, names, p, reader)
    a = np.minimum(pairs["i"].to_numpy(int), pairs["j"].to_numpy(int))
    b = np.maximum(pairs["i"].to_numpy(int), pairs["j"].to_numpy(int))
    swap = np.nan_to_num(p.hours[a], nan=np.inf) > np.nan_to_num(p.hours[b], nan=np.inf)
    a, b = np.where(swap, b, a), np.where(swap, a, b)
    cats = np.asarray(CATEGORIES)
    links = pd.DataFrame(
        {
            "incident_id": pd.array(incident_id[a], dtype="string"),
            "report_a": pd.array(ids[a], dtype="string"),
            "report_b": pd.array(ids[b], dtype="string"),
            "rule": rules.text(),
            "distance_km": pairs["distance_km"].to_numpy(float),
            "gap_hours": pairs["gap_hours"].to_numpy(float),
            "categories": pd.array(
                np.char.add(np.char.add(cats[p.category[a]], "|"), cats[p.category[b]]),
                dtype="string",
            ),
        }
    ).sort_values(["incident_id", "report_a", "report_b"], ignore_index=True)
    return Fusion(fused, incidents, links, rules, reader)


def _confidence(reports: pd.DataFrame, component: np.ndarray, k: int) -> np.ndarray:
    """Noisy-OR over sources of each source's best report probability, per incident."""
    # Reports from one source are not independent: take each source's best report, then combine
    # sources as independent witnesses.
    source, _ = pd.factorize(
        reports["owner"].astype("string").fillna("")
        + "/"
        + reports["source_type"].astype("string").fillna("")
    )
    key = component.astype("int64") * (int(source.max()) + 1) + source
    unique, inverse = np.unique(key, return_inverse=True)
    best = np.zeros(len(unique))
    np.maximum.at(best, inverse, report_probability(reports))
    log_miss = np.bincount(
        unique // (int(source.max()) + 1), weights=np.log1p(-np.minimum(best, 0.999)), minlength=k
    )
    return 1 - np.exp(log_miss)


def _summarise(
    reports: pd.DataFrame,
    grouped: np.ndarray,
    start: np.ndarray,
    names: np.ndarray,
    p: _Prepared,
    reader: AccessContext,
) -> pd.DataFrame:
    """One row per incident; ``grouped`` lists reports by incident, ``start`` where each begins."""
    k = len(start)
    if k == 0:
        return empty_table("incidents")
    end = np.append(start[1:], len(grouped))
    sizes = end - start
    component = np.repeat(np.arange(k), sizes)  # incident number of each position in grouped
    times = reports["time"].astype("string").to_numpy(str)[grouped]
    located = np.isfinite(p.lon[grouped]) & np.isfinite(p.lat[grouped])
    n_located = np.bincount(component, weights=located, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        lon = np.bincount(component, np.where(located, p.lon[grouped], 0), k) / n_located
        lat = np.bincount(component, np.where(located, p.lat[grouped], 0), k) / n_located
    fatalities = reports["fatalities"].astype("float64").to_numpy()[grouped]
    civilians = reports["civilian_deaths"].astype("float64").to_numpy()[grouped]
    level = pd.Categorical(
        reports["classification"].astype(object),  # the one order
        categories=Classification.labels(),
        ordered=True,
    ).codes[grouped]
    id_list = reports["id"].to_numpy(str)[grouped].tolist()
    joined = [";".join(id_list[a:b]) for a, b in zip(start.tolist(), end.tolist(), strict=True)]
    table = pd.DataFrame(
        {
            "id": pd.array(names, dtype="string"),
            "first_time": pd.array(times[start], dtype="string"),
            "last_time": pd.array(times[end - 1], dtype="string"),
            "longitude": lon,
            "latitude": lat,
            "category": pd.array(
                np.asarray(CATEGORIES)[np.minimum.reduceat(p.category[grouped], start)],
                dtype="string",
            ),
            "reports": pd.array(sizes, dtype="Int64"),
            "report_ids": pd.array(joined, dtype="string"),
            "fatalities": pd.Series(np.fmax.reduceat(fatalities, start)).round().astype("Int64"),
            "civilian_deaths": pd.Series(np.fmax.reduceat(civilians, start))
            .round()
            .astype("Int64"),
            "confidence": _confidence(reports.iloc[grouped], component, k),
            "classification": pd.array(
                [Classification(v).label for v in np.maximum.reduceat(level, start)], dtype="string"
            ),
            "owner": pd.array([reader.organisation] * k, dtype="string"),
            "releasable_to": pd.Series([()] * k, dtype=object),
            "basis": pd.array(["derived"] * k, dtype="string"),
            "source": pd.array(["fused from reports by bluehelmet intel fuse"] * k, dtype="string"),
        }
    )
    return table.sort_values("id", ignore_index=True)
