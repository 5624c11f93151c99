"""Women in peacekeeping: UGPS targets, the UN's traffic lights and the real 2010-2021 trend.

The Uniformed Gender Parity Strategy 2018-2028 (UGPS) sets, per year and personnel category, a
target share of women. The UN reports each contributor against it as a traffic light: **green**
when the contributor meets the target, **yellow** when it deploys some women but fewer than the
target, **red** when it deploys none. :func:`traffic_lights` computes exactly that from a
scenario's deployments; :func:`women_share_trend` gives the real trend from the bundled UN
contributions data, with the years the data are incomplete marked rather than dropped.
"""

from __future__ import annotations

import pandas as pd

from bluehelmet.scenario.core import ScenarioView
from bluehelmet.statistics.scenario import UGPS_CATEGORY, latest_deployments

#: Category of deployments whose personnel type the source does not report (e.g. the UN's
#: contributions-by-year table): all uniformed personnel of a contributor, pooled.
POOLED = "uniformed"

#: A pooled share (personnel type not reported) has no UGPS target: each target belongs to one
#: component (troops, staff officers and observers, formed police, individual police), and holding
#: all uniformed personnel against one of them would mislead. Pooled rows get no traffic light.
NO_COMPONENT = "no target: the data do not report the personnel type"

#: UGPS personnel categories in the order the UN reports them.
UGPS_CATEGORIES: list[str] = [
    "troops",
    "staff_officers_observers",
    "formed_police",
    "individual_police",
    POOLED,
]

#: Readable names of the UGPS categories.
CATEGORY_LABELS: dict[str, str] = {
    "troops": "Military contingents",
    "staff_officers_observers": "Staff officers & observers",
    "formed_police": "Formed police units",
    "individual_police": "Individual police",
    POOLED: "All uniformed (type not reported)",
}

#: Traffic-light levels in order from best to worst.
LIGHTS: list[str] = ["green", "yellow", "red"]


def target_basis(basis: str, source: str) -> str:
    """How a target row of the scenario was obtained, read from its own basis and source.

    ``declared`` for a target the strategy publishes (basis ``real`` or ``derived``),
    ``interpolated`` for a row whose source says it interpolates between declared years, and
    otherwise the row's basis (``assumed``, ``illustrative``).
    """
    if "interpolat" in source.lower():
        return "interpolated"
    if basis in ("real", "derived"):
        return "declared"
    return basis or "assumed"


def ugps_targets(view: ScenarioView, year: int) -> pd.DataFrame:
    """The UGPS target share of women per personnel category for ``year``.

    A year with a row in the scenario's ``gender_targets`` table takes that row; its basis says
    what the row is (:func:`target_basis`: ``declared`` by the strategy, ``interpolated`` or
    ``assumed``), so a brief never calls an interpolated or assumed target "declared". A year
    between two rows is interpolated linearly here (``interpolated``); a year outside the rows
    takes the nearest year (``nearest year``).

    Returns
    -------
    DataFrame
        Indexed by ``personnel_category``; columns ``year``, ``target_share``, ``basis`` and
        ``source`` (the row's source, or how the value was computed). Categories without any
        target are absent.
    """
    table = view.tables["gender_targets"]
    rows = []
    for category, group in table.groupby("personnel_category"):
        years_of = group["year"].astype("int64")
        points = group.groupby(years_of)["target_share"].mean().sort_index()
        years = points.index.to_numpy()
        if year in points.index:
            row = group.loc[years_of == year].iloc[0]
            share = float(points.loc[year])
            source = str(row["source"]) if pd.notna(row["source"]) else ""
            basis = target_basis(str(row["basis"]), source)
        elif year < years.min() or year > years.max():
            nearest = int(years.min() if year < years.min() else years.max())
            share, basis = float(points.loc[nearest]), "nearest year"
            source = f"the target of {nearest}, the nearest year with one"
        else:
            below = int(years[years < year].max())
            above = int(years[years > year].min())
            frac = (year - below) / (above - below)
            share = float(points.loc[below] + frac * (points.loc[above] - points.loc[below]))
            basis = "interpolated"
            source = f"linear interpolation between {below} and {above} (bluehelmet)"
        rows.append(
            {
                "personnel_category": str(category),
                "year": year,
                "target_share": share,
                "basis": basis,
                "source": source,
            }
        )
    out = pd.DataFrame(
        rows, columns=["personnel_category", "year", "target_share", "basis", "source"]
    )
    order = {c: i for i, c in enumerate(UGPS_CATEGORIES)}
    out = out.sort_values("personnel_category", key=lambda s: s.map(order).fillna(99))
    return out.set_index("personnel_category")


def light_for(women: int, share: float, target: float) -> str:
    """The UN traffic light for one contributor and category.

    ``red`` when no women are deployed, ``green`` when the women's share meets the target,
    ``yellow`` otherwise.
    """
    if women <= 0:
        return "red"
    return "green" if share >= target - 1e-12 else "yellow"


def traffic_lights(view: ScenarioView) -> pd.DataFrame:
    """Each contributor and UGPS category at the latest reporting date, against that year's target.

    Only deployments in the view are counted; categories a contributor does not deploy in
    are absent (no light rather than a red one). Deployments of personnel type ``uniformed``
    (type not reported) form the category :data:`POOLED`, which has no target and therefore no
    light (``none``; ``target_basis`` says why): a traffic light only against the target of the
    right component.

    Returns
    -------
    DataFrame
        One row per contributor and category: ``contributor_id, contributor, personnel_category,
        date, year, women, men, total, women_share, target_share, target_basis, light``, sorted by
        category then contributor name.
    """
    columns = [
        "contributor_id",
        "contributor",
        "personnel_category",
        "date",
        "year",
        "women",
        "men",
        "total",
        "women_share",
        "target_share",
        "target_basis",
        "light",
    ]
    dep = latest_deployments(view)
    if dep.empty:
        return pd.DataFrame(columns=columns)
    dep = dep.assign(
        personnel_category=dep["personnel_type"].map({**UGPS_CATEGORY, POOLED: POOLED})
    )
    out = dep.groupby(["contributor_id", "personnel_category"], as_index=False).agg(
        date=("date", "max"), women=("women", "sum"), men=("men", "sum")
    )
    out[["women", "men"]] = out[["women", "men"]].astype("int64")
    out["total"] = out["women"] + out["men"]
    out = out.loc[out["total"] > 0].copy()
    out["women_share"] = (out["women"] / out["total"]).astype("float64")
    year = int(pd.Timestamp(out["date"].max()).year)
    out["year"] = year
    targets = ugps_targets(view, year)
    out["target_share"] = out["personnel_category"].map(targets["target_share"]).astype("float64")
    out["target_basis"] = (
        out["personnel_category"]
        .map(targets["basis"])
        .fillna("no target")
        .where(out["personnel_category"] != POOLED, NO_COMPONENT)
    )
    out["light"] = [
        "none" if pd.isna(t) else light_for(int(w), float(s), float(t))
        for w, s, t in zip(out["women"], out["women_share"], out["target_share"], strict=True)
    ]
    names = view.contributors.set_index("id")["name"]
    out["contributor"] = (
        out["contributor_id"].map(names).astype("string").fillna(out["contributor_id"])
    )
    order = {c: i for i, c in enumerate(UGPS_CATEGORIES)}
    out = out.sort_values(
        ["personnel_category", "contributor"],
        key=lambda s: s.map(order) if s.name == "personnel_category" else s,
    )
    return out[columns].reset_index(drop=True)


def traffic_light_counts(lights: pd.DataFrame) -> pd.DataFrame:
    """Number of contributors per UGPS category and light, from :func:`traffic_lights`.

    Returns
    -------
    DataFrame
        Indexed by ``personnel_category``; columns ``green, yellow, red, none`` (no target for the
        category, so no light), ``contributors, target_share, women_share`` (the category's
        pooled women's share).
    """
    if lights.empty:
        return pd.DataFrame(
            columns=[*LIGHTS, "none", "contributors", "target_share", "women_share"]
        )
    counts = (
        pd.crosstab(lights["personnel_category"], lights["light"])
        .reindex(columns=[*LIGHTS, "none"], fill_value=0)
        .astype("int64")
    )
    counts["contributors"] = counts[[*LIGHTS, "none"]].sum(axis=1)
    grouped = lights.groupby("personnel_category")
    counts["target_share"] = grouped["target_share"].first()
    counts["women_share"] = grouped["women"].sum() / grouped["total"].sum()
    order = [c for c in UGPS_CATEGORIES if c in counts.index]
    counts.index.name = "personnel_category"
    return counts.loc[order + [c for c in counts.index if c not in order]]


def women_share_trend(contributions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Women among all UN uniformed personnel per year, 2010-2021, from the bundled real data.

    Parameters
    ----------
    contributions
        Contributions by country, mission and year with columns ``year, women, men, total`` and
        ``complete_year``; by default the bundled UN data
        (:func:`bluehelmet.reference.contributions_by_year`).

    Returns
    -------
    DataFrame
        Indexed by ``year``: ``women, men, total, women_share, complete_year``. The share is
        women / (women + men) (the source's totals differ from the sum by rounding in places).
        Years the source covers only in part (``complete_year`` false) are kept and marked: their
        totals are not comparable, their share is shown but must not be read as a real change.
    """
    if contributions is None:
        from bluehelmet.reference import contributions_by_year

        contributions = contributions_by_year()
    grouped = contributions.groupby(contributions["year"].astype("int64"))
    out = grouped[["women", "men", "total"]].sum().astype("float64")
    out["women_share"] = out["women"] / (out["women"] + out["men"]).where(
        out["women"] + out["men"] > 0
    )
    out["complete_year"] = grouped["complete_year"].all().astype(bool)
    out.index.name = "year"
    return out
