"""Money as the Fifth Committee sees it: approved budgets, the plan against them, the pressure.

The approved peacekeeping budget totals (all missions, with the support account and the UN
Logistics Base) and the facts of the budget pressure are bundled with a source per row
(``bluehelmet/datasets/debate/budget_facts.csv``; rows the bundled data cannot give have basis
``missing`` and no value, and say what would be needed). Nothing here changes how a unit is
costed: :mod:`bluehelmet.statistics.money` does that.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

from bluehelmet.scenario.core import ScenarioView

_FACTS = "budget_facts.csv"


def budget_facts() -> pd.DataFrame:
    """The bundled budget facts: ``id, fiscal_year, fact, value, unit, missions, basis, source``.

    ``value`` is NaN for the facts the bundled data do not hold (basis ``missing``).
    """
    path = resources.files("bluehelmet.datasets.debate").joinpath(_FACTS)
    with path.open("r", encoding="utf-8") as f:
        out = pd.read_csv(
            f,
            dtype={
                "id": "string",
                "fiscal_year": "string",
                "fact": "string",
                "unit": "string",
                "basis": "string",
                "source": "string",
            },
        )
    out["value"] = out["value"].astype("float64")
    out["missions"] = out["missions"].astype("Int64")
    return out


def approved_budgets() -> pd.DataFrame:
    """Approved peacekeeping budget totals per fiscal year with their source.

    Returns
    -------
    DataFrame
        Indexed by ``fiscal_year``: ``approved_usd, missions, basis, source, change_usd``
        (against the year before; NaN for the first) and ``change_share``.
    """
    facts = budget_facts()
    rows = facts.loc[facts["id"].str.startswith("approved-")]
    out = pd.DataFrame(
        {
            "approved_usd": rows["value"].to_numpy(),
            "missions": rows["missions"].to_numpy(),
            "basis": rows["basis"].to_numpy(),
            "source": rows["source"].to_numpy(),
        },
        index=pd.Index(rows["fiscal_year"].astype(str), name="fiscal_year"),
    )
    out = out.sort_index()
    out["change_usd"] = out["approved_usd"].diff()
    out["change_share"] = out["change_usd"] / out["approved_usd"].shift()
    return out


def budget_pressure() -> pd.DataFrame:
    """The facts of the budget pressure the 2018 debate raised, each with its source.

    The cut in the approved total from 2017/18 to 2018/19 is computed from
    :func:`approved_budgets`; arrears and late reimbursement come from the bundled facts (basis
    ``missing`` where no sourced figure is bundled: the row says what would be needed).

    Returns
    -------
    DataFrame
        ``fact, value, unit, basis, source`` in the order a brief shows them.
    """
    approved = approved_budgets()
    rows: list[dict[str, object]] = []
    if {"2017/18", "2018/19"} <= set(approved.index):
        usd, source = approved["approved_usd"], approved["source"]
        rows.append(
            {
                "fact": "cut in the approved total, 2017/18 to 2018/19",
                "value": float(usd.loc["2018/19"]) - float(usd.loc["2017/18"]),
                "unit": "USD",
                "basis": "derived",
                "source": f"difference of the approved totals: {source.loc['2017/18']}; "
                f"{source.loc['2018/19']}",
            }
        )
        rows.append(
            {
                "fact": "the same cut as a share of the 2017/18 total",
                "value": float(approved["change_share"].loc["2018/19"]),
                "unit": "share",
                "basis": "derived",
                "source": "as above",
            }
        )
    facts = budget_facts()
    for _, row in facts.loc[facts["id"].str.contains("arrears|owed|rate")].iterrows():
        rows.append(
            {
                "fact": str(row["fact"]),
                "value": row["value"],
                "unit": str(row["unit"]),
                "basis": str(row["basis"]),
                "source": str(row["source"]),
            }
        )
    return pd.DataFrame(rows, columns=["fact", "value", "unit", "basis", "source"])


def plan_against_approved(cost_vs_budget: pd.DataFrame, view: ScenarioView) -> pd.DataFrame:
    """The plan's cost per fiscal year against the approved total and the scenario's budgets.

    Parameters
    ----------
    cost_vs_budget
        :func:`bluehelmet.statistics.money.cost_vs_budget` of the plan.
    view
        For the scenario's own per-mission budgets (``budgets``, with their basis).

    Returns
    -------
    DataFrame
        Indexed by ``fiscal_year`` (the plan's): ``plan_cost_usd``, ``approved_total_usd`` (the
        bundled, sourced total; NaN for a year it lacks), ``share_of_total``,
        ``scenario_approved_usd`` (sum of the scenario's per-mission budgets of the missions
        in the plan's table) and ``scenario_budget_basis`` (their bases, ``;``-joined).
    """
    approved = approved_budgets()["approved_usd"]
    by_year = cost_vs_budget.groupby("fiscal_year").agg(
        plan_cost_usd=("cost_usd", "sum"), scenario_approved_usd=("approved_usd", "sum")
    )
    budgets = view.tables["budgets"]
    basis = budgets.groupby("fiscal_year")["basis"].agg(
        lambda s: ";".join(sorted({str(b) for b in s.dropna()}))
    )
    out = by_year.astype("float64")
    out["approved_total_usd"] = approved.reindex(out.index).astype("float64")
    out["share_of_total"] = out["plan_cost_usd"] / out["approved_total_usd"]
    out["scenario_budget_basis"] = basis.reindex(out.index).fillna("")
    out.index.name = "fiscal_year"
    return out[
        [
            "plan_cost_usd",
            "approved_total_usd",
            "share_of_total",
            "scenario_approved_usd",
            "scenario_budget_basis",
        ]
    ]


def gap_closing_costs(
    gap_costs: pd.DataFrame, coverage: pd.DataFrame, view: ScenarioView
) -> pd.DataFrame:
    """What closing each open gap would cost, with the new units' emplacement and repatriation.

    Parameters
    ----------
    gap_costs
        :func:`bluehelmet.statistics.money.gap_costs` (``cost_to_close_usd`` per open gap).
    coverage
        The plan's coverage (``mission_id, unit_type_id, month, short``): the units to deploy
        for a gap are its units short in the worst month.
    view
        For the catalogue (``lift_moves``, ``personnel``) and the scenario parameters
        ``lift_move_usd`` and ``travel_usd_per_person`` (one-way emplacement of a contingent per
        lift move, and of an individual officer).

    Returns
    -------
    DataFrame
        ``gap_costs`` with ``units_to_deploy``, ``move_usd`` (emplacement + repatriation of
        those units: twice the one-way cost; NaN when the scenario has no emplacement rates)
        and ``total_to_close_usd`` (monthly costs + moves; NaN likewise).
    """
    out = gap_costs.copy()
    worst = coverage.groupby(["mission_id", "unit_type_id"])["short"].max()
    keys = pd.MultiIndex.from_frame(out[["mission_id", "unit_type_id"]])
    out["units_to_deploy"] = worst.reindex(keys).fillna(0.0).to_numpy()
    params = view.parameters
    if "lift_move_usd" not in params or "travel_usd_per_person" not in params:
        out["move_usd"] = float("nan")
    else:
        units = view.unit_types.set_index("id")
        moves = out["unit_type_id"].map(units["lift_moves"]).astype("float64").fillna(0.0)
        personnel = out["unit_type_id"].map(units["personnel"]).astype("float64").fillna(0.0)
        one_way = moves.where(moves > 0) * float(view.param("lift_move_usd"))
        one_way = one_way.fillna(personnel * float(view.param("travel_usd_per_person")))
        out["move_usd"] = 2.0 * one_way * out["units_to_deploy"]
    out["total_to_close_usd"] = out["cost_to_close_usd"] + out["move_usd"]
    return out
