"""The covering problem as data: cells, sites, asset types, today's assets and what may be added.

:class:`CoverageProblem` holds the inputs; :func:`check_problem` says precisely what is wrong with
them; :class:`Reach` holds, per asset type, the sparse cells x sites distances within reach, built
once and shared by the optimiser, the greedy baseline and the evaluation, so that all three measure
coverage the same way (:func:`expected_coverage`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from bluehelmet.errors import DataError, Problem
from bluehelmet.protect.geometry import pairs_within, patrol_shares, reach_km

ASSET_COLUMNS = ("speed_kmh", "route_factor", "mobilisation_minutes", "range_km", "availability")

#: Share of the day in darkness (assumed: about 12 of 24 hours in the tropics, where every
#: protection mission of 2018 operates); incidents are taken as equally likely at any hour.
NIGHT_SHARE = 0.5


@dataclass(frozen=True)
class CoverageProblem:
    """Inputs of the maximal-covering model.

    Parameters
    ----------
    cells
        ``cell_id, longitude, latitude, risk`` and optionally ``weight`` (e.g. population); the
        value of covering a cell is ``risk * weight`` (weight 1 when absent).
    sites
        ``site_id, name, longitude, latitude, existing``: existing bases are always open;
        the others are candidate sites for temporary operating bases (TOBs).
    asset_types
        Indexed by asset type id, with the columns of :data:`ASSET_COLUMNS`.
    fixed
        Today's deployment: ``site_id, asset_type_id, count``.
    extra
        Additional assets of each type the mission may place (0 when absent).
    response_minutes
        A cell counts as covered by an asset that can reach its centre within this time.
    max_new_sites
        Largest number of candidate sites that may be opened.
    relocate
        If true, today's assets may also be moved; if false they stay where they are.
    max_backup
        For assets with availability below 1: how many of them covering one cell are counted
        (the k-th adds ``p (1 - p)^(k-1)`` to its expected coverage).
    new_site_assets
        Asset types that may stand at a site not open today (default: every ground type, and
        aircraft only at airfields, see ``sites``).
    within_cell_km
        Distance added to every response distance (mean distance from a place in a cell to its
        centre).
    night_share
        Share of the day in darkness: an asset type with ``night_capable`` false responds only
        by day, so its availability is multiplied by ``1 - night_share``.
    cell_degrees
        Size of a (square) cell in degrees, for the share of its area a patrol covers.

    Notes
    -----
    Optional columns: ``sites.airfield`` (aircraft stand only at sites where it is true, open or
    not); ``asset_types.patrol_km`` (an asset of the type at a site covers, by its presence and
    patrols, the share of each cell's area within this radius of the site);
    ``asset_types.night_capable``.

    """

    cells: pd.DataFrame
    sites: pd.DataFrame
    asset_types: pd.DataFrame
    fixed: pd.DataFrame
    extra: Mapping[str, int] = field(default_factory=dict)
    response_minutes: float = 120.0
    max_new_sites: int = 0
    relocate: bool = False
    max_backup: int = 3
    new_site_assets: tuple[str, ...] | None = None
    within_cell_km: float = 0.0
    night_share: float = NIGHT_SHARE
    cell_degrees: float = 0.5

    def group_sizes(self) -> np.ndarray:
        """Assets added to a site together, per asset type (column ``group_size``, else 1)."""
        if "group_size" not in self.asset_types:
            return np.ones(len(self.asset_types), dtype=np.int64)
        return self.asset_types["group_size"].fillna(1).astype(int).clip(lower=1).to_numpy()

    def allowed_at_new_sites(self) -> np.ndarray:
        """Which asset types (in table order) may stand at a new site."""
        ids = [str(a) for a in self.asset_types.index]
        if self.new_site_assets is not None:
            return np.array([a in self.new_site_assets for a in ids], dtype=bool)
        if "mode" in self.asset_types:
            return (self.asset_types["mode"].astype("string") != "air").fillna(True).to_numpy(bool)
        return np.ones(len(ids), dtype=bool)

    def is_air(self) -> np.ndarray:
        """Which asset types (in table order) are aircraft."""
        if "mode" not in self.asset_types:
            return np.zeros(len(self.asset_types), dtype=bool)
        return (self.asset_types["mode"].astype("string") == "air").fillna(False).to_numpy(bool)

    def airfields(self) -> np.ndarray | None:
        """Which sites are airfields (``None`` when the sites do not say)."""
        if "airfield" not in self.sites:
            return None
        return self.sites["airfield"].astype("boolean").fillna(False).to_numpy(bool)

    def allowed_sites(self) -> np.ndarray:
        """(asset types x sites): where each type may stand.

        Without an ``airfield`` column aircraft keep to the sites open today (they need a runway
        or helipad, fuel and maintenance); with it they stand at airfields only, open today or
        not (opening one counts as a new site). Other types may stand anywhere.
        """
        n_types, n_sites = len(self.asset_types), len(self.sites)
        allowed = np.ones((n_types, n_sites), dtype=bool)
        new_ok = self.allowed_at_new_sites()
        airfield = self.airfields()
        if airfield is not None:
            air = self.is_air()
            allowed[air] = airfield[None, :]
            if self.new_site_assets is None:
                new_ok = new_ok | air
        allowed[np.ix_(~new_ok, ~self.open_today())] = False
        return allowed

    def patrol_km(self) -> np.ndarray:
        """Patrol radius of each asset type (km; 0 where none is given)."""
        if "patrol_km" not in self.asset_types:
            return np.zeros(len(self.asset_types))
        return np.asarray(
            pd.to_numeric(self.asset_types["patrol_km"], errors="coerce")
            .fillna(0.0)
            .to_numpy(float)
        )

    def effective_availability(self) -> np.ndarray:
        """Availability of each type, times ``1 - night_share`` for types that fly only by day."""
        avail = pd.to_numeric(self.asset_types["availability"], errors="coerce").to_numpy(float)
        if "night_capable" not in self.asset_types:
            return np.asarray(avail)
        capable = self.asset_types["night_capable"].astype("boolean")
        day_only = (~capable).fillna(False).to_numpy(bool)
        return np.asarray(np.where(day_only, avail * (1.0 - self.night_share), avail))

    @property
    def value(self) -> np.ndarray:
        """Value of covering each cell: risk x weight."""
        weight = self.cells["weight"].to_numpy(float) if "weight" in self.cells else 1.0
        return np.asarray(self.cells["risk"].to_numpy(float) * weight)

    def fixed_counts(self) -> np.ndarray:
        """Today's assets as an (asset types x sites) integer array."""
        counts = np.zeros((len(self.asset_types), len(self.sites)), dtype=np.int64)
        a_pos = {a: i for i, a in enumerate(self.asset_types.index)}
        s_pos = {s: j for j, s in enumerate(self.sites["site_id"])}
        for site, asset, n in zip(
            self.fixed["site_id"], self.fixed["asset_type_id"], self.fixed["count"], strict=True
        ):
            counts[a_pos[str(asset)], s_pos[str(site)]] += int(n)
        return counts

    def totals(self) -> np.ndarray:
        """Assets of each type the mission has in this problem: today's plus the extra."""
        extra = np.array([int(self.extra.get(str(a), 0)) for a in self.asset_types.index])
        return np.asarray(self.fixed_counts().sum(axis=1) + extra)

    def open_today(self) -> np.ndarray:
        """Sites open without a decision: existing bases and sites holding today's assets."""
        held = self.fixed_counts().sum(axis=0) > 0
        return np.asarray(self.sites["existing"].to_numpy(bool) | held)


def check_problem(problem: CoverageProblem, where: str = "protection problem") -> None:
    """Raise :class:`DataError` listing every problem with ``problem``'s inputs."""
    out: list[Problem] = []
    cells, sites, assets = problem.cells, problem.sites, problem.asset_types
    for name, table, cols in (
        ("cells", cells, ("cell_id", "longitude", "latitude", "risk")),
        ("sites", sites, ("site_id", "longitude", "latitude", "existing")),
        ("fixed", problem.fixed, ("site_id", "asset_type_id", "count")),
    ):
        for col in cols:
            if col not in table.columns:
                out.append(
                    Problem(
                        f"{where}: {name}",
                        None,
                        col,
                        None,
                        "column is missing",
                        f"add a column '{col}'",
                    )
                )
    for col in ASSET_COLUMNS:
        if col not in assets.columns:
            out.append(
                Problem(
                    f"{where}: asset_types",
                    None,
                    col,
                    None,
                    "column is missing",
                    f"add a column '{col}' (see the asset_types schema)",
                )
            )
    if out:
        raise DataError(out)
    for name, table, col in (("cells", cells, "cell_id"), ("sites", sites, "site_id")):
        for i in map(int, np.flatnonzero(table[col].duplicated().to_numpy())):
            out.append(
                Problem(
                    f"{where}: {name}",
                    i + 2,
                    col,
                    str(table[col].iloc[i]),
                    "duplicate id",
                    "give every record its own id",
                )
            )
    risk = pd.to_numeric(cells["risk"], errors="coerce").to_numpy(float)
    for i in map(int, np.flatnonzero(~np.isfinite(risk) | (risk < 0))):
        out.append(
            Problem(
                f"{where}: cells",
                i + 2,
                "risk",
                str(cells["risk"].iloc[i]),
                "risk must be a finite number >= 0",
                "give a risk >= 0 for every cell",
            )
        )
    for name, table in (("cells", cells), ("sites", sites)):
        lon = pd.to_numeric(table["longitude"], errors="coerce").to_numpy(float)
        lat = pd.to_numeric(table["latitude"], errors="coerce").to_numpy(float)
        bad = ~(np.abs(lon) <= 180) | ~(np.abs(lat) <= 90)
        for i in map(int, np.flatnonzero(bad)):
            out.append(
                Problem(
                    f"{where}: {name}",
                    i + 2,
                    "longitude/latitude",
                    f"{table['longitude'].iloc[i]}, {table['latitude'].iloc[i]}",
                    "not a valid WGS84 position",
                    "give longitude in [-180, 180] and latitude in [-90, 90], in decimal degrees",
                )
            )
    known_sites = set(sites["site_id"].astype(str))
    fixed = problem.fixed
    for i, (site, asset, n) in enumerate(
        zip(fixed["site_id"], fixed["asset_type_id"], fixed["count"], strict=True)
    ):
        if str(asset) not in assets.index:
            out.append(
                Problem(
                    f"{where}: base assets",
                    i + 2,
                    "asset_type_id",
                    str(asset),
                    "unknown asset type",
                    f"use one of {', '.join(map(str, assets.index))}",
                )
            )
        if str(site) not in known_sites:
            out.append(
                Problem(
                    f"{where}: base assets",
                    i + 2,
                    "base_id",
                    str(site),
                    "no base or site with this id",
                    "use an id from the bases table",
                )
            )
        if pd.isna(n) or int(n) < 0:
            out.append(
                Problem(
                    f"{where}: base assets",
                    i + 2,
                    "count",
                    str(n),
                    "count must be a whole number >= 0",
                    "give a count >= 0",
                )
            )
    for key, n in problem.extra.items():
        if str(key) not in assets.index:
            out.append(
                Problem(
                    where,
                    None,
                    "extra",
                    str(key),
                    "unknown asset type",
                    f"use one of {', '.join(map(str, assets.index))}",
                )
            )
        if int(n) < 0:
            out.append(
                Problem(
                    where,
                    None,
                    f"extra[{key}]",
                    str(n),
                    "negative number of assets",
                    "give 0 or more additional assets",
                )
            )
    if not np.isfinite(problem.response_minutes) or problem.response_minutes <= 0:
        out.append(
            Problem(
                where,
                None,
                "response_minutes",
                str(problem.response_minutes),
                "response time must be positive",
                "give minutes > 0, e.g. 60",
            )
        )
    if problem.max_new_sites < 0:
        out.append(
            Problem(
                where,
                None,
                "max_new_sites",
                str(problem.max_new_sites),
                "negative",
                "give 0 or more",
            )
        )
    if not np.isfinite(problem.within_cell_km) or problem.within_cell_km < 0:
        out.append(
            Problem(
                where,
                None,
                "within_cell_km",
                str(problem.within_cell_km),
                "must be a distance >= 0",
                "give km >= 0 (0 treats cells as points)",
            )
        )
    if problem.max_backup < 1:
        out.append(
            Problem(
                where,
                None,
                "max_backup",
                str(problem.max_backup),
                "must be at least 1",
                "give 1 or more (3 is usual)",
            )
        )
    avail = pd.to_numeric(assets["availability"], errors="coerce").to_numpy(float)
    for i in map(int, np.flatnonzero(~((avail > 0) & (avail <= 1)))):
        out.append(
            Problem(
                f"{where}: asset_types",
                i + 2,
                "availability",
                str(assets["availability"].iloc[i]),
                "must be in (0, 1]",
                "give the share of time one asset is ready, e.g. 0.667",
            )
        )
    if not 0 <= problem.night_share < 1:
        out.append(
            Problem(
                where,
                None,
                "night_share",
                str(problem.night_share),
                "must be in [0, 1)",
                "give the share of the day in darkness, e.g. 0.5",
            )
        )
    patrol = (
        pd.to_numeric(assets.get("patrol_km", pd.Series(0.0, index=assets.index)), errors="coerce")
        .fillna(0.0)
        .to_numpy(float)
    )
    for i in map(int, np.flatnonzero(patrol < 0)):
        out.append(
            Problem(
                f"{where}: asset_types",
                i + 2,
                "patrol_km",
                str(assets["patrol_km"].iloc[i]),
                "must be a distance >= 0",
                "give the patrol radius in km (empty: no patrols)",
            )
        )
    airfield = problem.airfields()
    if airfield is not None and not out:
        air = problem.is_air()
        held = problem.fixed_counts()
        s_pos = {s: j for j, s in enumerate(sites["site_id"].astype(str))}
        for i, (site, asset) in enumerate(
            zip(fixed["site_id"], fixed["asset_type_id"], strict=True)
        ):
            a = list(map(str, assets.index)).index(str(asset))
            j = s_pos[str(site)]
            if air[a] and held[a, j] > 0 and not airfield[j]:
                out.append(
                    Problem(
                        f"{where}: base assets",
                        i + 2,
                        "base_id",
                        str(site),
                        "aircraft at a site that is not an airfield",
                        "base the aircraft at an airfield (sites.airfield true) or "
                        "mark the site as one",
                    )
                )
    if out:
        raise DataError(out)


class Reach:
    """Per asset type: sparse cells x sites great-circle distances within reach.

    Parameters
    ----------
    problem
        The problem; its response time and asset types decide the reach.

    """

    def __init__(self, problem: CoverageProblem) -> None:
        self.asset_ids = [str(a) for a in problem.asset_types.index]
        self.reach_km = reach_km(problem.asset_types, problem.response_minutes)
        #: Added to every great-circle distance (see ``CoverageProblem.within_cell_km``).
        self.offset_km = float(problem.within_cell_km)
        lon = problem.cells["longitude"].to_numpy(float)
        lat = problem.cells["latitude"].to_numpy(float)
        slon = problem.sites["longitude"].to_numpy(float)
        slat = problem.sites["latitude"].to_numpy(float)
        self.distance: list[sp.csr_matrix] = [
            pairs_within(lon, lat, slon, slat, float(self.reach_km[a]) - self.offset_km)
            for a in problem.asset_types.index
        ]
        #: 0/1 incidence (cells x sites) per asset type.
        self.incidence: list[sp.csr_matrix] = []
        for d in self.distance:
            inc = d.copy()
            inc.data = np.ones_like(inc.data)
            self.incidence.append(inc)
        avail = problem.effective_availability()
        depth = [1 if p >= 1 else problem.max_backup for p in avail]
        #: Per patrolling type: cells x sites share of the cell's area within its patrol radius.
        self.patrol: list[sp.csr_matrix | None] = [
            patrol_shares(lon, lat, slon, slat, float(r), problem.cell_degrees) if r > 0 else None
            for r in problem.patrol_km()
        ]
        self.n_cells = len(lon)
        #: Expected-coverage gain of the k-th asset of each type covering a cell.
        self.gains: list[np.ndarray] = [
            p * (1 - p) ** np.arange(k) for p, k in zip(avail, depth, strict=True)
        ]

    def patrol_coverage(self, x: np.ndarray) -> np.ndarray:
        """(asset types x cells): the share of each cell patrolled, for counts ``x``.

        A site holding at least one asset of a patrolling type covers its share of every cell
        near it (more assets at the same site patrol the same area); shares from several sites
        add up (an upper bound where their areas overlap; the total is capped at 1).
        """
        out = np.zeros((len(self.patrol), self.n_cells))
        for a, shares in enumerate(self.patrol):
            if shares is not None:
                out[a] = shares @ (x[a] > 0).astype(float)
        return out

    def counts_covering(self, x: np.ndarray) -> np.ndarray:
        """(asset types x cells): how many assets of each type reach each cell, for counts ``x``."""
        return np.vstack([inc @ x[a].astype(float) for a, inc in enumerate(self.incidence)])

    def type_coverage(self, n: np.ndarray) -> np.ndarray:
        """Return the expected coverage each type gives each cell, from counts ``n``."""
        out = np.zeros_like(n, dtype=float)
        for a, g in enumerate(self.gains):
            cum = np.concatenate([[0.0], np.cumsum(g)])
            out[a] = cum[np.minimum(n[a], len(g)).astype(int)]
        return out


def expected_coverage(reach: Reach, x: np.ndarray) -> np.ndarray:
    """Return the expected coverage of each cell for asset counts ``x`` (types x sites).

    The sum over asset types of each type's expected coverage ``1 - (1 - p)^n`` (n capped at the
    backup depth) and of the share of the cell patrolled from sites holding a patrolling type
    (:meth:`Reach.patrol_coverage`), capped at 1. It is the exact probability that a ready
    asset can respond when at most one covering type has availability below 1 and no cell is
    patrolled; otherwise it is an upper bound. The optimiser maximises exactly this measure.
    """
    return np.minimum(
        1.0,
        reach.type_coverage(reach.counts_covering(x)).sum(axis=0)
        + reach.patrol_coverage(x).sum(axis=0),
    )
