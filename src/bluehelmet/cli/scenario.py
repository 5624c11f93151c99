"""``bluehelmet scenario``: show, export and validate scenarios."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

import typer
from rich.markup import escape
from rich.table import Table

from bluehelmet.cli.checks import out_folder, same_file, scenario_source
from bluehelmet.cli.common import ClearanceOption, OrgOption, cli_errors, console, reader_context
from bluehelmet.cli.output import JsonOption, print_json, records

if TYPE_CHECKING:
    from bluehelmet.scenario.core import ScenarioView

app = typer.Typer(help="Show, export and list scenarios.", no_args_is_help=True)


def _pct(value: float) -> str:
    import pandas as pd

    return "-" if pd.isna(value) else f"{100 * value:.1f}%"


@app.command("list")
def list_scenarios(json_output: bool = JsonOption) -> None:
    """List the scenarios bundled with the package."""
    from bluehelmet.scenario.io import bundled_scenarios

    if json_output:
        print_json(list(bundled_scenarios()))
        return
    for name in bundled_scenarios():
        console.print(name, markup=False)


@app.command("show")
def show(
    name_or_dir: str = typer.Argument(..., help="Bundled scenario name (e.g. 2018) or folder."),
    org: str | None = OrgOption,
    clearance: str | None = ClearanceOption,
    json_output: bool = JsonOption,
) -> None:
    """Show a scenario: missions, strength, women's share, pledges by level and unit type."""
    import pandas as pd

    from bluehelmet.scenario.io import load_view
    from bluehelmet.statistics.scenario import (
        basis_summary,
        force_in_place,
        latest_deployments,
        mission_strength,
        pledge_landscape,
        pledges_by_level,
        strength_by_category,
    )

    with cli_errors():
        reader = reader_context(org, clearance)
        scenario = load_view(name_or_dir, reader)
        title = scenario.meta.get("title", scenario.name)
        strength = mission_strength(scenario)
        if json_output:
            print_json(
                {
                    "scenario": scenario.name,
                    "title": title,
                    "reader": {
                        "organisation": reader.organisation,
                        "clearance": reader.clearance.label,
                    },
                    "missions": records(strength.reset_index()),
                    "women_by_category": records(strength_by_category(scenario).reset_index()),
                    "force_in_place": records(force_in_place(scenario).reset_index()),
                    "pledges": pledge_landscape(scenario),
                    "pledges_by_level": records(pledges_by_level(scenario).reset_index()),
                    "basis": records(basis_summary(scenario)),
                }
            )
            return
        console.print(
            f"[bold]{escape(str(title))}[/]  (scenario {escape(scenario.name)}; "
            f"reading as {escape(reader.organisation)}, {reader.clearance.label})"
        )
        dates = strength["date"].dropna()
        when = pd.Timestamp(dates.max()).date().isoformat() if len(dates) else "no date"
        table = Table(title=f"Missions: uniformed personnel deployed ({when})")
        for col in (
            "mission",
            "host",
            "authorised",
            "deployed",
            "women",
            "women %",
            "contributors",
        ):
            table.add_column(col, justify="left" if col in ("mission", "host") else "right")
        for mid, row in strength.iterrows():
            auth = (
                "-"
                if not row["authorised"] or pd.isna(row["authorised"])
                else f"{row['authorised']:,.0f}"
            )
            host = "" if pd.isna(row["host_iso3"]) else str(row["host_iso3"])
            table.add_row(
                escape(str(mid)),
                escape(host),
                auth,
                f"{row['total']:,}",
                f"{row['women']:,}",
                _pct(row["women_share"]),
                str(row["contributors"]),
            )
        table.add_section()
        table.add_row(
            "total",
            "",
            f"{strength['authorised'].sum():,.0f}",
            f"{strength['total'].sum():,}",
            f"{strength['women'].sum():,}",
            _pct(strength["women"].sum() / max(strength["total"].sum(), 1)),
            str(latest_deployments(scenario)["contributor_id"].nunique()),
        )
        console.print(table)
        cats = strength_by_category(scenario)
        if not cats.empty:
            ctable = Table(title="Women's share by personnel category (UGPS)")
            for col in ("category", "women", "men", "women %"):
                ctable.add_column(col, justify="left" if col == "category" else "right")
            for cat, row in cats.iterrows():
                ctable.add_row(
                    escape(str(cat)),
                    f"{int(row['women']):,}",
                    f"{int(row['men']):,}",
                    _pct(row["women_share"]),
                )
            console.print(ctable)
        _print_force_in_place(scenario)
        pledges = pledges_by_level(scenario)
        head = pledge_landscape(scenario)
        ptable = Table(
            title=f"Pledges: {head['units']} units in {head['records']} pledges from "
            f"{head['contributors']} contributors, by unit type and PCRS level"
        )
        for col in ("unit type", "name", "L1", "L2", "L3", "RDL", "total"):
            ptable.add_column(col, justify="left" if col in ("unit type", "name") else "right")
        for uid, row in pledges.iterrows():
            ptable.add_row(
                escape(str(uid)),
                escape(str(row["name"])),
                *(str(row[c]) for c in ("L1", "L2", "L3", "RDL", "total")),
            )
        console.print(ptable)
        basis = basis_summary(scenario)
        illustrative = basis.loc[basis["basis"].isin(["illustrative", "assumed"])]
        if not illustrative.empty:
            per_table = illustrative.groupby("table", sort=False)["rows"].sum()
            parts = escape(", ".join(f"{name} {rows}" for name, rows in per_table.items()))
            console.print(
                f"[yellow]Illustrative data:[/] some rows are built from public facts "
                f"or assumed, not real UN records ({parts} rows). Each row's 'basis' "
                "and 'source' say which and why."
            )


def _print_force_in_place(scenario: ScenarioView) -> None:
    """The force in place per mission at the planning start (if the scenario has one)."""
    import pandas as pd

    from bluehelmet.statistics.scenario import force_in_place

    fip = force_in_place(scenario)
    if fip.empty:
        return
    start = pd.Timestamp(scenario.param("planning_start")).date().isoformat()
    table = Table(title=f"Force in place on {start}: units and personnel in place per mission")
    for col in (
        "mission",
        "units",
        "personnel",
        "of which catalogue size",
        "arriving later",
        "leaving in horizon",
    ):
        table.add_column(col, justify="left" if col == "mission" else "right")
    for mid, row in fip.iterrows():
        table.add_row(
            escape(str(mid)),
            *(
                f"{int(row[c]):,}"
                for c in ("units", "personnel", "personnel_catalogue", "arriving", "leaving")
            ),
        )
    table.add_section()
    table.add_row(
        "total",
        *(
            f"{int(fip[c].sum()):,}"
            for c in ("units", "personnel", "personnel_catalogue", "arriving", "leaving")
        ),
    )
    console.print(table)
    moved = scenario.units_in_place["pledge_id"].dropna()
    if len(moved):
        console.print(
            f"{len(moved)} pledge records describe units of the force in place "
            "(units_in_place.pledge_id); the planner of this release still reads them "
            "as pledges."
        )


@app.command("export")
def export(
    name_or_dir: str = typer.Argument(..., help="Bundled scenario name or folder."),
    to: Path = typer.Option(
        ...,
        "--to",
        help="Where to write: a folder of CSV files (csv) or "
        "an Excel workbook, one sheet per table (xlsx; e.g. my-2018.xlsx).",
    ),
    file_format: Literal["csv", "xlsx"] = typer.Option(
        "csv", "--format", help="Scenario folder or Excel workbook."
    ),
    org: str | None = OrgOption,
    clearance: str | None = ClearanceOption,
) -> None:
    """Write a scenario as the reader may see it to a folder or workbook, to edit or share it.

    Only the records the reader may see are written (by default the public reader's:
    unclassified records only); each file's .marking.json sidecar gives its highest classification.
    """
    from bluehelmet.scenario.io import load_view, save_scenario

    source = scenario_source(name_or_dir)
    if source is not None and same_file(to, source):
        raise typer.BadParameter(
            f"{to} is the scenario being exported; writing it would replace it with what "
            f"{'the reader' if org else 'the public reader'} may see. Give a new "
            f"{'folder' if file_format == 'csv' else 'workbook'} name "
            f"(e.g. {to.parent / ('copy-of-' + to.name)})",
            param_hint="--to",
        )
    if file_format == "csv":
        out_folder(to)
    elif to.is_dir():
        raise typer.BadParameter(
            f"{to} is a folder; give a workbook name such as {to.name}.xlsx", param_hint="--to"
        )
    with cli_errors():
        reader = reader_context(org, clearance)
        view = load_view(name_or_dir, reader)
        if file_format == "xlsx":
            from bluehelmet.model.marking import stamp
            from bluehelmet.scenario.excel import save_workbook

            save_workbook(view, to)
            stamp(to.parent, view.marking, [to.name], reader=reader)
        else:
            save_scenario(view, to)
    console.print(
        f"wrote scenario {view.name} to {to} as {reader.organisation} "
        f"({reader.clearance.label}) sees it; marking {view.marking.label}",
        markup=False,
    )
