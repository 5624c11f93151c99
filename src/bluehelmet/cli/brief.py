"""``bluehelmet brief``: a Council-ready briefing (HTML and PDF) from a scenario and its plan."""

from __future__ import annotations

from pathlib import Path

import typer

from bluehelmet.cli.common import ClearanceOption, OrgOption, cli_errors, console, reader_context


def brief(
    scenario: str = typer.Argument(..., help="Bundled scenario name (e.g. 2018) or folder."),
    out: Path = typer.Option(..., "--out", help="Folder to write brief.html, brief.pdf and "
                             "tables/ into (created if needed)."),
    override: list[Path] = typer.Option(  # noqa: B008 - typer declares options this way
        [], "--override", help="Override file applied to the scenario before planning "
        "(repeatable; see the force planner's docs)."),
    time_limit: float | None = typer.Option(None, "--time-limit", help="Solver time limit, "
                                            "seconds [default: 12]."),
    hotspots: bool = typer.Option(False, "--hotspots", help="Map the Getis-Ord hotspots of "
                                  "civilian deaths in the bundled UCDP events in the missions' "
                                  "host countries (about 2 s)."),
    protect: list[str] = typer.Option(  # noqa: B008
        [], "--protect", help="Mission whose early-warning risk hotspots and protection "
        "coverage to map (repeatable; runs the protection analysis, tens of seconds each)."),
    asks: int = typer.Option(8, "--asks", min=0, help="Gaps for which the value of one more "
                             "unit is measured (one re-solve each): the smart-pledging list."),
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="Also write brief.pdf (WeasyPrint)."),
    org: str | None = OrgOption,
    clearance: str | None = ClearanceOption,
) -> None:
    """Write a briefing on SCENARIO: summary, coverage, smart pledging, gender, money, map."""
    from bluehelmet.brief.assemble import BriefOptions
    from bluehelmet.brief.layers import merge_layers, protection_layers, ucdp_hotspots
    from bluehelmet.brief.make import make_brief
    from bluehelmet.scenario.io import load_view

    with cli_errors():
        reader = reader_context(org, clearance)
        view = load_view(scenario, reader)
        options = BriefOptions()
        if hotspots:
            options = merge_layers(options, ucdp_hotspots(view))
        if protect:
            options = merge_layers(options, protection_layers(view, protect))
        files = make_brief(view, out, time_limit=time_limit,
                           overrides=list(override), options=options, pdf=pdf, max_asks=asks)
        solver = files.brief.context["solver"] if files.brief else {}
        console.print(f"wrote {files.html}" + (f" and {files.pdf} ({files.pages} pages)"
                                               if files.pdf else ""))
        console.print(f"tables: {files.tables}")
        console.print(f"plan: status {solver.get('status', '?')}, gap "
                      f"{100 * float(solver.get('mip_gap', float('nan'))):.3f}%; "
                      + ", ".join(f"{k} {v:.1f} s" for k, v in files.seconds.items()))
        if files.brief and files.brief.context["illustrative"]["uses"]:
            console.print("[yellow]The brief uses illustrative data and says so on every "
                          "page.[/]")
