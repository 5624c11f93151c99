"""Capability coverage before and after a force plan, by mission, capability and month.

"Before the plan" is the scenario as it stands: a requirement is a unit a mission needs beyond
what it has, so before the plan every required unit-month is a gap. "After" is what the plan's
tours cover. The inputs are the plan's coverage table (mission x unit type x month with units
required and covered) and the scenario's unit catalogue; every output is a DataFrame that the
brief, the plots and the CLI only format.
"""

from __future__ import annotations

import pandas as pd

from bluehelmet.scenario.core import ScenarioView

#: The critical capabilities of the reform agenda, as groups of the catalogue's capabilities.
CRITICAL_GROUPS: dict[str, tuple[str, ...]] = {
    "Helicopters": ("aviation",),
    "Intelligence & ISR": ("intelligence", "isr"),
    # An airlift unit in a mission (a C-130) is tactical, in-mission airlift; strategic lift is
    # the move to and from the mission (the planner's Lift-moves limit), not a unit. Catalogues
    # that still call such a unit ``strategic_lift`` are counted here too.
    "Tactical airlift (in-mission)": ("tactical_airlift", "strategic_lift"),
    "Medical": ("medical",),
    "Quick reaction forces": ("quick_reaction",),
}

#: Columns of the normalised coverage table these functions read.
COVERAGE_COLUMNS = ["mission_id", "unit_type_id", "month", "required", "covered"]


def capability_group(capability: str) -> str | None:
    """The critical group of a catalogue capability, or ``None`` if it is not critical."""
    for group, members in CRITICAL_GROUPS.items():
        if capability in members:
            return group
    return None


def with_catalogue(coverage: pd.DataFrame, view: ScenarioView) -> pd.DataFrame:
    """The plan's coverage with each unit type's name, capability and critical group."""
    units = view.unit_types.set_index("id")
    out = coverage[COVERAGE_COLUMNS].copy()
    out["month"] = pd.to_datetime(out["month"])
    out["required"] = out["required"].astype("float64")
    out["covered"] = out["covered"].astype("float64").clip(upper=out["required"])
    caps = units["capability"].astype("string").reindex(out["unit_type_id"]).to_numpy()
    out["capability"] = caps
    out["critical_group"] = [capability_group(str(c)) for c in caps]
    out["unit_type"] = units["name"].astype("string").reindex(out["unit_type_id"]).to_numpy()
    # Units are not equal: a 10-officer police team is not an 850-strong battalion. Personnel
    # and aircraft per unit come from the catalogue (aircraft 0 where it gives none).
    out["personnel"] = (
        units["personnel"].astype("float64").reindex(out["unit_type_id"]).fillna(0.0).to_numpy()
    )
    aircraft = units["aircraft"] if "aircraft" in units else pd.Series(0.0, index=units.index)
    out["aircraft"] = aircraft.astype("float64").reindex(out["unit_type_id"]).fillna(0.0).to_numpy()
    return out


def coverage_by_mission_month(coverage: pd.DataFrame, view: ScenarioView) -> pd.DataFrame:
    """Units required and covered per mission and month (all unit types together).

    Returns
    -------
    DataFrame
        Columns ``mission_id, month, required, covered_before, covered_after, unmet_after,
        share_after`` (covered share after the plan; NaN when nothing is required).
    """
    cov = with_catalogue(coverage, view)
    out = cov.groupby(["mission_id", "month"], as_index=False)[["required", "covered"]].sum()
    return _before_after(out)


def _before_after(out: pd.DataFrame) -> pd.DataFrame:
    out = out.rename(columns={"covered": "covered_after"})
    out.insert(list(out.columns).index("covered_after"), "covered_before", 0.0)
    out["unmet_after"] = out["required"] - out["covered_after"]
    out["share_after"] = out["covered_after"] / out["required"].where(out["required"] > 0)
    return out


def critical_coverage_by_month(coverage: pd.DataFrame, view: ScenarioView) -> pd.DataFrame:
    """Units required and covered per critical capability group and month, over all missions.

    Every group of :data:`CRITICAL_GROUPS` appears, with zeros when the scenario requires none.

    Returns
    -------
    DataFrame
        Columns ``group, month, required, covered_before, covered_after, unmet_after,
        share_after``.
    """
    cov = with_catalogue(coverage, view)
    crit = cov.dropna(subset=["critical_group"])
    months = sorted(cov["month"].unique())
    grid = pd.MultiIndex.from_product([list(CRITICAL_GROUPS), months], names=["group", "month"])
    out = crit.groupby(["critical_group", "month"])[["required", "covered"]].sum()
    out.index.names = ["group", "month"]
    out = out.reindex(grid, fill_value=0.0).reset_index()
    return _before_after(out)


def share_closed_by(table: pd.DataFrame, key: str) -> pd.Series:
    """Share of the required unit-months covered after the plan, per value of ``key``.

    Parameters
    ----------
    table
        :func:`coverage_by_mission_month` (``key="mission_id"``) or
        :func:`critical_coverage_by_month` (``key="group"``).

    Returns
    -------
    Series
        Indexed by ``key``; NaN where nothing is required.
    """
    sums = table.groupby(key, sort=False)[["required", "covered_after"]].sum()
    return (sums["covered_after"] / sums["required"].where(sums["required"] > 0)).rename(
        "share_closed"
    )


def gap_table(coverage: pd.DataFrame, view: ScenarioView) -> pd.DataFrame:
    """Required, covered and unmet unit-months per mission and unit type, over the horizon.

    Returns
    -------
    DataFrame
        One row per mission and unit type with any requirement: ``mission_id, unit_type_id,
        unit_type, capability, critical_group, priority, required_unit_months,
        covered_unit_months, unmet_unit_months, share_closed, first_unmet_month`` and, weighing
        units by what they are, ``personnel_per_unit, aircraft_per_unit`` (catalogue),
        ``required_personnel_months, covered_personnel_months, required_aircraft_months,
        covered_aircraft_months``; sorted with critical capabilities first, then by unmet
        unit-months.
    """
    cov = with_catalogue(coverage, view)
    cov["unmet"] = cov["required"] - cov["covered"]
    for what in ("personnel", "aircraft"):
        cov[f"required_{what}"] = cov["required"] * cov[what]
        cov[f"covered_{what}"] = cov["covered"] * cov[what]
    keys = ["mission_id", "unit_type_id"]
    out = cov.groupby(keys, as_index=False).agg(
        unit_type=("unit_type", "first"),
        capability=("capability", "first"),
        critical_group=("critical_group", "first"),
        required_unit_months=("required", "sum"),
        covered_unit_months=("covered", "sum"),
        unmet_unit_months=("unmet", "sum"),
        personnel_per_unit=("personnel", "first"),
        aircraft_per_unit=("aircraft", "first"),
        required_personnel_months=("required_personnel", "sum"),
        covered_personnel_months=("covered_personnel", "sum"),
        required_aircraft_months=("required_aircraft", "sum"),
        covered_aircraft_months=("covered_aircraft", "sum"),
    )
    out = out.loc[out["required_unit_months"] > 0].copy()
    first_unmet = cov.loc[cov["unmet"] > 1e-9].groupby(keys)["month"].min()
    out["first_unmet_month"] = pd.MultiIndex.from_frame(out[keys]).map(first_unmet.to_dict().get)
    out["first_unmet_month"] = pd.to_datetime(out["first_unmet_month"])
    req = view.requirements
    rank = {"critical": 0, "high": 1, "normal": 2}
    prio = (
        req.assign(rank=req["priority"].map(rank))
        .groupby(["mission_id", "unit_type_id"])["rank"]
        .min()
    )
    names = {v: k for k, v in rank.items()}
    out["priority"] = [
        names.get(int(prio.get((m, u), 2)))
        for m, u in zip(out["mission_id"], out["unit_type_id"], strict=True)
    ]
    out["share_closed"] = out["covered_unit_months"] / out["required_unit_months"]
    out["_critical"] = out["critical_group"].isna()
    out = out.sort_values(
        ["_critical", "unmet_unit_months", "mission_id", "unit_type_id"],
        ascending=[True, False, True, True],
    ).drop(columns="_critical")
    cols = [
        "mission_id",
        "unit_type_id",
        "unit_type",
        "capability",
        "critical_group",
        "priority",
        "required_unit_months",
        "covered_unit_months",
        "unmet_unit_months",
        "share_closed",
        "first_unmet_month",
        "personnel_per_unit",
        "aircraft_per_unit",
        "required_personnel_months",
        "covered_personnel_months",
        "required_aircraft_months",
        "covered_aircraft_months",
    ]
    return out[cols].reset_index(drop=True)


def coverage_headline(coverage: pd.DataFrame, view: ScenarioView) -> pd.Series:
    """Headline figures: unit-months required, closed and left, overall and for critical units.

    Returns
    -------
    Series
        ``required_unit_months, covered_unit_months, unmet_unit_months, share_closed,
        critical_required_unit_months, critical_covered_unit_months, critical_unmet_unit_months,
        critical_share_closed, required_personnel_months, covered_personnel_months,
        personnel_share_closed, required_aircraft_months, covered_aircraft_months,
        aircraft_share_closed, gaps_open, gaps_closed`` (a gap is a mission x unit type;
        personnel- and aircraft-months weigh each unit by the catalogue's personnel and aircraft).
    """
    gaps = gap_table(coverage, view)
    crit = gaps.loc[gaps["critical_group"].notna()]

    def share(covered: float, required: float) -> float:
        return covered / required if required > 0 else float("nan")

    req, cov = float(gaps["required_unit_months"].sum()), float(gaps["covered_unit_months"].sum())
    creq = float(crit["required_unit_months"].sum())
    ccov = float(crit["covered_unit_months"].sum())
    preq = float(gaps["required_personnel_months"].sum())
    pcov = float(gaps["covered_personnel_months"].sum())
    areq = float(gaps["required_aircraft_months"].sum())
    acov = float(gaps["covered_aircraft_months"].sum())
    return pd.Series(
        {
            "required_unit_months": req,
            "covered_unit_months": cov,
            "unmet_unit_months": req - cov,
            "share_closed": share(cov, req),
            "critical_required_unit_months": creq,
            "critical_covered_unit_months": ccov,
            "critical_unmet_unit_months": creq - ccov,
            "critical_share_closed": share(ccov, creq),
            "required_personnel_months": preq,
            "covered_personnel_months": pcov,
            "personnel_share_closed": share(pcov, preq),
            "required_aircraft_months": areq,
            "covered_aircraft_months": acov,
            "aircraft_share_closed": share(acov, areq),
            "gaps_open": int((gaps["unmet_unit_months"] > 1e-9).sum()),
            "gaps_closed": int((gaps["unmet_unit_months"] <= 1e-9).sum()),
        }
    )
