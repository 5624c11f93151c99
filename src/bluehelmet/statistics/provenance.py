"""Where a scenario's numbers come from: basis, sources, assumptions, classification.

Every output that rests on illustrative or assumed rows must say so; these tables are what it says.
"""

from __future__ import annotations

import pandas as pd

from bluehelmet.model.access import Classification
from bluehelmet.model.schema import parameter_specs
from bluehelmet.scenario.core import ScenarioView

#: Bases that are not real records: outputs using them must say so.
NOT_REAL = ("illustrative", "assumed")


def basis_by_table(view: ScenarioView) -> pd.DataFrame:
    """Rows per table as the view holds them, split by basis.

    Returns
    -------
    DataFrame
        Indexed by table name (tables with rows only): ``rows, real, derived, illustrative,
        assumed, not_real`` (illustrative + assumed) and ``not_real_share``.
    """
    rows = []
    for name, table in view.tables.items():
        seen = table
        if seen.empty:
            continue
        counts = seen["basis"].astype("string").value_counts()
        rows.append(
            {
                "table": name,
                "rows": len(seen),
                **{
                    b: int(counts.get(b, 0)) for b in ("real", "derived", "illustrative", "assumed")
                },
            }
        )
    out = pd.DataFrame(
        rows, columns=["table", "rows", "real", "derived", "illustrative", "assumed"]
    ).set_index("table")
    out["not_real"] = out["illustrative"] + out["assumed"]
    out["not_real_share"] = out["not_real"] / out["rows"]
    return out


def sources_by_table(view: ScenarioView, limit: int = 3) -> pd.DataFrame:
    """The distinct sources cited per table and basis (the ``limit`` most cited), with row counts.

    Returns
    -------
    DataFrame
        ``table, basis, source, rows``, most cited first within each table.
    """
    rows = []
    for name, table in view.tables.items():
        seen = table
        if seen.empty:
            continue
        counts = seen.groupby(["basis", "source"], dropna=False).size().sort_values(ascending=False)
        top = counts.head(limit)
        for basis, source, n in zip(
            top.index.get_level_values(0),
            top.index.get_level_values(1),
            top.to_numpy(),
            strict=True,
        ):
            rows.append({"table": name, "basis": str(basis), "source": str(source), "rows": int(n)})
    return pd.DataFrame(rows, columns=["table", "basis", "source", "rows"])


def assumed_parameters(view: ScenarioView) -> pd.DataFrame:
    """Scenario parameters whose value is the project's assumption (source ``assumed``).

    Returns
    -------
    DataFrame
        ``parameter, value, unit, description``.
    """
    specs = parameter_specs()
    rows = [
        {
            "parameter": name,
            "value": str(p.value),
            "unit": p.unit,
            "description": specs[name].description if name in specs else "",
        }
        for name, p in view.parameters.items()
        if p.source == "assumed"
    ]
    return pd.DataFrame(rows, columns=["parameter", "value", "unit", "description"])


def highest_classification(view: ScenarioView) -> Classification:
    """The highest classification among the records in the view: the marking of an output."""
    levels = [Classification.UNCLASSIFIED]
    for table in view.tables.values():
        seen = table
        for label in seen["classification"].dropna().astype(str).unique():
            levels.append(Classification.parse(label))
    return max(levels)


def source_summary(view: ScenarioView, limit: int = 2) -> pd.DataFrame:
    """Per table: its row count, and its ``limit`` most cited sources with their own row counts.

    Unlike a list of sources alone, each entry says how many rows the table has and how many of
    them cite that source, so "5 rows" is never read as the size of the table.

    Returns
    -------
    DataFrame
        ``table, table_rows, basis, source, rows, other_sources`` (distinct sources of the table
        not listed), ``limit`` rows per table at most, most cited first.
    """
    every = sources_by_table(view, limit=10**9)
    if every.empty:
        return pd.DataFrame(
            columns=["table", "table_rows", "basis", "source", "rows", "other_sources"]
        )
    sizes = {name: len(t) for name, t in view.tables.items()}
    parts = []
    for name, group in every.groupby("table", sort=False):
        top = group.head(limit).copy()
        top["table_rows"] = sizes[str(name)]
        top["other_sources"] = len(group) - len(top)
        parts.append(top)
    out = pd.concat(parts, ignore_index=True)
    return out[["table", "table_rows", "basis", "source", "rows", "other_sources"]]


#: The bases a figure's numbers can have, in the order a provenance label lists them.
BASES = ("real", "derived", "assumed", "illustrative")


def figure_provenance(
    view: ScenarioView,
    tables: tuple[str, ...],
    external: dict[str, str] | None = None,
    computed: str = "",
    rows: dict[str, pd.DataFrame] | None = None,
) -> dict[str, object]:
    """What a chart or table rests on: its input rows per basis, for that figure alone.

    Parameters
    ----------
    view
        The scenario as the figure's reader sees it.
    tables
        The scenario tables the figure's numbers are computed from.
    external
        Bundled reference data the figure uses besides the scenario: ``{name: basis}``
        (e.g. ``{"UN fatality records": "real"}``).
    computed
        How the figure's own numbers are obtained from the inputs (e.g. "the force plan"):
        figures computed from inputs are *derived*, whatever their inputs' basis.
    rows
        For a figure that shows only some rows of a table (one contributor's pledges), those
        rows by table name: they are counted instead of the whole table.

    Returns
    -------
    dict
        ``bases``: ``{basis: [(table, rows), ...]}`` for the bases present (rows of that
        basis in each table), ``rows``: ``{basis: total rows}``, ``external``: the external
        data as ``[(name, basis)]``, ``computed``, and ``weakest``: the least real basis present
        (``illustrative`` > ``assumed`` > ``derived`` > ``real``), which is how the figure must
        be read.
    """
    bases: dict[str, list[tuple[str, int]]] = {b: [] for b in BASES}
    for name in tables:
        table = (rows or {}).get(name, view.tables.get(name))
        if table is None or table.empty:
            continue
        counts = table["basis"].astype("string").value_counts()
        for basis in BASES:
            n = int(counts.get(basis, 0))
            if n:
                bases[basis].append((name, n))
    extra = sorted((external or {}).items())
    present = [b for b in BASES if bases[b]] + [b for _, b in extra]
    order = {b: i for i, b in enumerate(BASES)}
    weakest = max(present, key=lambda b: order.get(b, len(BASES))) if present else "real"
    return {
        "bases": {b: v for b, v in bases.items() if v},
        "rows": {b: sum(n for _, n in v) for b, v in bases.items() if v},
        "external": extra,
        "computed": computed,
        "weakest": weakest,
    }
