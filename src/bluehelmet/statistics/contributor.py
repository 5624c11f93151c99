"""One contributor's page: what is asked of it, its pledges' fate, its women, its rank.

The page a national parliament asks for (``bluehelmet brief 2018 --contributor NLD``). Every
table is computed from the scenario as the reader may see it and from the plan's tables; a
pledge the reader may not see is not counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from bluehelmet.scenario.core import ScenarioView
from bluehelmet.statistics.scenario import latest_deployments


@dataclass
class ContributorView:
    """The tables of one contributor's page (see :func:`contributor_view`)."""

    contributor_id: str
    name: str
    rank: dict[str, object]
    deployed: pd.DataFrame
    in_place: pd.DataFrame
    pledges: pd.DataFrame
    asked: pd.DataFrame
    women: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def contributor_rank(view: ScenarioView, contributor_id: str) -> dict[str, object]:
    """The contributor's place among contributors by uniformed personnel at the latest date.

    Returns
    -------
    dict
        ``personnel, women, women_share, rank`` (1 = largest; None when it deploys nobody),
        ``contributors`` (contributors deploying anyone) and ``share_of_total``.
    """
    dep = latest_deployments(view)
    total = (dep["women"] + dep["men"]).groupby(dep["contributor_id"].astype(str)).sum()
    women = dep["women"].groupby(dep["contributor_id"].astype(str)).sum()
    total = total.loc[total > 0]
    ranks = total.rank(ascending=False, method="min")
    mine = float(total.get(contributor_id, 0.0))
    her = float(women.get(contributor_id, 0.0))
    return {
        "personnel": mine,
        "women": her,
        "women_share": her / mine if mine > 0 else float("nan"),
        "rank": int(ranks[contributor_id]) if contributor_id in ranks.index else None,
        "contributors": len(total),
        "share_of_total": mine / float(total.sum()) if float(total.sum()) > 0 else 0.0,
    }


def contributor_view(
    view: ScenarioView,
    contributor_id: str,
    *,
    assignments: pd.DataFrame,
    explanations: pd.DataFrame,
    gaps: pd.DataFrame,
    lights: pd.DataFrame,
) -> ContributorView:
    """Everything the contributor's page shows.

    Parameters
    ----------
    view
        The scenario as the reader may see it.
    contributor_id
        The contributor (ISO3 code or organisation id).
    assignments, explanations, gaps
        The plan's tours, pledge explanations and gap table.
    lights
        :func:`bluehelmet.statistics.gender.traffic_lights` of the view.

    Raises
    ------
    KeyError
        If the contributor is not among those the reader may see (the message names only the
        id the user gave).
    """
    contributors = view.contributors.set_index(view.contributors["id"].astype(str))
    if contributor_id not in contributors.index:
        raise KeyError(
            f"contributor {contributor_id!r}: no record with this id among those you "
            "may see (contributors.csv, column id); give an ISO3 code such as NLD"
        )
    name = str(contributors.loc[contributor_id, "name"])
    dep = latest_deployments(view)
    mine = dep.loc[dep["contributor_id"].astype(str) == contributor_id]
    deployed = mine.groupby("mission_id")[["women", "men"]].sum().astype("int64")
    deployed["total"] = deployed["women"] + deployed["men"]
    deployed["women_share"] = deployed["women"] / deployed["total"].where(deployed["total"] > 0)
    deployed = deployed.sort_values("total", ascending=False)

    uip = view.units_in_place
    in_place = (
        uip.loc[
            uip["contributor_id"].astype(str) == contributor_id,
            [
                "mission_id",
                "location",
                "unit_type_id",
                "count",
                "personnel",
                "until",
                "end_kind",
                "basis",
            ],
        ].reset_index(drop=True)
        if len(uip)
        else pd.DataFrame()
    )

    pledges = view.pledges.loc[view.pledges["contributor_id"].astype(str) == contributor_id]
    table = pd.DataFrame(
        {
            "pledge_id": pledges["id"].astype(str),
            "unit_type_id": pledges["unit_type_id"].astype(str),
            "count": pledges["count"].astype("int64"),
            "pcrs_level": pledges["pcrs_level"].astype(str),
            "available_from": pledges["available_from"],
            "women_share": pledges["women_share"].astype("float64"),
            "basis": pledges["basis"].astype(str),
        }
    ).reset_index(drop=True)
    fate = (
        explanations.drop_duplicates("pledge_id").set_index("pledge_id")
        if len(explanations)
        else pd.DataFrame(columns=["used", "reason"])
    )
    table["used"] = table["pledge_id"].map(fate["used"]).astype("boolean")
    table["reason"] = table["pledge_id"].map(fate["reason"]).astype("string")
    if len(assignments):
        tours = assignments.loc[assignments["pledge_id"].astype(str).isin(table["pledge_id"])]
        where = tours.groupby("pledge_id").agg(
            mission_id=("mission_id", "first"), start=("start", "min"), end=("end", "max")
        )
        table = table.join(where, on="pledge_id")
    else:
        table[["mission_id", "start", "end"]] = None

    # What is asked of it: the open gaps of the unit types it pledges or fields.
    types = set(table["unit_type_id"]) | (
        set(in_place["unit_type_id"].astype(str)) if len(in_place) else set()
    )
    asked = (
        gaps.loc[gaps["unit_type_id"].astype(str).isin(types) & (gaps["unmet_unit_months"] > 1e-9)]
        .sort_values("unmet_unit_months", ascending=False)
        .reset_index(drop=True)
    )
    women = lights.loc[lights["contributor_id"].astype(str) == contributor_id].reset_index(
        drop=True
    )
    out = ContributorView(
        contributor_id,
        name,
        contributor_rank(view, contributor_id),
        deployed,
        in_place,
        table,
        asked,
        women,
    )
    out.tables = {
        "contributor_deployed": deployed,
        "contributor_in_place": in_place,
        "contributor_pledges": table,
        "contributor_asked": asked,
        "contributor_women": women,
    }
    return out
