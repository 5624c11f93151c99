"""``bluehelmet scenario``: show, export and validate scenarios."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer
from rich.table import Table

from bluehelmet.cli.common import ClearanceOption, OrgOption, cli_errors, console, reader_context
from bluehelmet.model.access import AccessContext
from bluehelmet.scenario.core import Scenario
from bluehelmet.scenario.io import bundled_scenarios, load_scenario, save_scenario
from bluehelmet.statistics.scenario import (
    basis_summary,
    force_in_place,
    latest_deployments,
    mission_strength,
    pledge_landscape,
    pledges_by_level,
    strength_by_category,
)

app = typer.Typer(help="Show, export and list scenarios.", no_args_is_help=True)


def _pct(value: float) -> str:
    return "-" if pd.isna(value) else f"{100 * value:.1f}%"


@app.command("list")
def list_scenarios() -> None:
    """List the scenarios bundled with the package."""
    for name in bundled_scenarios():
        console.print(name)


@app.command("show")
def show(
    name_or_dir: str = typer.Argument(..., help="Bundled scenario name (e.g. 2018) or folder."),
    org: str | None = OrgOption,
    clearance: str | None = ClearanceOption,
) -> None:
    """Show a scenario: missions, strength, women's share, pledges by level and unit type."""
    with cli_errors():
        scenario = load_scenario(name_or_dir)
        reader = reader_context(org, clearance)
        title = scenario.meta.get("title", scenario.name)
        console.print(f"[bold]{title}[/]  (scenario {scenario.name}; reading as "
                      f"{reader.organisation}, {reader.clearance.label})")
        strength = mission_strength(scenario, reader)
        dates = strength["date"].dropna()
        when = pd.Timestamp(dates.max()).date().isoformat() if len(dates) else "no date"
        table = Table(title=f"Missions: uniformed personnel deployed ({when})")
        for col in ("mission", "host", "authorised", "deployed", "women", "women %",
                    "contributors"):
            table.add_column(col, justify="left" if col in ("mission", "host") else "right")
        for mid, row in strength.iterrows():
            auth = "-" if not row["authorised"] else f"{row['authorised']:,.0f}"
            host = "" if pd.isna(row["host_iso3"]) else str(row["host_iso3"])
            table.add_row(str(mid), host, auth, f"{row['total']:,}", f"{row['women']:,}",
                          _pct(row["women_share"]), str(row["contributors"]))
        table.add_section()
        table.add_row("total", "", f"{strength['authorised'].sum():,.0f}",
                      f"{strength['total'].sum():,}", f"{strength['women'].sum():,}",
                      _pct(strength["women"].sum() / max(strength["total"].sum(), 1)),
                      str(latest_deployments(scenario, reader)["contributor_id"].nunique()))
        console.print(table)
        cats = strength_by_category(scenario, reader)
        if not cats.empty:
            ctable = Table(title="Women's share by personnel category (UGPS)")
            for col in ("category", "women", "men", "women %"):
                ctable.add_column(col, justify="left" if col == "category" else "right")
            for cat, row in cats.iterrows():
                ctable.add_row(str(cat), f"{int(row['women']):,}", f"{int(row['men']):,}",
                               _pct(row["women_share"]))
            console.print(ctable)
        _print_force_in_place(scenario, reader)
        pledges = pledges_by_level(scenario, reader)
        head = pledge_landscape(scenario, reader)
        ptable = Table(title=f"Pledges: {head['units']} units in {head['records']} pledges from "
                       f"{head['contributors']} contributors, by unit type and PCRS level")
        for col in ("unit type", "name", "L1", "L2", "L3", "RDL", "total"):
            ptable.add_column(col, justify="left" if col in ("unit type", "name") else "right")
        for uid, row in pledges.iterrows():
            ptable.add_row(str(uid), str(row["name"]), *(str(row[c]) for c in
                                                          ("L1", "L2", "L3", "RDL", "total")))
        console.print(ptable)
        basis = basis_summary(scenario, reader)
        illustrative = basis.loc[basis["basis"].isin(["illustrative", "assumed"])]
        if not illustrative.empty:
            per_table = illustrative.groupby("table", sort=False)["rows"].sum()
            parts = ", ".join(f"{name} {rows}" for name, rows in per_table.items())
            console.print(f"[yellow]Illustrative data:[/] some rows are built from public facts "
                          f"or assumed, not real UN records ({parts} rows). Each row's 'basis' "
                          "and 'source' say which and why.")


def _print_force_in_place(scenario: Scenario, reader: AccessContext) -> None:
    """The force in place per mission at the planning start (if the scenario has one)."""
    fip = force_in_place(scenario, reader)
    if fip.empty:
        return
    start = pd.Timestamp(scenario.param("planning_start")).date().isoformat()
    table = Table(title=f"Force in place on {start}: units and personnel in place per mission")
    for col in ("mission", "units", "personnel", "of which catalogue size", "arriving later",
                "leaving in horizon"):
        table.add_column(col, justify="left" if col == "mission" else "right")
    for mid, row in fip.iterrows():
        table.add_row(str(mid), *(f"{int(row[c]):,}" for c in
                                  ("units", "personnel", "personnel_catalogue", "arriving",
                                   "leaving")))
    table.add_section()
    table.add_row("total", *(f"{int(fip[c].sum()):,}" for c in
                             ("units", "personnel", "personnel_catalogue", "arriving",
                              "leaving")))
    console.print(table)
    moved = scenario.units_in_place["pledge_id"].dropna()
    if len(moved):
        console.print(f"{len(moved)} pledge records describe units of the force in place "
                      "(units_in_place.pledge_id); the planner of this release still reads them "
                      "as pledges.")


@app.command("export")
def export(
    name_or_dir: str = typer.Argument(..., help="Bundled scenario name or folder."),
    to: Path = typer.Option(..., "--to", help="Folder to write the scenario to."),
) -> None:
    """Write a scenario (e.g. a bundled one) to a folder, to edit or share it."""
    with cli_errors():
        scenario = load_scenario(name_or_dir)
        save_scenario(scenario, to)
        console.print(f"wrote scenario {scenario.name} to {to}")
