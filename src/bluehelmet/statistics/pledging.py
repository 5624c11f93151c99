"""Pledges as the brief shows them: the requirements note, smart pledges, unused pledges."""

from __future__ import annotations

import pandas as pd

from bluehelmet.scenario.core import ScenarioView
from bluehelmet.statistics.coverage import capability_group


def capability_requirements_list(
    note: pd.DataFrame, view: ScenarioView, valued_only: bool = False
) -> pd.DataFrame:
    """The capability requirements note as the brief lists it, by rank (ties share a rank).

    Parameters
    ----------
    note
        The plan's ``capability_requirements`` table (declared in
        ``bluehelmet/forcegen/outputs.csv``).
    valued_only
        Only the rows the planner valued by one more unit (``value_one_more_unit_lp`` given:
        the ``max_asks`` highest-ranked mission and unit types), as the brief's ask lists them.

    Returns
    -------
    DataFrame
        The note's rows in rank order with ``mission, critical_group`` and the ask as the brief
        lists it: ``units``, ``needed_by`` (first month short), ``value`` (weighted unit-months
        units pledged now at RDL would close) and ``why`` (status, months short, unit replaced).
    """
    missions = view.missions.set_index("id")["name"]
    out = note.loc[note["mission_id"].isin(missions.index)].copy()
    if valued_only:
        out = out.loc[out["value_one_more_unit_lp"].notna()]
    out = out.sort_values(["rank", "mission_id", "unit_type_id", "time_from"]).reset_index(
        drop=True
    )
    out["needed_by"] = pd.to_datetime(out["time_from"])
    out["value"] = out["closes_weighted"].astype("float64")
    out["mission"] = out["mission_id"].map(missions).astype("string")
    out["unit_type"] = (
        out["unit_type_id"].map(view.unit_types.set_index("id")["name"]).astype("string")
    )
    out["critical_group"] = [
        None if pd.isna(c) else capability_group(str(c)) for c in out["capability"]
    ]
    out["why"] = [
        f"{status}: {short:.0f} unit-months short from {pd.Timestamp(start):%Y-%m}"
        + (f"; replaces {rep}" if isinstance(rep, str) and rep else "")
        for status, short, start, rep in zip(
            out["status"], out["unit_months_short"], out["time_from"], out["replaces"], strict=True
        )
    ]
    return out


def smart_pledge_table(groups: pd.DataFrame, view: ScenarioView) -> pd.DataFrame:
    """One row per smart-pledge group: requirement, members in turn, months held of the window."""
    if groups.empty:
        return pd.DataFrame(
            columns=[
                "group_id",
                "mission_id",
                "unit_type_id",
                "members",
                "contributors",
                "months_held",
                "window_months",
                "holds",
            ]
        )
    ordered = groups.sort_values(["group_id", "position"])
    out = (
        ordered.groupby("group_id", sort=True)
        .agg(
            mission_id=("mission_id", "first"),
            unit_type_id=("unit_type_id", "first"),
            members=("members", "first"),
            contributors=("contributor_id", lambda c: " > ".join(map(str, c))),
            months_held=("months_held", "first"),
            window_months=("window_months", "first"),
            holds=("holds", "first"),
        )
        .reset_index()
    )
    units = view.unit_types.set_index("id")["name"]
    out["unit_type"] = out["unit_type_id"].map(units).astype("string")
    return out


def unused_pledges_by_reason(explanations: pd.DataFrame) -> pd.DataFrame:
    """Number of unused pledges per reason (too late, caveat, budget, dominated, ...).

    ``explanations`` is the plan's table (one row per pledge, ``used`` and ``reason``).

    Returns
    -------
    DataFrame
        ``reason, pledges``, most frequent first.
    """
    unused = explanations.loc[~explanations["used"].fillna(False).astype(bool)]
    if unused.empty:
        return pd.DataFrame(columns=["reason", "pledges"])
    counts = unused.groupby("reason")["pledge_id"].nunique().sort_values(ascending=False)
    return counts.rename("pledges").reset_index()
