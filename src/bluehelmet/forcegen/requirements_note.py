"""The capability requirements note: what the plan leaves open, written as DPO issues it.

DPKO/DFS (now DPO/DOS) publish "Current and Emerging Uniformed Capability Requirements" notes:
per requirement the mission, location, time frame, the unit to be replaced, a specification
(aircraft type and number, night capability, self-sustainment, language, women) and the PCRS
level at which pledges are sought. :func:`requirements_note` writes that note from a solved
plan: one row per requirement and run of consecutive months the plan leaves short (after the
force in place and the planned tours). Rules (each checkable from the plan's tables):

* **current** if the run opens before a unit pledged now at RDL could count (the gap cannot be
  prevented any more), **emerging** otherwise;
* **location**: the base of the unit in place whose departure opens the run (the unit it
  replaces: present the month before the run, gone in its first month), else the mission HQ;
* **earliest counts-from if pledged now** at each PCRS level: the note's date (the planning
  start) + the level's lead time + loading and transit, rounded up to the next month start, +
  the hand-over months; transit is the median over the registered offers of the unit type for
  the mission (:func:`bluehelmet.forcegen.data.pair_table`, loading included), loading only when
  there are none; at RDL the unit arrives within 60 days of the request, transit included (the
  planner's readiness rule). ``request_by`` is the latest pledge date at the level for the unit
  to count from the run's first month (earlier than the note's date: already late);
* **closes**: the short unit-months of the run from the earliest RDL counts-from month on (what
  pledges of the units asked for, at RDL now, would close), weighted by the requirement's
  priority weight; **cost to close**: those unit-months at the unit's monthly cost plus
  emplacement and repatriation of the units asked for (:mod:`bluehelmet.statistics.money`);
  **cost-effectiveness**: weighted unit-months closed per US$ million;
* **rank** by weighted unit-months closed; equal values share a rank (no order is invented
  among ties; rows of equal rank are listed by mission and unit type).

Night capability and self-sustainment are not in the catalogue: night capability is asked of
aviation, ISR, tactical airlift, quick reaction and special forces units, and contingents are
asked to be self-sustained on arrival (30-90 days, as the unit's MOU sets); individual officers
are mission-supported (assumed, as DPO's notes word it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bluehelmet.forcegen.data import RDL_DAYS, PlanningData
from bluehelmet.forcegen.tables import planned_per_need
from bluehelmet.scenario.core import ScenarioView
from bluehelmet.statistics.money import unit_monthly_cost

#: PCRS levels, best first; one earliest-arrival and one request-by column each.
PCRS_LEVELS = ("RDL", "L3", "L2", "L1")
#: Capabilities whose units are asked to operate at night (assumed, see the module docstring).
NIGHT_CAPABILITIES = ("aviation", "isr", "tactical_airlift", "quick_reaction", "special_forces")


def short_runs(d: PlanningData, y: np.ndarray) -> pd.DataFrame:
    """Runs of consecutive months in which a requirement stays short after the plan.

    Returns ``req, first, last, units`` (most units short in a month of the run) and
    ``unit_months`` (units short summed over the run), and per month ``short`` as a list.
    """
    frame = d.need.assign(short=np.clip(d.need["open"] - planned_per_need(d, y), 0, None))
    frame = frame[frame["short"] > 0].sort_values(["req", "month"])
    if frame.empty:
        return pd.DataFrame(columns=["req", "first", "last", "units", "unit_months", "short"])
    new_run = (frame["req"].diff() != 0) | (frame["month"].diff() != 1)
    frame = frame.assign(run=np.cumsum(new_run.to_numpy()))
    runs = frame.groupby("run").agg(
        req=("req", "first"),
        first=("month", "min"),
        last=("month", "max"),
        units=("short", "max"),
        unit_months=("short", "sum"),
        short=("short", list),
    )
    return runs.reset_index(drop=True)


def _month(d: PlanningData, idx: int) -> pd.Timestamp:
    """Month start of month index ``idx`` (past the horizon too)."""
    return d.months[0] + pd.DateOffset(months=int(idx))


def _transit_days(d: PlanningData, pairs: pd.DataFrame) -> pd.Series:
    """Median transit (loading included) of the registered offers, per requirement row."""
    days = pairs.groupby("req")["transit_days"].median()
    return days.reindex(range(len(d.requirements))).fillna(float(d.params["loading_days"]))


def _replaced(d: PlanningData, view: ScenarioView, req: int, first: int) -> tuple[str, str]:
    """(unit in place whose departure opens the run, its base) or empty strings."""
    r = d.requirements.iloc[req]
    ip = d.in_place
    if ip.empty or first == 0:
        return "", ""
    same = ip[(ip["mission_id"] == r["mission_id"]) & (ip["unit_type_id"] == r["unit_type_id"])]
    before = set(same.loc[same["month"] == first - 1, "row"])
    after = set(same.loc[same["month"] == first, "row"])
    gone = sorted(before - after)
    if not gone:
        return "", ""
    table = view.tables["units_in_place"].reset_index(drop=True)
    rows = table.iloc[gone]
    who = "; ".join(f"{i} ({c})" for i, c in zip(rows["id"], rows["contributor_id"], strict=True))
    return who, str(rows["location"].iloc[0])


def _text(value: object) -> str:
    """A table value as text, missing as empty."""
    return "" if value is None or value is pd.NA or value != value else str(value)


def _women_target(view: ScenarioView, category: str, year: int) -> float:
    """The UGPS target share of ``category`` in ``year`` (the latest earlier year's if none)."""
    t = view.tables["gender_targets"]
    ok = t[(t["personnel_category"].astype(str) == category) & (t["year"].astype(int) <= year)]
    return float(ok.sort_values("year")["target_share"].iloc[-1]) if len(ok) else np.nan


def requirements_note(
    view: ScenarioView, d: PlanningData, pairs: pd.DataFrame, y: np.ndarray
) -> pd.DataFrame:
    """The capability requirements note of a plan (see the module docstring for every rule).

    Parameters
    ----------
    view
        The scenario as the reader saw it.
    d, pairs
        The planning data and the pledge x requirement pairs the plan was built from.
    y
        Units per candidate tour in the plan.
    """
    runs = short_runs(d, y)
    if runs.empty:
        return pd.DataFrame()  # the plan declares the columns (outputs.csv)
    req = d.requirements
    units = view.unit_types.set_index("id")
    missions = view.missions.set_index("id")
    leads = view.tables["pcrs_lead_times"].set_index("level")["lead_time_months"]
    h = int(d.params["handover_months"])
    note_date = d.months[0]
    transit = _transit_days(d, pairs)
    # The catalogue's costs per month a run starts in, computed once per month (not per run).
    unit_costs: dict[pd.Timestamp, pd.DataFrame] = {}
    rows = []
    for run in runs.to_dict("records"):
        r = req.iloc[int(run["req"])].to_dict()
        u = units.loc[str(r["unit_type_id"])].to_dict()
        first, last = int(run["first"]), int(run["last"])
        days = int(np.ceil(transit.iloc[int(run["req"])]))
        start = _month(d, first)
        replaced, base = _replaced(d, view, int(run["req"]), first)
        row: dict[str, object] = {
            "requirement_id": r["id"],
            "mission_id": r["mission_id"],
            "location": base or _text(missions.loc[str(r["mission_id"]), "hq_location"]),
            "unit_type_id": r["unit_type_id"],
            "unit_type": u["name"],
            "capability": u["capability"],
            "priority": r["priority"],
            "time_from": start,
            "time_to": _month(d, last),
            "months": last - first + 1,
            "replaces": replaced,
            "units": int(run["units"]),
            "personnel": int(run["units"]) * int(u["personnel"]),
            "aircraft": int(run["units"])
            * (int(u["aircraft"]) if pd.notna(u.get("aircraft")) else 0),
        }
        row["specification"] = "; ".join(
            part
            for part in (
                str(u["equipment"]) if pd.notna(u.get("equipment")) else "",
                "night capability" if str(u["capability"]) in NIGHT_CAPABILITIES else "",
                "mission-supported individual officers"
                if str(u["personnel_category"]) in ("individual_police", "staff_officers_observers")
                else "self-sustained on arrival (30-90 days, as the MOU sets)",
                f"works in {r['language_needed']}" if r["language_needed"] else "",
            )
            if part
        )
        row["language"] = r["language_needed"] or "en"
        row["women_target_share"] = _women_target(view, str(u["personnel_category"]), start.year)
        counts: dict[str, pd.Timestamp] = {}
        for level in PCRS_LEVELS:
            if level not in leads.index:
                row[f"earliest_{level}"], row[f"request_by_{level}"] = pd.NaT, pd.NaT
                continue
            ready = note_date + pd.DateOffset(months=int(leads[level])) + pd.Timedelta(days=days)
            arrive_by = start - pd.DateOffset(months=h)
            due = arrive_by - pd.Timedelta(days=days) - pd.DateOffset(months=int(leads[level]))
            if level == "RDL":  # within 60 days of the request, transit included (PCRS)
                ready = min(ready, note_date + pd.Timedelta(days=RDL_DAYS))
                due = max(due, arrive_by - pd.Timedelta(days=RDL_DAYS))
            begin = ready if ready.day == 1 else ready + pd.offsets.MonthBegin(1)
            counts[level] = begin + pd.DateOffset(months=h)
            row[f"earliest_{level}"] = counts[level]
            row[f"request_by_{level}"] = due
        best = counts.get("RDL", min(counts.values()) if counts else start)
        row["status"] = "current" if start < best else "emerging"
        offset = (best.year - d.months[0].year) * 12 + best.month - d.months[0].month
        closable = float(sum(s for m, s in enumerate(run["short"], start=first) if m >= offset))
        if start not in unit_costs:
            unit_costs[start] = unit_monthly_cost(view, start)
        cost = unit_costs[start].loc[str(r["unit_type_id"])].to_dict()
        monthly = float(cost["total_usd"]) * int(run["units"])
        emplacement = float(cost["emplacement_usd"]) * int(run["units"])
        weighted = closable * float(r["weight"])
        to_close = closable * float(cost["total_usd"]) + (2 * emplacement if closable else 0.0)
        row.update(
            {
                "monthly_cost_usd": monthly,
                "emplacement_usd": emplacement,
                "unit_months_short": float(run["unit_months"]),
                "closes_unit_months": closable,
                "closes_weighted": weighted,
                "closes_person_months": closable * float(u["personnel"]),
                "cost_to_close_usd": to_close,
                "weighted_per_musd": weighted / (to_close / 1e6) if to_close else np.nan,
            }
        )
        rows.append(row)
    out = pd.DataFrame(rows)
    out["rank"] = out["closes_weighted"].rank(method="min", ascending=False).astype(int)
    out = out.sort_values(["rank", "mission_id", "unit_type_id", "time_from"])
    return out.reset_index(drop=True)
