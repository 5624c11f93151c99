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
from bluehelmet.statistics.money import (
    budget_headroom,
    budget_period,
    deployment_cost,
    fixed_monthly_cost,
    monthly_cost,
    paid_msa,
    person_rate,
)

#: A pledge at the Rapidly Deployable Level deploys within this many days of the UN's request,
#: transit included (DPO/DOS PCRS guidelines 2019.01).
RDL_DAYS = 60


@dataclass
class PlanningData:
    """Arrays the model is built from.

    Attributes
    ----------
    months
        Month start dates of the horizon (``T`` entries).
    fiscal_year
        UN fiscal-year label (``2018/19``) of each month from the planning start: the horizon's
        months, then those that tours committed past the horizon run into.
    rate
        Troop cost reimbursement (USD per person-month) in force in each month (same months as
        ``fiscal_year``).
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
    return str(budget_period("peacekeeping", [date])[0])


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


def add_months(dates: pd.Series, months: np.ndarray) -> pd.Series:
    """``dates`` plus ``months`` calendar months each, by ``pd.DateOffset``'s rule.

    The same day of the month, or the month's last day when it has fewer; one offset per
    distinct value of ``months``, not one per date.
    """
    out = pd.Series(pd.NaT, index=dates.index, dtype="datetime64[ns]")
    for m in np.unique(months):
        sel = months == m
        out[sel] = pd.to_datetime(dates[sel]) + pd.DateOffset(months=int(m))
    return out


def _required(table: pd.DataFrame, name: str, file: str) -> None:
    if len(table) == 0:
        raise DataError(
            [
                Problem(
                    file,
                    None,
                    None,
                    None,
                    f"the scenario has no {name}",
                    f"add at least one row to {file}",
                )
            ]
        )


def _rates(scenario: Scenario, months: pd.DatetimeIndex) -> np.ndarray:
    """Reimbursement rate in force on the first day of each month."""
    rates = scenario.tables["reimbursement_rates"].sort_values("valid_from")
    _required(rates, "reimbursement rates", "reimbursement_rates.csv")
    pos = (
        np.searchsorted(
            pd.to_datetime(rates["valid_from"]).to_numpy(), months.to_numpy(), side="right"
        )
        - 1
    )
    values = rates["usd_per_person_month"].to_numpy(dtype=float)
    # Before the first recorded rate, the first rate applies (no older rate is known).
    return values[np.clip(pos, 0, None)]


def _requirements(
    scenario: Scenario, origin: pd.Timestamp, n_months: int, params: dict[str, Any]
) -> pd.DataFrame:
    req = scenario.requirements.reset_index(drop=True)
    missions = scenario.missions.set_index("id")
    units = scenario.unit_types.set_index("id")
    out = pd.DataFrame(
        {
            "id": req["id"].astype(str),
            "mission_id": req["mission_id"].astype(str),
            "unit_type_id": req["unit_type_id"].astype(str),
            "count": req["count"].astype("int64").to_numpy(),
            "priority": req["priority"].astype(str),
        }
    )
    out["first"] = np.clip(month_index(req["start"], origin, round_up=False), 0, None)
    end_month = month_index(req["end"], origin, round_up=False)
    out["last"] = np.clip(end_month, None, n_months - 1)
    # The requirement's own last month, also past the horizon: a tour that starts within the
    # horizon is a commitment to the end of its rotation (or of the need, or of the offer).
    out["end_month"] = end_month
    weights = {p: float(params[f"priority_weight_{p}"]) for p in ("critical", "high", "normal")}
    out["weight"] = out["priority"].map(weights).astype(float)
    out["critical"] = units.loc[out["unit_type_id"], "critical"].fillna(False).to_numpy(bool)
    mission_lang = missions.loc[out["mission_id"], "language"].astype(str).to_numpy()
    own = req["language"].astype("string").fillna("").to_numpy(dtype=str)
    out["language_needed"] = np.where(
        own != "", own, np.where(mission_lang != "en", mission_lang, "")
    )
    account = (
        missions["budget_account"]
        if "budget_account" in missions
        else pd.Series("peacekeeping", index=missions.index)
    )
    out["account"] = (
        account.astype("string").fillna("peacekeeping").loc[out["mission_id"]].to_numpy(dtype=str)
    )
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
        raise DataError(
            [
                Problem(
                    "pcrs_lead_times.csv",
                    None,
                    "level",
                    lvl,
                    "pledges use this PCRS level but it has no lead time",
                    "add a row for it to pcrs_lead_times.csv",
                )
                for lvl in missing
            ]
        )
    out = pd.DataFrame(
        {
            "id": pl["id"].astype(str),
            "contributor_id": pl["contributor_id"].astype(str),
            "unit_type_id": pl["unit_type_id"].astype(str),
            "count": pl["count"].astype("int64").to_numpy(),
            "pcrs_level": pl["pcrs_level"].astype(str),
            "rotation": pl["rotation_months"].astype("int64").to_numpy(),
            "women_share": pl["women_share"].astype(float).fillna(0.0).to_numpy(),
        }
    )
    c = contrib.loc[out["contributor_id"]]
    u = units.loc[out["unit_type_id"]]
    out["kind"] = c["kind"].astype(str).to_numpy()
    out["lon"] = c["longitude"].to_numpy(dtype=float)
    out["lat"] = c["latitude"].to_numpy(dtype=float)
    own_lang = pl["languages"].astype("string").fillna("")
    out["languages"] = np.where(
        own_lang != "", own_lang, c["languages"].astype("string").fillna("").to_numpy()
    )
    out["excluded_missions"] = pl["excluded_missions"].astype("string").fillna("").to_numpy()
    out["excluded_regions"] = pl["excluded_regions"].astype("string").fillna("").to_numpy()
    out["personnel"] = u["personnel"].astype(float).to_numpy()
    out["category"] = u["personnel_category"].astype(str).to_numpy()
    out["component"] = out["category"].map(COMPONENT).fillna("other").to_numpy()
    out["fixed_monthly"] = fixed_monthly_cost(u).to_numpy()
    out["lift_moves"] = u["lift_moves"].astype(float).fillna(1).to_numpy()
    # Individual officers are paid mission subsistence allowance, contingents the troop rate.
    out["paid_msa"] = paid_msa(out["category"].to_numpy())
    msa = float(scenario.param("msa_usd_per_person_month"))
    out["monthly_cost"] = monthly_cost(
        out["personnel"].to_numpy(),
        person_rate(out["category"].to_numpy(), rate0, msa),
        out["fixed_monthly"].to_numpy(),
    )
    out["emplacement"] = deployment_cost(
        out["personnel"].to_numpy(),
        out["lift_moves"].to_numpy(),
        float(scenario.param("lift_move_usd")),
        float(scenario.param("travel_usd_per_person")),
    )
    lead = out["pcrs_level"].map(leads.astype(int)).to_numpy(dtype=int)
    # Lead times run from the date the pledge reached its PCRS level where the pledge gives it
    # (level_since; the unit cannot move before it is offered either); otherwise from the UN's
    # request, made at the start of planning at the earliest or when the unit is offered.
    offered = pd.to_datetime(pl["available_from"])
    base = offered.where(offered > origin, origin)
    since = (
        pd.to_datetime(pl["level_since"])
        if "level_since" in pl
        else pd.Series(pd.NaT, index=pl.index)
    )
    out["lead_months"] = lead
    out["request_date"] = base.to_numpy()
    from_since = add_months(since, lead)
    from_since = from_since.where(~(offered > from_since), offered)
    out["ready_base"] = from_since.where(since.notna(), add_months(base, lead)).to_numpy()
    until = pd.to_datetime(pl["available_until"])
    out["until_date"] = until.to_numpy()
    out["until_month"] = np.where(
        until.isna(), 10**6, month_index(until.fillna(origin), origin, round_up=False)
    )
    return out


def caveat_ok(cand: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Masks: mission not excluded, region not excluded, language available."""

    def contains(lists: pd.Series, items: pd.Series) -> np.ndarray:
        # Each distinct list is split once; the pairs are then looked up (millions of pairs at
        # 100,000 pledges, a few thousand distinct lists).
        lists = lists.astype("string").fillna("").astype(str)
        items = items.astype("string").fillna("").astype(str)
        split = pd.DataFrame({"list": pd.unique(lists)})
        split["item"] = split["list"].map(split_list)
        split = split.explode("item").dropna()
        found = pd.MultiIndex.from_arrays([lists, items]).isin(
            pd.MultiIndex.from_frame(split[["list", "item"]])
        )
        return np.asarray(found & (items != "").to_numpy(), dtype=bool)

    mission_ok = ~contains(cand["excluded_missions"], cand["mission_id"])
    region_ok = ~contains(cand["excluded_regions"], cand["region"])
    needs = cand["language_needed"].astype(str)
    lang_ok = (needs == "").to_numpy() | contains(cand["languages"], needs)
    return mission_ok, region_ok, lang_ok


def pair_table(
    req: pd.DataFrame, pl: pd.DataFrame, params: dict[str, Any], origin: pd.Timestamp
) -> pd.DataFrame:
    """Every pledge x requirement pair of the same unit type, with masks and earliest start."""
    left = pl.reset_index().rename(
        columns={
            "index": "pledge",
            "id": "pledge_id",
            "lon": "plon",
            "lat": "plat",
            "count": "pcount",
        }
    )
    right = req.reset_index().rename(columns={"index": "req", "id": "req_id", "count": "rcount"})
    pairs = left.merge(right, on="unit_type_id", how="inner")
    m_ok, r_ok, l_ok = caveat_ok(pairs)
    pairs["mission_ok"], pairs["region_ok"], pairs["language_ok"] = m_ok, r_ok, l_ok
    km = haversine_km(
        pairs["plon"].to_numpy(),
        pairs["plat"].to_numpy(),
        pairs["lon"].to_numpy(),
        pairs["lat"].to_numpy(),
    )
    # Unknown coordinates: no transit distance is known, only loading time counts.
    km = np.nan_to_num(km, nan=0.0)
    days = km / float(params["transit_km_per_day"]) + float(params["loading_days"])
    pairs["transit_days"] = days
    ready = pd.to_datetime(pairs["ready_base"]) + pd.to_timedelta(np.ceil(days), unit="D")
    # A pledge at RDL deploys within 60 days of the UN's request, transit included (PCRS).
    rdl = (pairs["pcrs_level"] == "RDL").to_numpy()
    by_rule = pd.to_datetime(pairs["request_date"]) + pd.Timedelta(days=RDL_DAYS)
    ready = ready.where(~rdl | (ready <= by_rule), by_rule)
    pairs["ready_date"] = ready
    pairs["earliest"] = np.maximum(month_index(ready, origin, round_up=True), 0)
    return pairs


def build_candidates(pairs: pd.DataFrame, handover: int) -> pd.DataFrame:
    """Cross feasible pairs with start months; keep only tours that can be chosen.

    A tour starting in month ``s`` (within the horizon) is present in ``s .. end`` with
    ``end = min(s + rotation - 1, last month of the requirement, last month offered)``, which may
    lie past the horizon (a commitment, costed in full); it counts as coverage from
    ``s + handover`` (the hand-over / induction months) to ``end``, within the horizon.
    Regional organisations' bridging forces may also leave earlier (any ``end`` from
    ``s + handover`` on).
    """
    ok = pairs[pairs["mission_ok"] & pairs["region_ok"] & pairs["language_ok"]]
    lo = np.maximum(ok["earliest"].to_numpy(), np.maximum(ok["first"].to_numpy() - handover, 0))
    hi = ok["last"].to_numpy() - handover
    n = np.clip(hi - lo + 1, 0, None)
    rows = np.repeat(np.arange(len(ok)), n)
    offs = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    # The few integer columns first, then the rows (millions at 100,000 pledges; no text).
    cols = ["pledge", "req", "rotation", "last", "end_month", "until_month"]
    cand = ok[cols].iloc[rows].reset_index(drop=True)
    cand["regional"] = (ok["kind"] == "regional_organisation").to_numpy()[rows]
    cand["start"] = lo[rows] + offs
    # A unit leaves when its rotation ends, the requirement ends or its offer ends, also when
    # that is after the horizon (the tour is then a commitment past it: beyond_horizon).
    full_end = np.minimum(
        np.minimum(cand["start"] + cand["rotation"] - 1, cand["end_month"]), cand["until_month"]
    )
    cand["end"] = full_end
    cand["rotations"] = 1
    cand = pd.concat([cand, self_rotations(cand)], ignore_index=True)
    full_end = cand["end"].to_numpy()
    bridging = (cand["regional"] & (cand["rotations"] == 1)).to_numpy()
    if bridging.any():
        b = cand[bridging]
        # Extra, shorter tours (none where even the full tour is too short to count).
        # Shorter ends within the horizon only (past it, an earlier end covers nothing more);
        # a tour committed past the horizon may also stop at the horizon's last month.
        last = b["last"].to_numpy()
        cap = np.where(full_end[bridging] > last, last + 1, full_end[bridging])
        k = np.clip(cap - (b["start"] + handover).to_numpy(), 0, None)
        rep = np.repeat(np.arange(len(b)), k)
        extra = b.iloc[rep].copy()
        extra["end"] = (
            b["start"].to_numpy()[rep]
            + handover
            + (np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k))
        )
        cand = pd.concat([cand, extra], ignore_index=True)
    cand = cand.assign(credit_from=cand["start"] + handover)
    cand = cand[cand["credit_from"] <= cand["end"]]
    cand = cand[["pledge", "req", "start", "end", "credit_from", "rotations"]]
    # (pledge, requirement, start, end) is unique per tour: one lexsort on the integer columns.
    order = np.lexsort([cand[c].to_numpy() for c in ("end", "start", "req", "pledge")])
    return cand.iloc[order].reset_index(drop=True)


def self_rotations(cand: pd.DataFrame) -> pd.DataFrame:
    """Tours in which the contributor relieves itself ``j - 1`` times (``rotations = j >= 2``).

    UN practice: a contributor rotates the personnel of a unit that stays (personnel flights;
    the equipment stays in theatre), which is not a new deployment. Such a tour is present from
    ``s`` to ``min(s + j L - 1, end of the need, end of the offer)``: one deployment and one
    repatriation of the unit (lift), hand-over months only once at the start, costed for every
    month. Only as many rotations as reach the last month the need is planned (``last``): one
    more would cover nothing within the horizon and cost more. Bridging forces of regional
    organisations do not rotate.
    """
    own = cand[~cand["regional"].to_numpy(bool)]
    if len(own) == 0:
        return own.iloc[:0]
    start = own["start"].to_numpy()
    rot = own["rotation"].to_numpy()
    cap = np.minimum(own["end_month"].to_numpy(), own["until_month"].to_numpy())
    reach = np.minimum(own["last"].to_numpy(), cap)
    j_max = np.maximum(1, -(-(reach - start + 1) // rot))
    n = j_max - 1
    rows = np.repeat(np.arange(len(own)), n)
    j = 2 + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    extra = own.iloc[rows].copy()
    extra["rotations"] = j
    extra["end"] = np.minimum(start[rows] + j * rot[rows] - 1, cap[rows])
    return extra


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
    # Months from the planning start to the last month any tour is committed to: the horizon
    # and, after it, the months of tours that run past it (costed at the rate then in force).
    n_cost = max(n_months, int(cand["end"].max()) + 1 if len(cand) else 0)
    cost_months = pd.date_range(origin, periods=n_cost, freq="MS")
    rate = _rates(scenario, cost_months)
    fy = np.array([fiscal_year_label(m) for m in cost_months])
    cand["cost"] = tour_cost(pl, cand, rate, float(params["msa_usd_per_person_month"]))
    budgets = scenario.tables["budgets"]
    account = (
        scenario.missions.set_index("id")["budget_account"].astype("string")
        if "budget_account" in scenario.missions
        else pd.Series(dtype="string")
    )
    budgets = budgets.assign(
        headroom_usd=budget_headroom(budgets, float(params["budget_headroom_share"])),
        account=budgets["mission_id"].map(account).fillna("peacekeeping").astype(str),
    )[["mission_id", "fiscal_year", "headroom_usd", "account"]].dropna(subset=["headroom_usd"])
    targets = scenario.tables["gender_targets"][
        ["year", "personnel_category", "target_share"]
    ].copy()
    contrib = scenario.contributors
    limited = contrib[contrib["max_units"].notna()]
    max_units = dict(
        zip(limited["id"].astype(str), limited["max_units"].astype(float), strict=True)
    )
    in_place = in_place_months(scenario, months)
    units = scenario.unit_types.set_index("id")
    need = open_need(req, in_place)
    cand["max_units"] = useful_units(cand, need, pl["count"].to_numpy())
    data = PlanningData(
        months,
        fy,
        rate,
        req,
        pl,
        cand,
        budgets,
        targets,
        params,
        max_units,
        need,
        in_place,
        ceiling_months(scenario, months),
        units["personnel"].astype(float),
        pd.to_numeric(units["aircraft"], errors="coerce").fillna(0.0),
    )
    return data, pairs


def pledge_month_cost(pledges: pd.DataFrame, rate: np.ndarray, msa: float) -> np.ndarray:
    """Monthly cost of one unit of each pledge in each month (pledges x months), money's rule."""
    category = pledges["category"].to_numpy(str)[:, None]
    return np.asarray(
        monthly_cost(
            pledges["personnel"].to_numpy()[:, None],
            person_rate(category, rate[None, :], msa),
            pledges["fixed_monthly"].to_numpy()[:, None],
        )
    )


def new_deployment(cand: pd.DataFrame) -> np.ndarray:
    """True for tours that are a new deployment (emplacement and repatriation are costed).

    A tour flagged ``self_rotation`` (a unit that stays and rotates its own personnel) is not.
    """
    if "self_rotation" not in cand:
        return np.ones(len(cand), dtype=bool)
    return ~cand["self_rotation"].to_numpy(dtype=bool)


def tour_cost(
    pledges: pd.DataFrame, cand: pd.DataFrame, rate: np.ndarray, msa: float
) -> np.ndarray:
    """Cost of one unit on each candidate tour, every month it is committed to.

    The sum over the committed months (past the horizon too; ``rate`` covers them) of
    :func:`tour_month_cost` (a test checks it): the monthly cost of each month, plus, for a new
    deployment, emplacement in its first month and repatriation in its last.
    """
    monthly = pledge_month_cost(pledges, rate, msa)
    csum = np.concatenate([np.zeros((len(pledges), 1)), np.cumsum(monthly, axis=1)], axis=1)
    p, s = cand["pledge"].to_numpy(), cand["start"].to_numpy()
    e = cand["end"].to_numpy()
    once = pledges["emplacement"].to_numpy()[p] * new_deployment(cand)
    return np.asarray(csum[p, e + 1] - csum[p, s] + 2 * once)


def useful_units(cand: pd.DataFrame, need: pd.DataFrame, pledge_count: np.ndarray) -> np.ndarray:
    """Most units a tour can usefully carry: its pledge's count, capped by the open need.

    A unit of tour ``k`` beyond ``max_{t counted} o_{r(k),t}`` (the most units its requirement
    leaves open in a month the tour counts) fills nothing and costs money, so no plan that is
    optimal in the coverage and cost stages uses it; a tour whose counted months are all covered
    by the force in place gets 0. The bound is valid for every lexicographic optimum (cost comes
    before gender, and every unit costs more than zero) and makes the model smaller and its LP
    tighter.
    """
    start = cand["credit_from"].to_numpy()
    end = cand["end"].to_numpy()
    n = np.clip(np.minimum(end, int(need["month"].max()) if len(need) else -1) - start + 1, 0, None)
    k = np.repeat(np.arange(len(cand)), n)
    month = start[k] + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    # What each requirement leaves open, as a dense requirement x month table (millions of
    # tour-months at 100,000 pledges: an array lookup, not an index join).
    req = cand["req"].to_numpy()
    n_req = int(max(req.max(initial=-1), need["req"].max() if len(need) else -1)) + 1
    open_table = np.zeros((n_req, int(month.max(initial=-1)) + 1))
    inside = need["month"].to_numpy() < open_table.shape[1]
    open_table[need["req"].to_numpy()[inside], need["month"].to_numpy()[inside]] = need[
        "open"
    ].to_numpy()[inside]
    opened = open_table[req[k], month]
    most = np.zeros(len(cand))
    # k is sorted (each tour's months in a run): a segmented maximum, not a scattered one.
    has = n > 0
    if has.any():
        most[has] = np.maximum(0.0, np.maximum.reduceat(opened, (np.cumsum(n) - n)[has]))
    return np.minimum(pledge_count[cand["pledge"].to_numpy()], most).astype("int64")


def tour_month_cost(d: PlanningData, k: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Cost of one unit of candidate tour ``k`` in month ``t`` (arrays of equal length).

    The monthly cost (:func:`bluehelmet.statistics.money.monthly_cost` at the personnel rate
    of the pledge's category in month ``t``), plus for a new deployment its emplacement in the
    tour's first month and its repatriation in its last committed month
    (:func:`bluehelmet.statistics.money.deployment_cost`).
    """
    cand, pl = d.candidates, d.pledges
    p = cand["pledge"].to_numpy()[k]
    rate = person_rate(
        pl["category"].to_numpy(str)[p], d.rate[t], float(d.params["msa_usd_per_person_month"])
    )
    cost = np.asarray(
        monthly_cost(pl["personnel"].to_numpy()[p], rate, pl["fixed_monthly"].to_numpy()[p]),
        dtype=float,
    )
    once = pl["emplacement"].to_numpy()[p] * new_deployment(cand)[k]
    first = t == cand["start"].to_numpy()[k]
    last = t == cand["end"].to_numpy()[k]
    return cost + once * (first.astype(float) + last.astype(float))


def budget_periods(d: PlanningData, k: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Budget period of candidate tour ``k``'s mission in month ``t`` (its account's period)."""
    regular = (d.requirements["account"].to_numpy(str) == "regular_budget")[
        d.candidates["req"].to_numpy()[k]
    ]
    # The period labels of the months costed (past the horizon too), once per account.
    months = cost_months(d)
    return np.where(
        regular,
        budget_period("regular_budget", months)[t],
        budget_period("peacekeeping", months)[t],
    )


def cost_months(d: PlanningData) -> pd.DatetimeIndex:
    """Month starts of every month costed: the horizon and the committed months past it."""
    return pd.date_range(d.months[0], periods=len(d.rate), freq="MS")


def month_segments(
    start: np.ndarray, end: np.ndarray, code: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cut each interval ``start..end`` (month indices, inclusive) where ``code`` changes.

    ``code`` gives each month a label code, non-decreasing from 0 (runs of consecutive months:
    fiscal years, calendar years). Returns ``(interval, code, first, last)`` per piece, by
    interval and then code: a tour's months per budget period without listing its months
    (a few pieces per tour where there are tens of months).
    """
    code = np.asarray(code, dtype=np.int64)
    if len(code) and (np.diff(code) < 0).any():
        raise ValueError("month codes must not decrease (labels must be runs of months)")
    n_codes = int(code.max(initial=-1)) + 1
    code_first = np.searchsorted(code, np.arange(n_codes), side="left")
    code_last = np.searchsorted(code, np.arange(n_codes), side="right") - 1
    lo_code, hi_code = code[start], code[end]
    n = np.clip(hi_code - lo_code + 1, 0, None)
    i = np.repeat(np.arange(len(start)), n)
    c = lo_code[i] + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    return i, c, np.maximum(start[i], code_first[c]), np.minimum(end[i], code_last[c])


def tour_period_costs(d: PlanningData) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cost of one unit of each candidate tour in each budget period it is committed in.

    Returns ``(tour, period label, cost)``: the sum over the tour's months in the period (past
    the horizon too) of :func:`tour_month_cost`, added month by month in calendar order, as
    summing :func:`tour_month_cost` over the listed months does (the same floating-point
    numbers), with the period of :func:`budget_periods` (the mission's account's).
    """
    cand, pl = d.candidates, d.pledges
    months = cost_months(d)
    monthly = pledge_month_cost(pl, d.rate, float(d.params["msa_usd_per_person_month"]))
    p = cand["pledge"].to_numpy()
    s, e = cand["start"].to_numpy(), cand["end"].to_numpy()
    once = pl["emplacement"].to_numpy()[p] * new_deployment(cand)
    regular = (d.requirements["account"].to_numpy(str) == "regular_budget")[cand["req"].to_numpy()]
    tours, labels, costs = [], [], []
    for account, mask in (("peacekeeping", ~regular), ("regular_budget", regular)):
        if not mask.any():
            continue
        codes, names = pd.factorize(budget_period(account, months))
        idx = np.flatnonzero(mask)
        i, c, lo, hi = month_segments(s[idx], e[idx], codes)
        k = idx[i]
        total = np.zeros(len(k))
        length = hi - lo + 1
        for j in range(int(length.max(initial=0))):
            a = np.flatnonzero(length > j)
            t, ka = lo[a] + j, k[a]
            total[a] += monthly[p[ka], t] + once[ka] * (
                (t == s[ka]).astype(float) + (t == e[ka]).astype(float)
            )
        tours.append(k)
        labels.append(np.asarray(names, dtype=object)[c])
        costs.append(total)
    if not tours:
        return np.zeros(0, np.int64), np.zeros(0, dtype=object), np.zeros(0)
    return np.concatenate(tours), np.concatenate(labels), np.concatenate(costs)


def tour_year_months(d: PlanningData) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Months each candidate tour is present in each calendar year of the horizon.

    Returns ``(tour, year, months)`` (months as float), by tour and year.
    """
    cand = d.candidates
    years = d.months.year.to_numpy()
    codes, names = pd.factorize(years)
    i, c, lo, hi = month_segments(
        cand["start"].to_numpy(), np.minimum(cand["end"].to_numpy(), d.n_months - 1), codes
    )
    return i, np.asarray(names)[c], (hi - lo + 1).astype(float)
