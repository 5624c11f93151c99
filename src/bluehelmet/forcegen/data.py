"""Planning data: a scenario turned into arrays, and the candidate tours the model chooses from.

Everything here is vectorised: the candidate tours are the rows of a pandas merge of pledges and
requirements of the same unit type, crossed with start months and filtered by boolean masks
(caveats, language, readiness, availability). No candidate that could never be chosen is created,
and for every pledge that gets none, :func:`pledge_screening` says which mask removed it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bluehelmet.errors import DataError, Problem
from bluehelmet.forcegen.inplace import COMPONENT, ceiling_months, in_place_months, open_need
from bluehelmet.geodesy import haversine_km
from bluehelmet.model.schema import split_list
from bluehelmet.scenario.core import Scenario
from bluehelmet.statistics.money import fixed_monthly_cost, monthly_cost


@dataclass
class PlanningData:
    """Arrays the model is built from.

    Attributes
    ----------
    months
        Month start dates of the horizon (``T`` entries).
    fiscal_year
        UN fiscal-year label (``2018/19``) of each month.
    rate
        Troop cost reimbursement (USD per person-month) in force in each month.
    requirements
        One row per requirement, with ``first``/``last`` active month indices (clipped to the
        horizon), ``weight`` (priority weight), ``critical``, ``language_needed``.
    pledges
        One row per pledge with ``ready_base`` (date ready to move, before transit),
        ``until_month``, ``monthly_cost`` (USD per unit-month at the first month's rate),
        ``personnel``, ...
    candidates
        One row per candidate tour: ``pledge``, ``req`` (row positions), ``start``, ``end``
        (present months, inclusive), ``credit_from`` (first month counted as coverage), ``cost``.
    params
        The scalar parameters used.
    max_units
        Most units deployed at once, by contributor (only contributors with a limit).
    need
        Per requirement and active month: ``required`` (the total the mission needs),
        ``in_place`` (units in place counted towards it) and ``open`` (what the plan must fill).
    in_place
        Units in place per ``units_in_place`` row and month present (see
        :mod:`bluehelmet.forcegen.inplace`).
    ceilings
        Numeric Council ceilings per mission, component and month.
    unit_personnel
        Personnel of one unit, by unit type (the catalogue's figure).
    unit_aircraft
        Aircraft of one unit, by unit type (the catalogue's figure; 0 where empty).
    """

    months: pd.DatetimeIndex
    fiscal_year: np.ndarray
    rate: np.ndarray
    requirements: pd.DataFrame
    pledges: pd.DataFrame
    candidates: pd.DataFrame
    budgets: pd.DataFrame
    gender_targets: pd.DataFrame
    params: dict[str, Any]
    max_units: dict[str, float] = field(default_factory=dict)
    need: pd.DataFrame = field(default_factory=pd.DataFrame)
    in_place: pd.DataFrame = field(default_factory=pd.DataFrame)
    ceilings: pd.DataFrame = field(default_factory=pd.DataFrame)
    unit_personnel: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    unit_aircraft: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))

    @property
    def n_months(self) -> int:
        """Number of monthly periods."""
        return len(self.months)


def fiscal_year_label(date: pd.Timestamp) -> str:
    """UN peacekeeping fiscal year (1 July - 30 June) of ``date``, written ``2018/19``."""
    first = date.year if date.month >= 7 else date.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def month_index(dates: pd.Series, origin: pd.Timestamp, round_up: bool) -> np.ndarray:
    """Month index of each date relative to ``origin`` (a month start).

    With ``round_up`` a date after the first of its month maps to the next month: the first month a
    unit ready on that date can be present for all of.
    """
    d = pd.to_datetime(dates)
    idx = (d.dt.year - origin.year) * 12 + (d.dt.month - origin.month)
    if round_up:
        idx = idx + (d.dt.day > 1).astype(int)
    return idx.to_numpy(dtype=np.int64)


def _required(table: pd.DataFrame, name: str, file: str) -> None:
    if len(table) == 0:
        raise DataError([Problem(file, None, None, None, f"the scenario has no {name}",
                                 f"add at least one row to {file}")])


def _rates(scenario: Scenario, months: pd.DatetimeIndex) -> np.ndarray:
    """Reimbursement rate in force on the first day of each month."""
    rates = scenario.tables["reimbursement_rates"].sort_values("valid_from")
    _required(rates, "reimbursement rates", "reimbursement_rates.csv")
    pos = np.searchsorted(pd.to_datetime(rates["valid_from"]).to_numpy(), months.to_numpy(),
                          side="right") - 1
    values = rates["usd_per_person_month"].to_numpy(dtype=float)
    # Before the first recorded rate, the first rate applies (no older rate is known).
    return values[np.clip(pos, 0, None)]


def _requirements(scenario: Scenario, origin: pd.Timestamp, n_months: int,
                  params: dict[str, Any]) -> pd.DataFrame:
    req = scenario.requirements.reset_index(drop=True)
    missions = scenario.missions.set_index("id")
    units = scenario.unit_types.set_index("id")
    out = pd.DataFrame({
        "id": req["id"].astype(str), "mission_id": req["mission_id"].astype(str),
        "unit_type_id": req["unit_type_id"].astype(str),
        "count": req["count"].astype("int64").to_numpy(),
        "priority": req["priority"].astype(str),
    })
    out["first"] = np.clip(month_index(req["start"], origin, round_up=False), 0, None)
    out["last"] = np.clip(month_index(req["end"], origin, round_up=False), None, n_months - 1)
    weights = {p: float(params[f"priority_weight_{p}"]) for p in ("critical", "high", "normal")}
    out["weight"] = out["priority"].map(weights).astype(float)
    out["critical"] = units.loc[out["unit_type_id"], "critical"].fillna(False).to_numpy(bool)
    mission_lang = missions.loc[out["mission_id"], "language"].astype(str).to_numpy()
    own = req["language"].astype("string").fillna("").to_numpy(dtype=str)
    out["language_needed"] = np.where(own != "", own, np.where(mission_lang != "en",
                                                                mission_lang, ""))
    out["region"] = missions.loc[out["mission_id"], "region"].astype("string").fillna("").to_numpy()
    out["lon"] = missions.loc[out["mission_id"], "longitude"].to_numpy(dtype=float)
    out["lat"] = missions.loc[out["mission_id"], "latitude"].to_numpy(dtype=float)
    return out


def _pledges(scenario: Scenario, origin: pd.Timestamp, rate0: float) -> pd.DataFrame:
    # Pledges that are units in place are no longer offers (Scenario.open_pledges).
    pl = scenario.open_pledges().reset_index(drop=True)
    contrib = scenario.contributors.set_index("id")
    units = scenario.unit_types.set_index("id")
    leads = scenario.tables["pcrs_lead_times"].set_index("level")["lead_time_months"]
    missing = sorted(set(pl["pcrs_level"].astype(str)) - set(leads.index.astype(str)))
    if missing:
        raise DataError([Problem("pcrs_lead_times.csv", None, "level", lvl,
                                 "pledges use this PCRS level but it has no lead time",
                                 "add a row for it to pcrs_lead_times.csv") for lvl in missing])
    out = pd.DataFrame({
        "id": pl["id"].astype(str), "contributor_id": pl["contributor_id"].astype(str),
        "unit_type_id": pl["unit_type_id"].astype(str),
        "count": pl["count"].astype("int64").to_numpy(),
        "pcrs_level": pl["pcrs_level"].astype(str),
        "rotation": pl["rotation_months"].astype("int64").to_numpy(),
        "women_share": pl["women_share"].astype(float).fillna(0.0).to_numpy(),
    })
    c = contrib.loc[out["contributor_id"]]
    u = units.loc[out["unit_type_id"]]
    out["kind"] = c["kind"].astype(str).to_numpy()
    out["lon"] = c["longitude"].to_numpy(dtype=float)
    out["lat"] = c["latitude"].to_numpy(dtype=float)
    own_lang = pl["languages"].astype("string").fillna("")
    out["languages"] = np.where(own_lang != "", own_lang,
                                c["languages"].astype("string").fillna("").to_numpy())
    out["excluded_missions"] = pl["excluded_missions"].astype("string").fillna("").to_numpy()
    out["excluded_regions"] = pl["excluded_regions"].astype("string").fillna("").to_numpy()
    out["personnel"] = u["personnel"].astype(float).to_numpy()
    out["category"] = u["personnel_category"].astype(str).to_numpy()
    out["component"] = out["category"].map(COMPONENT).fillna("other").to_numpy()
    out["fixed_monthly"] = fixed_monthly_cost(u).to_numpy()
    out["monthly_cost"] = monthly_cost(out["personnel"], rate0, out["fixed_monthly"])
    out["lift_moves"] = u["lift_moves"].astype(float).fillna(1).to_numpy()
    lead = out["pcrs_level"].map(leads.astype(int)).to_numpy(dtype=int)
    # Lead times run from the date the pledge reached its PCRS level where the pledge gives it
    # (level_since; the unit cannot move before it is offered either); otherwise from the UN's
    # request, made at the start of planning at the earliest or when the unit is offered.
    offered = pd.to_datetime(pl["available_from"])
    base = offered.where(offered > origin, origin)
    since = pd.to_datetime(pl["level_since"]) if "level_since" in pl else pd.Series(
        pd.NaT, index=pl.index)
    out["lead_months"] = lead
    out["ready_base"] = [
        max(s + pd.DateOffset(months=int(m)), o) if pd.notna(s)
        else b + pd.DateOffset(months=int(m))
        for s, o, b, m in zip(since, offered, base, lead, strict=True)]
    until = pd.to_datetime(pl["available_until"])
    out["until_date"] = until.to_numpy()
    out["until_month"] = np.where(until.isna(), 10**6,
                                  month_index(until.fillna(origin), origin, round_up=False))
    return out


def _caveat_ok(cand: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Masks: mission not excluded, region not excluded, language available."""
    def contains(lists: pd.Series, items: pd.Series) -> np.ndarray:
        return np.array([i != "" and i in split_list(lst) for lst, i in zip(lists, items,
                                                                           strict=True)],
                        dtype=bool)
    mission_ok = ~contains(cand["excluded_missions"], cand["mission_id"])
    region_ok = ~contains(cand["excluded_regions"], cand["region"])
    needs = cand["language_needed"].astype(str)
    lang_ok = (needs == "").to_numpy() | contains(cand["languages"], needs)
    return mission_ok, region_ok, lang_ok


def pair_table(req: pd.DataFrame, pl: pd.DataFrame, params: dict[str, Any],
               origin: pd.Timestamp) -> pd.DataFrame:
    """Every pledge x requirement pair of the same unit type, with masks and earliest start."""
    left = pl.reset_index().rename(columns={"index": "pledge", "id": "pledge_id", "lon": "plon",
                                            "lat": "plat", "count": "pcount"})
    right = req.reset_index().rename(columns={"index": "req", "id": "req_id", "count": "rcount"})
    pairs = left.merge(right, on="unit_type_id", how="inner")
    m_ok, r_ok, l_ok = _caveat_ok(pairs)
    pairs["mission_ok"], pairs["region_ok"], pairs["language_ok"] = m_ok, r_ok, l_ok
    km = haversine_km(pairs["plon"].to_numpy(), pairs["plat"].to_numpy(),
                      pairs["lon"].to_numpy(), pairs["lat"].to_numpy())
    # Unknown coordinates: no transit distance is known, only loading time counts.
    km = np.nan_to_num(km, nan=0.0)
    days = km / float(params["transit_km_per_day"]) + float(params["loading_days"])
    pairs["transit_days"] = days
    ready = pd.to_datetime(pairs["ready_base"]) + pd.to_timedelta(np.ceil(days), unit="D")
    pairs["ready_date"] = ready
    pairs["earliest"] = np.maximum(month_index(ready, origin, round_up=True), 0)
    return pairs


def build_candidates(pairs: pd.DataFrame, handover: int) -> pd.DataFrame:
    """Cross feasible pairs with start months; keep only tours that can be chosen.

    A tour starting in month ``s`` is present in ``s .. end`` with
    ``end = min(s + rotation - 1, last active month of the requirement within the horizon,
    last month offered)``; it
    counts as coverage from ``s + handover`` (the hand-over / induction months) to ``end``.
    Regional organisations' bridging forces may also leave earlier (any ``end`` from
    ``s + handover`` on).
    """
    ok = pairs[pairs["mission_ok"] & pairs["region_ok"] & pairs["language_ok"]]
    lo = np.maximum(ok["earliest"].to_numpy(), np.maximum(ok["first"].to_numpy() - handover, 0))
    hi = ok["last"].to_numpy() - handover
    n = np.clip(hi - lo + 1, 0, None)
    rows = np.repeat(np.arange(len(ok)), n)
    offs = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    cand = ok.iloc[rows][["pledge", "req", "rotation", "last", "until_month", "kind"]]
    cand = cand.reset_index(drop=True)
    cand["start"] = lo[rows] + offs
    # A unit leaves when its rotation ends, the requirement ends or its offer ends.
    full_end = np.minimum(np.minimum(cand["start"] + cand["rotation"] - 1, cand["last"]),
                          cand["until_month"])
    cand["end"] = full_end
    bridging = (cand["kind"] == "regional_organisation").to_numpy()
    if bridging.any():
        b = cand[bridging]
        # Extra, shorter tours (none where even the full tour is too short to count).
        k = np.clip((full_end[bridging] - (b["start"] + handover)).to_numpy(), 0, None)
        rep = np.repeat(np.arange(len(b)), k)
        extra = b.iloc[rep].copy()
        extra["end"] = (b["start"].to_numpy()[rep] + handover
                        + (np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k)))
        cand = pd.concat([cand, extra], ignore_index=True)
    cand = cand.assign(credit_from=cand["start"] + handover)
    cand = cand[cand["credit_from"] <= cand["end"]]
    cand = cand.sort_values(["pledge", "req", "start", "end"]).reset_index(drop=True)
    return cand[["pledge", "req", "start", "end", "credit_from"]]


def prepare(scenario: Scenario, horizon: int | None = None) -> tuple[PlanningData, pd.DataFrame]:
    """Turn a (reader-filtered) scenario into :class:`PlanningData` and pledge x requirement pairs.

    Raises
    ------
    DataError
        If a table the planner needs is empty or a PCRS level has no lead time.
    """
    params: dict[str, Any] = {k: p.value for k, p in scenario.parameters.items()}
    n_months = int(horizon if horizon is not None else params["horizon_months"])
    start = params["planning_start"]
    assert isinstance(start, dt.date)
    origin = pd.Timestamp(start.year, start.month, 1)
    months = pd.date_range(origin, periods=n_months, freq="MS")
    rate = _rates(scenario, months)
    req = _requirements(scenario, origin, n_months, params)
    pl = _pledges(scenario, origin, float(rate[0]))
    pairs = pair_table(req, pl, params, origin)
    cand = build_candidates(pairs, int(params["handover_months"]))
    fy = np.array([fiscal_year_label(m) for m in months])
    monthly = np.asarray(monthly_cost(pl["personnel"].to_numpy()[:, None], rate[None, :],
                                      pl["fixed_monthly"].to_numpy()[:, None]))
    csum = np.concatenate([np.zeros((len(pl), 1)), np.cumsum(monthly, axis=1)], axis=1)
    p, s = cand["pledge"].to_numpy(), cand["start"].to_numpy()
    e = np.minimum(cand["end"].to_numpy(), n_months - 1)
    cand["cost"] = csum[p, e + 1] - csum[p, s]
    budgets = scenario.tables["budgets"][["mission_id", "fiscal_year", "headroom_usd"]].copy()
    targets = scenario.tables["gender_targets"][["year", "personnel_category",
                                                  "target_share"]].copy()
    contrib = scenario.contributors
    limited = contrib[contrib["max_units"].notna()]
    max_units = dict(zip(limited["id"].astype(str), limited["max_units"].astype(float),
                         strict=True))
    in_place = in_place_months(scenario, months)
    units = scenario.unit_types.set_index("id")
    need = open_need(req, in_place)
    data = PlanningData(months, fy, rate, req, pl, cand, budgets, targets, params, max_units,
                        need, in_place, ceiling_months(scenario, months),
                        units["personnel"].astype(float),
                        pd.to_numeric(units["aircraft"], errors="coerce").fillna(0.0))
    return data, pairs


def tour_month_cost(d: PlanningData, k: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Cost of one unit of candidate tour ``k`` in month ``t`` (arrays of equal length)."""
    p = d.candidates["pledge"].to_numpy()[k]
    return np.asarray(monthly_cost(d.pledges["personnel"].to_numpy()[p], d.rate[t],
                                   d.pledges["fixed_monthly"].to_numpy()[p]))
