"""Pledges as the brief shows them: the smart-pledging ask, and why unused pledges are not used."""

from __future__ import annotations

import pandas as pd

from bluehelmet.scenario.core import ScenarioView
from bluehelmet.statistics.coverage import capability_group


def smart_pledging_list(smart: pd.DataFrame, view: ScenarioView) -> pd.DataFrame:
    """The units the UN should ask for, with the unit type's name and capability, best first.

    Parameters
    ----------
    smart
        The plan's smart-pledging table (declared in ``bluehelmet/forcegen/outputs.csv``):
        ``mission_id, unit_type_id, units_short_at_worst, first_month_short,
        value_one_more_unit, why`` and the latest request dates by PCRS level.

    Returns
    -------
    DataFrame
        The same rows, sorted by value (highest first), with ``rank, mission, unit_type,
        capability, critical_group`` and the ask as the brief lists it: ``units`` (short in the
        worst month), ``needed_by`` (first month short) and ``value`` (weighted unit-months of
        gap one more unit closes).
    """
    units = view.unit_types.set_index("id")
    missions = view.missions.set_index("id")["name"]
    out = smart.loc[smart["mission_id"].isin(missions.index)].copy()
    out["units"] = out["units_short_at_worst"]
    out["needed_by"] = pd.to_datetime(out["first_month_short"])
    out["value"] = out["value_one_more_unit"].astype("float64")
    out = out.sort_values(["value", "mission_id", "unit_type_id"],
                          ascending=[False, True, True]).reset_index(drop=True)
    out.insert(0, "rank", range(1, len(out) + 1))
    out["mission"] = out["mission_id"].map(missions).astype("string")
    out["unit_type"] = out["unit_type_id"].map(units["name"]).astype("string")
    out["capability"] = out["unit_type_id"].map(units["capability"]).astype("string")
    out["critical_group"] = [None if pd.isna(c) else capability_group(str(c))
                             for c in out["capability"]]
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
