"""Statistics of a scenario's inputs, as DataFrames: strength, women's share, pledge landscape.

Every function takes a :class:`~bluehelmet.scenario.core.ScenarioView`: the rows are already
those the view's reader may see, so nothing hidden is counted.
"""

from __future__ import annotations

import pandas as pd

from bluehelmet.scenario.core import ScenarioView

#: UN personnel types mapped to the personnel categories of the Uniformed Gender Parity Strategy.
UGPS_CATEGORY: dict[str, str] = {
    "troops": "troops",
    "staff_officers": "staff_officers_observers",
    "experts_on_mission": "staff_officers_observers",
    "formed_police": "formed_police",
    "individual_police": "individual_police",
    # Yearly tables (e.g. contributions by country x mission x year) report no personnel type.
    "uniformed": "uniformed (type not reported)",
}


def latest_deployments(view: ScenarioView) -> pd.DataFrame:
    """Deployments at the latest reporting date present, as the view's reader may see them."""
    dep = view.deployments
    if dep.empty:
        return dep
    return dep.loc[dep["date"] == dep["date"].max()]


#: Ceiling components that add up to a mission's uniformed ceiling: ``military`` plus ``police``
#: (or, where a resolution sets no police total, its formed and individual police parts).
POLICE_PARTS = ("formed_police", "individual_police")


def reference_date(view: ScenarioView) -> pd.Timestamp:
    """The scenario's reference date (``reference_date`` in its metadata), else planning start."""
    value = view.meta.get("reference_date")
    return pd.Timestamp(value if value is not None else view.param("planning_start"))


def horizon_end(view: ScenarioView) -> pd.Timestamp:
    """The last day of the planning horizon."""
    start = pd.Timestamp(view.param("planning_start"))
    months = int(view.param("horizon_months"))
    return start + pd.DateOffset(months=months) - pd.Timedelta(days=1)


def ceilings_in_force(view: ScenarioView, on: pd.Timestamp | str) -> pd.DataFrame:
    """The Security Council ceiling in force per mission on ``on`` (from the ``ceilings`` table).

    A ceiling row is in force from ``valid_from`` to ``valid_to`` (open when empty). Rows of kind
    ``none`` (the resolution sets no numeric ceiling, e.g. UNTSO, UNMOGIP, UNMIK) give no number:
    the ceiling is NaN, never 0.

    Returns
    -------
    DataFrame
        Indexed by mission id (every mission of the view): ``military, police, authorised``
        (military + police; NaN when no component has a numeric ceiling), ``resolutions`` (the
        resolutions of the rows in force, ``; ``-joined) and ``numeric`` (any numeric ceiling).
    """
    day = pd.Timestamp(on)
    table = view.ceilings
    ids = view.missions["id"].astype(str)
    out = pd.DataFrame(
        index=pd.Index(ids, name="mission_id"),
        columns=["military", "police", "authorised"],
        dtype="float64",
    )
    out["resolutions"] = ""
    out["numeric"] = False
    # A scenario without a ceilings table (or a mission without rows in it) falls back to the
    # missions table's single authorised strengths; an empty one there means no numeric ceiling.
    static = view.missions.set_index(view.missions["id"].astype(str))
    for component, column in (("military", "authorised_troops"), ("police", "authorised_police")):
        if column in static:
            out[component] = static[column].astype("Float64").astype("float64").reindex(out.index)
    out["authorised"] = out[["military", "police"]].sum(axis=1, min_count=1)
    out["numeric"] = out["authorised"].notna()
    if table.empty:
        return out
    out.loc[
        out.index.isin(table["mission_id"].astype(str)), ["military", "police", "authorised"]
    ] = float("nan")
    out.loc[out.index.isin(table["mission_id"].astype(str)), "numeric"] = False
    start = pd.to_datetime(table["valid_from"])
    end = pd.to_datetime(table["valid_to"])
    now = table.loc[(start <= day) & (end.isna() | (end >= day))]
    for mission, rows in now.groupby(now["mission_id"].astype(str)):
        if mission not in out.index:
            continue
        numeric = rows.loc[rows["kind"].astype(str) == "numeric"]
        value = dict(
            zip(numeric["component"].astype(str), numeric["ceiling"].astype("float64"), strict=True)
        )
        police = value.get("police")
        if police is None and any(p in value for p in POLICE_PARTS):
            police = sum(value.get(p, 0.0) for p in POLICE_PARTS)
        military = value.get("military")
        out.loc[mission, "military"] = military
        out.loc[mission, "police"] = police
        parts = [v for v in (military, police) if v is not None]
        out.loc[mission, "authorised"] = sum(parts) if parts else float("nan")
        out.loc[mission, "numeric"] = bool(parts)
        out.loc[mission, "resolutions"] = "; ".join(
            sorted({str(r) for r in rows["resolution"].dropna().astype(str) if r})
        )
    return out


def deployments_period(view: ScenarioView) -> dict[str, object]:
    """What the latest deployment figures are: a point in time or a yearly average.

    The bundled 2018 deployments are the 2018 calendar-year average of the UN's monthly figures,
    dated mid-year (2018-06-30) by convention; they must not be called "at 2018-06-30". The kind
    is read from the rows' own ``source`` (a source saying "yearly average").

    Returns
    -------
    dict
        ``date`` (the rows' date), ``kind`` (``yearly average`` or ``point``), ``year`` and
        ``label``, the words a brief prints for the figures.
    """
    dep = latest_deployments(view)
    if dep.empty:
        return {"date": None, "kind": "none", "year": None, "label": "no deployments"}
    date = pd.Timestamp(dep["date"].max())
    sources = dep["source"].astype("string").fillna("").str.lower()
    if bool(sources.str.contains("yearly average|annual average|calendar-year average").all()):
        label = (
            f"{date.year} calendar-year average of the UN's monthly figures "
            f"(dated {date.date().isoformat()} in the data)"
        )
        return {"date": date, "kind": "yearly average", "year": date.year, "label": label}
    return {
        "date": date,
        "kind": "point",
        "year": date.year,
        "label": f"at the latest reporting date ({date.date().isoformat()})",
    }


def mission_strength(view: ScenarioView) -> pd.DataFrame:
    """Uniformed personnel per mission at the latest date, against the ceiling in force.

    The ceiling is the one in force on the scenario's reference date (:func:`ceilings_in_force`);
    ``authorised_end`` is the one in force on the last day of the planning horizon, so that a
    decided drawdown (UNAMID: S/RES/2429 (2018), 4,050 troops by 30 June 2019) shows. Missions
    without a numeric ceiling have NaN, not 0.

    Returns
    -------
    DataFrame
        Indexed by mission id, columns ``name, host_iso3, date, women, men, total, women_share,
        authorised, authorised_military, authorised_police, authorised_on, authorised_end,
        authorised_end_military, authorised_end_on, ceiling_resolutions, ceiling_end_resolutions,
        contributors``.

    """
    dep = latest_deployments(view)
    missions = view.missions.set_index("id")
    grouped = dep.groupby("mission_id").agg(
        date=("date", "max"),
        women=("women", "sum"),
        men=("men", "sum"),
        contributors=("contributor_id", "nunique"),
    )
    out = missions[["name", "host_iso3"]].join(grouped, how="left")
    out[["women", "men", "contributors"]] = (
        out[["women", "men", "contributors"]].fillna(0).astype("int64")
    )
    out["total"] = out["women"] + out["men"]
    out["women_share"] = (out["women"] / out["total"].where(out["total"] > 0)).astype("float64")
    on, end = reference_date(view), horizon_end(view)
    now = ceilings_in_force(view, on).reindex(out.index)
    later = ceilings_in_force(view, end).reindex(out.index)
    out["authorised"] = now["authorised"].astype("float64")
    out["authorised_military"] = now["military"].astype("float64")
    out["authorised_police"] = now["police"].astype("float64")
    out["authorised_on"] = on
    out["authorised_end"] = later["authorised"].astype("float64")
    out["authorised_end_military"] = later["military"].astype("float64")
    out["authorised_end_on"] = end
    out["ceiling_resolutions"] = now["resolutions"].fillna("")
    out["ceiling_end_resolutions"] = later["resolutions"].fillna("")
    out.index.name = "mission_id"
    return out.sort_values("total", ascending=False)


def strength_by_category(view: ScenarioView) -> pd.DataFrame:
    """Women and men by UGPS personnel category at the latest date, with women's share."""
    dep = latest_deployments(view).copy()
    dep["personnel_category"] = dep["personnel_type"].map(UGPS_CATEGORY)
    out = dep.groupby("personnel_category")[["women", "men"]].sum().astype("int64")
    out["total"] = out["women"] + out["men"]
    out["women_share"] = out["women"] / out["total"].where(out["total"] > 0)
    return out


def pledges_by_level(view: ScenarioView) -> pd.DataFrame:
    """Pledged units by unit type (rows) and PCRS level (columns), with totals.

    Only the pledges in the view are counted.
    """
    pledges = view.pledges
    levels = ["L1", "L2", "L3", "RDL"]
    table = pledges.pivot_table(
        index="unit_type_id",
        columns="pcrs_level",
        values="count",
        aggfunc="sum",
        fill_value=0,
        observed=False,
    )
    table = table.reindex(columns=levels, fill_value=0).astype("int64")
    table["total"] = table.sum(axis=1)
    names = view.unit_types.set_index("id")["name"]
    table.insert(0, "name", names.reindex(table.index).astype("string").fillna(""))
    table.index.name = "unit_type_id"
    return table.sort_values("total", ascending=False)


def pledge_landscape(view: ScenarioView) -> dict[str, int]:
    """Headline counts of the pledge registry in the view.

    Returns
    -------
    dict
        ``records`` (pledge rows), ``units`` (sum of counts), ``contributors``, ``unit_types``,
        ``real`` and ``illustrative`` (pledge rows by basis).
    """
    pledges = view.pledges
    basis = pledges["basis"].value_counts()
    return {
        "records": len(pledges),
        "units": int(pledges["count"].sum()),
        "contributors": int(pledges["contributor_id"].nunique()),
        "unit_types": int(pledges["unit_type_id"].nunique()),
        "real": int(basis.get("real", 0)),
        "illustrative": int(basis.get("illustrative", 0)),
    }


def basis_summary(view: ScenarioView) -> pd.DataFrame:
    """Rows per table and basis (real, derived, illustrative, assumed) in the view."""
    rows: list[dict[str, object]] = []
    for name, table in view.tables.items():
        counts = table["basis"].value_counts()
        rows.extend({"table": name, "basis": str(b), "rows": int(n)} for b, n in counts.items())
    return pd.DataFrame(rows, columns=["table", "basis", "rows"])


def force_in_place(view: ScenarioView, on: pd.Timestamp | None = None) -> pd.DataFrame:
    """Units and personnel in place per mission on ``on`` (default: the planning start).

    A unit is in place on a day when its ``since`` is empty or not later and its ``until`` is
    empty or not earlier. Personnel are the rows' figures; rows without one count the
    catalogue's personnel per unit (shown separately as ``personnel_catalogue``).

    Returns
    -------
    DataFrame
        Indexed by mission id: ``units``, ``personnel`` (given + catalogue), ``personnel_catalogue``
        (the part taken from the catalogue), ``arriving`` (units announced to arrive later) and
        ``leaving`` (units in place whose commitment ends within the planning horizon).
    """
    day = pd.Timestamp(on if on is not None else view.param("planning_start"))
    months = int(view.param("horizon_months"))
    horizon_end = day + pd.DateOffset(months=months) - pd.Timedelta(days=1)
    uip = view.units_in_place
    cols = ["units", "personnel", "personnel_catalogue", "arriving", "leaving"]
    if uip.empty:
        return pd.DataFrame(columns=cols, dtype="int64")
    size = view.unit_types.set_index("id")["personnel"].astype("float64")
    catalogue = uip["count"].astype("float64") * uip["unit_type_id"].map(size).fillna(0)
    given = uip["personnel"].astype("Float64")
    started = uip["since"].isna() | (uip["since"] <= day)
    ongoing = uip["until"].isna() | (uip["until"] >= day)
    now = started & ongoing
    frame = pd.DataFrame(
        {
            "mission_id": uip["mission_id"],
            "units": uip["count"].astype("int64").where(now, 0),
            "personnel": given.fillna(catalogue).astype("float64").where(now, 0.0),
            "personnel_catalogue": catalogue.where(now & given.isna().to_numpy(), 0.0),
            "arriving": uip["count"].astype("int64").where(~started & ongoing, 0),
            "leaving": uip["count"].astype("int64").where(now & (uip["until"] <= horizon_end), 0),
        }
    )
    out = frame.groupby("mission_id")[cols].sum().round().astype("int64")
    return out.sort_values("personnel", ascending=False)
