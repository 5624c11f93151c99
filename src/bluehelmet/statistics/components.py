"""Strength by personnel component: against the Council's ceiling, and women's share.

The Security Council authorises a mission's strength per component: military personnel (troops,
staff officers and military observers together) and police (sometimes split into formed police
units and individual police officers). The UN's gender targets belong to the four UGPS
components (troops; staff officers and observers; formed police; individual police). A figure
is compared with a ceiling or a target only when the data report that component: the bundled
2018 deployments are yearly totals of all uniformed personnel, so they meet only the mission's
total ceiling (military + police), and the table says so instead of guessing a split.
"""

from __future__ import annotations

import pandas as pd

from bluehelmet.scenario.core import ScenarioView
from bluehelmet.statistics.scenario import (
    UGPS_CATEGORY,
    ceilings_in_force,
    latest_deployments,
    reference_date,
)

#: Council ceiling components, and the deployment personnel types that count against each.
CEILING_COMPONENTS: dict[str, tuple[str, ...]] = {
    "military": ("troops", "staff_officers", "experts_on_mission"),
    "police": ("formed_police", "individual_police"),
    "formed_police": ("formed_police",),
    "individual_police": ("individual_police",),
}

#: UGPS component of each catalogue ``personnel_category`` counted against a ceiling component.
_CATEGORY_CEILING = {
    "troops": "military",
    "staff_officers_observers": "military",
    "formed_police": "formed_police",
    "individual_police": "individual_police",
}

COLUMNS = [
    "mission_id",
    "component",
    "ceiling_kind",
    "ceiling",
    "resolution",
    "reported",
    "deployed",
    "women",
    "women_share",
    "share_of_ceiling",
    "uniformed_total",
    "in_place_identified",
    "note",
]


def _ceiling_rows(view: ScenarioView, on: pd.Timestamp) -> pd.DataFrame:
    """Ceiling rows in force on ``on``: ``mission_id, component, kind, ceiling, resolution``."""
    table = view.ceilings
    if table.empty:
        return pd.DataFrame(columns=["mission_id", "component", "kind", "ceiling", "resolution"])
    start = pd.to_datetime(table["valid_from"])
    end = pd.to_datetime(table["valid_to"])
    now = table.loc[(start <= on) & (end.isna() | (end >= on))]
    return pd.DataFrame(
        {
            "mission_id": now["mission_id"].astype(str),
            "component": now["component"].astype(str),
            "kind": now["kind"].astype(str),
            "ceiling": now["ceiling"].astype("float64"),
            "resolution": now["resolution"].astype("string").fillna(""),
        }
    )


def strength_by_component(view: ScenarioView) -> pd.DataFrame:
    """Personnel per mission and ceiling component against the ceiling in force.

    The ceiling is the one in force on the scenario's reference date (``ceilings`` table; kind
    ``none``: the resolutions set no numeric ceiling, shown as NaN, never 0). ``deployed`` and
    the women's figures count the latest deployments of the component's personnel types; where
    the deployments of a mission do not report the personnel type (type ``uniformed``) they are
    NaN and ``reported`` is false: only ``uniformed_total`` (all components) is known, and it is
    compared with the mission's total ceiling in :func:`mission_total_vs_ceiling`.
    ``in_place_identified`` is the personnel of the units in place identified per base
    (``units_in_place``, derived from Geo-PKO): a lower bound, not a strength.

    Returns
    -------
    DataFrame
        One row per mission and component that has a ceiling row or reported personnel:
        :data:`COLUMNS`.
    """
    on = reference_date(view)
    ceilings = _ceiling_rows(view, on)
    dep = latest_deployments(view)
    dep = dep.assign(personnel_type=dep["personnel_type"].astype(str)) if len(dep) else dep
    uip = view.units_in_place
    in_place = pd.Series(dtype="float64")
    if len(uip):
        category = uip["unit_type_id"].map(
            view.unit_types.set_index("id")["personnel_category"].astype(str)
        )
        size = uip["unit_type_id"].map(view.unit_types.set_index("id")["personnel"]).astype(
            "float64"
        ) * uip["count"].astype("float64")
        personnel = uip["personnel"].astype("Float64").astype("float64").fillna(size)
        frame = pd.DataFrame(
            {
                "mission_id": uip["mission_id"].astype(str),
                "component": category.map(_CATEGORY_CEILING),
                "personnel": personnel,
            }
        )
        in_place = frame.groupby(["mission_id", "component"])["personnel"].sum()
    rows = []
    for mission in view.missions["id"].astype(str):
        mine = dep.loc[dep["mission_id"].astype(str) == mission] if len(dep) else dep
        total = float((mine["women"] + mine["men"]).sum()) if len(mine) else 0.0
        typed = mine.loc[mine["personnel_type"] != "uniformed"] if len(mine) else mine
        caps = ceilings.loc[ceilings["mission_id"] == mission]
        components = [
            c
            for c in CEILING_COMPONENTS
            if c in set(caps["component"])
            or (
                len(typed)
                and typed["personnel_type"].isin(CEILING_COMPONENTS[c]).any()
                and c in ("military", "police")
            )
        ]
        for component in components:
            cap = caps.loc[caps["component"] == component]
            kind = str(cap["kind"].iloc[0]) if len(cap) else "not set"
            ceiling = float(cap["ceiling"].iloc[0]) if kind == "numeric" else float("nan")
            reported = bool(len(typed)) and len(typed) == len(mine)
            of = typed.loc[typed["personnel_type"].isin(CEILING_COMPONENTS[component])]
            women = float(of["women"].sum()) if reported else float("nan")
            deployed = float((of["women"] + of["men"]).sum()) if reported else float("nan")
            if not len(mine):
                note = "no deployments in the data"
            elif reported:
                note = "component reported"
            else:
                note = (
                    "the deployments do not report the personnel component: only the "
                    "mission's uniformed total is known"
                )
            rows.append(
                {
                    "mission_id": mission,
                    "component": component,
                    "ceiling_kind": kind,
                    "ceiling": ceiling,
                    "resolution": "; ".join(sorted({str(r) for r in cap["resolution"] if r})),
                    "reported": reported,
                    "deployed": deployed,
                    "women": women,
                    "women_share": women / deployed if reported and deployed > 0 else float("nan"),
                    "share_of_ceiling": (
                        deployed / ceiling if reported and ceiling > 0 else float("nan")
                    ),
                    "uniformed_total": total,
                    "in_place_identified": float(in_place.get((mission, component), 0.0)),
                    "note": note,
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)


def mission_total_vs_ceiling(view: ScenarioView) -> pd.DataFrame:
    """Every mission's uniformed total against its total ceiling (military + police).

    This is the comparison the 2018 data support when the component is not reported.

    Returns
    -------
    DataFrame
        Indexed by mission id: ``uniformed_total, ceiling_total`` (NaN where no numeric
        ceiling), ``share_of_ceiling``, ``component_reported`` (every deployment row of the
        mission has a personnel type other than ``uniformed``).
    """
    dep = latest_deployments(view)
    ids = pd.Index(view.missions["id"].astype(str), name="mission_id")
    total = (
        (dep["women"] + dep["men"]).groupby(dep["mission_id"].astype(str)).sum()
        if len(dep)
        else pd.Series(dtype="float64")
    )
    typed = (
        (dep["personnel_type"].astype(str) != "uniformed")
        .groupby(dep["mission_id"].astype(str))
        .all()
        if len(dep)
        else pd.Series(dtype=bool)
    )
    caps = ceilings_in_force(view, reference_date(view)).reindex(ids)
    out = pd.DataFrame(index=ids)
    out["uniformed_total"] = total.reindex(ids).fillna(0).astype("float64")
    out["ceiling_total"] = caps["authorised"].astype("float64")
    out["share_of_ceiling"] = out["uniformed_total"] / out["ceiling_total"].where(
        out["ceiling_total"] > 0
    )
    out["component_reported"] = typed.reindex(ids).fillna(False).astype(bool)
    return out


def women_by_ugps_component(view: ScenarioView) -> pd.DataFrame:
    """Women's share per UGPS component over all missions, where the data report the component.

    Returns
    -------
    DataFrame
        Indexed by UGPS category (including ``uniformed (type not reported)`` for the pooled
        rows): ``women, total, women_share, reported`` (false for the pooled rows).
    """
    dep = latest_deployments(view)
    if dep.empty:
        return pd.DataFrame(columns=["women", "total", "women_share", "reported"])
    cat = dep["personnel_type"].astype(str).map(UGPS_CATEGORY)
    grouped = dep.assign(total=dep["women"] + dep["men"]).groupby(cat)[["women", "total"]].sum()
    out = grouped.astype("float64")
    out["women_share"] = out["women"] / out["total"].where(out["total"] > 0)
    out["reported"] = out.index != UGPS_CATEGORY["uniformed"]
    out.index.name = "personnel_category"
    return out
