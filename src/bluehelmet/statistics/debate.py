"""The themes of the March 2018 open debate on peacekeeping, with what the data support.

For each theme (:data:`THEMES`) :func:`debate_themes` gives the figures the scenario, the plan or
the bundled real data support, or, where there are none, what data would be needed: nothing is
invented. The safety and security of peacekeepers rests on the UN's own fatality records
(bundled: :func:`fatalities`).
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

from bluehelmet.scenario.core import ScenarioView

#: The debate's themes in the order a brief shows them: (id, title).
THEMES: tuple[tuple[str, str], ...] = (
    ("safety", "Safety and security of peacekeepers"),
    ("obstruction", "Obstruction by host authorities"),
    ("training", "Training and capacity building"),
    ("regional", "Regional organisations"),
    ("integrated", "The integrated civil-military approach"),
    ("women", "Women in mandates, beyond numbers"),
    ("a4p", "Action for Peacekeeping (A4P) commitments the plan touches"),
    ("ministerial", "What to ask at the 2019 ministerial"),
)

#: Incident type of deaths by violence in the UN's fatality records.
MALICIOUS = "Malicious Act"

#: Capabilities whose units serve the A4P "safety and security" commitments (casualty
#: evacuation, medical care, force protection, situational awareness).
SAFETY_CAPABILITIES = (
    "medical",
    "aviation",
    "quick_reaction",
    "isr",
    "intelligence",
    "engineering",
)


def fatalities() -> pd.DataFrame:
    """UN peacekeeper fatalities, one row per casualty (bundled, real).

    Returns
    -------
    DataFrame
        ``casualty_id, incident_date`` (datetime), ``year``, ``mission_id, personnel_type,
        incident_type, nationality_iso3``. Source: UN Peace and Security Data Hub
        (``datasets/debate/PROVENANCE.md``).
    """
    path = resources.files("bluehelmet.datasets.debate").joinpath("un_psdh_fatalities.csv")
    with path.open("r", encoding="utf-8") as f:
        out = pd.read_csv(f, dtype="string")
    out["incident_date"] = pd.to_datetime(out["incident_date"])
    out["year"] = out["incident_date"].dt.year.astype("int64")
    return out


def fatalities_by_year(
    missions: list[str] | None = None,
    first: int = 2013,
    last: int = 2018,
    table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Deaths per year: all causes and by violence (``Malicious Act``), for ``missions``.

    Parameters
    ----------
    missions
        Mission ids to count (default: every mission).
    first, last
        Years, inclusive.
    table
        Fatality records (default: :func:`fatalities`).

    Returns
    -------
    DataFrame
        Indexed by ``year`` (every year from ``first`` to ``last``): ``all_causes``,
        ``malicious``, ``malicious_uniformed`` (military, military observers, police).
    """
    data = fatalities() if table is None else table
    data = data.loc[data["year"].between(first, last)]
    if missions is not None:
        data = data.loc[data["mission_id"].isin(missions)]
    years = pd.Index(range(first, last + 1), name="year")
    malicious = data["incident_type"] == MALICIOUS
    uniformed = data["personnel_type"].isin(["Military", "Military Observer", "Police"])
    out = pd.DataFrame(index=years)
    out["all_causes"] = data.groupby("year").size().reindex(years, fill_value=0)
    out["malicious"] = data.loc[malicious].groupby("year").size().reindex(years, fill_value=0)
    out["malicious_uniformed"] = (
        data.loc[malicious & uniformed].groupby("year").size().reindex(years, fill_value=0)
    )
    return out.astype("int64")


def malicious_by_mission(
    missions: list[str], year: int, table: pd.DataFrame | None = None
) -> pd.Series:
    """Deaths by violence in ``year`` per mission (missions with none left out), most first."""
    data = fatalities() if table is None else table
    data = data.loc[
        (data["year"] == year)
        & (data["incident_type"] == MALICIOUS)
        & data["mission_id"].isin(missions)
    ]
    return (
        data.groupby("mission_id")
        .size()
        .sort_values(ascending=False, kind="stable")
        .astype("int64")
    )


def regional_pledges(view: ScenarioView, explanations: pd.DataFrame) -> pd.DataFrame:
    """Pledges of regional organisations in the view and what the plan did with them.

    Returns
    -------
    DataFrame
        ``pledge_id, contributor_id, unit_type_id, count, pcrs_level, basis, used, reason``.
    """
    orgs = view.contributors.loc[
        view.contributors["kind"].astype(str) == "regional_organisation", "id"
    ].astype(str)
    pledges = view.pledges.loc[view.pledges["contributor_id"].astype(str).isin(orgs)]
    out = pd.DataFrame(
        {
            "pledge_id": pledges["id"].astype(str),
            "contributor_id": pledges["contributor_id"].astype(str),
            "unit_type_id": pledges["unit_type_id"].astype(str),
            "count": pledges["count"].astype("int64"),
            "pcrs_level": pledges["pcrs_level"].astype(str),
            "basis": pledges["basis"].astype(str),
        }
    ).reset_index(drop=True)
    fate = (
        explanations.set_index("pledge_id")
        if len(explanations)
        else pd.DataFrame(columns=["used", "reason"])
    )
    out["used"] = out["pledge_id"].map(fate["used"]).astype("boolean")
    out["reason"] = out["pledge_id"].map(fate["reason"]).astype("string")
    return out


def safety_units(assignments: pd.DataFrame, view: ScenarioView) -> pd.DataFrame:
    """Units the plan deploys whose capability serves the safety of peacekeepers, by capability.

    Returns
    -------
    DataFrame
        Indexed by ``capability`` (of :data:`SAFETY_CAPABILITIES` the plan deploys): ``units``.
    """
    if assignments.empty:
        return pd.DataFrame(columns=["units"])
    capability = assignments["unit_type_id"].map(
        view.unit_types.set_index("id")["capability"].astype(str)
    )
    keep = capability.isin(SAFETY_CAPABILITIES)
    out = assignments.loc[keep].groupby(capability[keep])["units"].sum().astype("int64")
    out.index.name = "capability"
    return out.sort_values(ascending=False).to_frame("units")


def debate_themes(
    view: ScenarioView,
    *,
    assignments: pd.DataFrame,
    explanations: pd.DataFrame,
    smart_pledging: pd.DataFrame,
    gaps: pd.DataFrame,
    plan_gender: pd.DataFrame,
    fatality_table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each theme of the debate with the figures the data support, or what would be needed.

    Parameters
    ----------
    view
        The scenario as the reader may see it.
    assignments, explanations, smart_pledging, gaps, plan_gender
        The plan's tables (``plan.assignments``, ``plan.explanations``,
        ``plan.statistics.capability_requirements(valued_only=True)``, ``plan.statistics.gaps()``,
        ``plan.statistics.gender()``).
    fatality_table
        Fatality records (default: the bundled UN records).

    Returns
    -------
    DataFrame
        One row per theme of :data:`THEMES`: ``theme, title, supported`` (the data support
        figures), ``basis`` (of those figures: ``real``, ``derived``, ``illustrative`` or
        ``none``), ``values`` (a dict of the figures; empty when unsupported) and ``needed``
        (what data would be needed; empty when supported).
    """
    missions = view.missions["id"].astype(str).tolist()
    year = int(pd.Timestamp(view.param("planning_start")).year)
    rows: dict[str, dict[str, object]] = {}
    table = fatalities() if fatality_table is None else fatality_table
    series = fatalities_by_year(missions, year - 5, year, table)
    by_mission = malicious_by_mission(missions, year - 1, table)
    rows["safety"] = {
        "supported": True,
        "basis": "real",
        "values": {
            "first": year - 5,
            "last_full": year - 1,
            "malicious_5y": int(series.loc[year - 5 : year - 1, "malicious"].sum()),
            "malicious_last": int(series["malicious"].loc[year - 1]),
            "malicious_uniformed_last": int(series["malicious_uniformed"].loc[year - 1]),
            "worst_mission": str(by_mission.index[0]) if len(by_mission) else "",
            "worst_mission_deaths": int(by_mission.iloc[0]) if len(by_mission) else 0,
            "safety_units": int(safety_units(assignments, view)["units"].sum())
            if len(assignments)
            else 0,
        },
        "needed": "",
    }
    rows["obstruction"] = {
        "supported": False,
        "basis": "none",
        "values": {},
        "needed": (
            "per mission, the days host authorities held deploying units or equipment (customs, "
            "visas, flight clearances, status-of-forces violations): the planner would add them to "
            "the lead time of units bound for that mission and show the gaps that open"
        ),
    }
    rows["training"] = {
        "supported": False,
        "basis": "none",
        "values": {},
        "needed": (
            "training and capacity-building pledges (trainers, mobile training teams, courses; "
            "the Light Coordination Mechanism's matching of training offers to contributors): the "
            "pledge registry and the unit catalogue have no training entries"
        ),
    }
    regional = regional_pledges(view, explanations)
    basis = sorted(set(regional["basis"])) if len(regional) else []
    rows["regional"] = {
        "supported": bool(len(regional)),
        "basis": ";".join(basis) if basis else "none",
        "values": {
            "pledges": len(regional),
            "units": int(regional["count"].sum()) if len(regional) else 0,
            "used": int(regional["used"].fillna(False).sum()) if len(regional) else 0,
            "organisations": ", ".join(sorted(set(regional["contributor_id"]))),
        }
        if len(regional)
        else {},
        "needed": ""
        if len(regional)
        else ("pledges of regional organisations (AU bridging forces) in the pledge registry"),
    }
    rows["integrated"] = {
        "supported": False,
        "basis": "none",
        "values": {},
        "needed": (
            "each mission's civilian staffing and programme budget beside its uniformed "
            "strength, and the tasks that need both (the mission concept): the scenario holds "
            "uniformed personnel only"
        ),
    }
    women_ok = (
        plan_gender.loc[plan_gender["women_share"].notna()] if len(plan_gender) else plan_gender
    )
    rows["women"] = {
        "supported": False,
        "basis": "none",
        "values": {"plan_categories": len(women_ok)},
        "needed": (
            "gender advisers and women's protection advisers per mission, mixed engagement "
            "teams, and the mandated gender tasks with their performance (CPAS): the data count "
            "women, not what they are deployed to do"
        ),
    }
    critical_open = gaps.loc[gaps["critical_group"].notna() & (gaps["unmet_unit_months"] > 1e-9)]
    rows["a4p"] = {
        "supported": True,
        "basis": "derived",
        "values": {
            "safety_units": rows["safety"]["values"]["safety_units"],  # type: ignore[index]
            "critical_gaps_open": len(critical_open),
            "regional_pledges": len(regional),
            "plan_categories_with_women": len(women_ok),
        },
        "needed": "",
    }
    asks = smart_pledging.head(3)
    rows["ministerial"] = {
        "supported": bool(len(asks)),
        "basis": "derived",
        "values": {
            "asks": [f"{r.units} x {r.unit_type} for {r.mission_id}" for r in asks.itertuples()]
            if len(asks)
            else [],
            "critical_gaps_open": len(critical_open),
        },
        "needed": "" if len(asks) else ("a plan with open gaps"),
    }
    out = [{"theme": key, "title": title, **rows[key]} for key, title in THEMES]
    return pd.DataFrame(out, columns=["theme", "title", "supported", "basis", "values", "needed"])
