"""``bluehelmet scenario``: show, export and validate scenarios."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer
from rich.table import Table

from bluehelmet.cli.common import ClearanceOption, OrgOption, cli_errors, console, reader_context
from bluehelmet.scenario.io import bundled_scenarios, load_scenario, save_scenario
from bluehelmet.statistics.scenario import (
    basis_summary,
    mission_strength,
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
        table = Table(title="Missions: uniformed personnel at the latest reporting date")
        for col in ("mission", "name", "date", "authorised", "deployed", "women", "women %",
                    "contributors"):
            table.add_column(col, justify="right" if col not in ("mission", "name") else "left")
        for mid, row in strength.iterrows():
            date = "-" if pd.isna(row["date"]) else pd.Timestamp(row["date"]).date().isoformat()
            auth = "-" if not row["authorised"] else f"{row['authorised']:,.0f}"
            table.add_row(str(mid), str(row["name"]), date, auth, f"{row['total']:,}",
                          f"{row['women']:,}", _pct(row["women_share"]), str(row["contributors"]))
        table.add_section()
        table.add_row("total", "", "", f"{strength['authorised'].sum():,.0f}",
                      f"{strength['total'].sum():,}", f"{strength['women'].sum():,}",
                      _pct(strength["women"].sum() / max(strength["total"].sum(), 1)),
                      str(scenario.deployments["contributor_id"].nunique()))
        console.print(table)
        cats = strength_by_category(scenario, reader)
        ctable = Table(title="Women's share by personnel category (UGPS)")
        for col in ("category", "women", "men", "women %"):
            ctable.add_column(col, justify="left" if col == "category" else "right")
        for cat, row in cats.iterrows():
            ctable.add_row(str(cat), f"{row['women']:,}", f"{row['men']:,}",
                           _pct(row["women_share"]))
        console.print(ctable)
        pledges = pledges_by_level(scenario, reader)
        ptable = Table(title="Pledged units by unit type and PCRS level")
        for col in ("unit type", "name", "L1", "L2", "L3", "RDL", "total"):
            ptable.add_column(col, justify="left" if col in ("unit type", "name") else "right")
        for uid, row in pledges.iterrows():
            ptable.add_row(str(uid), str(row["name"]), *(str(row[c]) for c in
                                                          ("L1", "L2", "L3", "RDL", "total")))
        console.print(ptable)
        basis = basis_summary(scenario, reader)
        illustrative = basis.loc[basis["basis"].isin(["illustrative", "assumed"])]
        if not illustrative.empty:
            parts = ", ".join(f"{r.table}: {r.rows}" for r in illustrative.itertuples())
            console.print(f"[yellow]Illustrative data:[/] rows built from public facts, not real "
                          f"UN records ({parts}). See each row's 'source' for its basis.")


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
