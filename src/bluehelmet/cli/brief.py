"""``bluehelmet brief``: a Council-ready briefing (HTML and PDF) from a scenario and its plan."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import typer

from bluehelmet.cli.checks import out_folder, refuse_scenario_folder
from bluehelmet.cli.common import (
    ClearanceOption,
    OrgOption,
    cli_errors,
    console,
    horizon_option,
    reader_context,
)
from bluehelmet.cli.output import JsonOption, print_json, progress


def brief(
    scenario: str = typer.Argument(..., help="Bundled scenario name (e.g. 2018) or folder."),
    out: Path = typer.Option(
        ...,
        "--out",
        callback=out_folder,
        help="Folder to write brief.html, brief.pdf and tables/ into (created if needed).",
    ),
    override: list[Path] = typer.Option(  # noqa: B008 - typer declares options this way
        [],
        "--override",
        help="Override file applied to the scenario before planning "
        "(repeatable; see the force planner's docs).",
    ),
    plan_folder: Path | None = typer.Option(
        None,
        "--plan",
        help="Plan folder written by 'bluehelmet plan --out DIR' to brief on instead of "
        "planning again; it must have been made on the same scenario, overrides, horizon, "
        "reader and solve options (checked against its summary.json fingerprint).",
    ),
    horizon: int | None = horizon_option(),
    time_limit: float | None = typer.Option(
        None,
        "--time-limit",
        min=0.1,
        show_default="none: the deterministic node budget, the same plan under any load",
        help="Wall-clock seconds for the brief's plan (replaces the node budget; a plan it "
        "stops may differ under another load).",
    ),
    node_limit: int | None = typer.Option(
        None,
        "--node-limit",
        min=0,
        show_default="as bluehelmet plan",
        help="Branch-and-bound nodes per objective stage (0: none, every stage proven).",
    ),
    hotspots: bool = typer.Option(
        False,
        "--hotspots",
        help="Map the Getis-Ord hotspots of "
        "civilian deaths in the bundled UCDP events in the missions' "
        "host countries (about 2 s).",
    ),
    protect: list[str] = typer.Option(  # noqa: B008
        [],
        "--protect",
        help="Mission whose early-warning risk hotspots and protection "
        "coverage to map (repeatable; runs the protection analysis, tens of seconds each).",
    ),
    asks: int = typer.Option(
        8,
        "--asks",
        min=0,
        help="Gaps for which the value of one more "
        "unit is measured (one re-solve each): the smart-pledging list.",
    ),
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="Also write brief.pdf (WeasyPrint)."),
    risk: Path | None = typer.Option(
        None,
        "--risk",
        help="Folder of a risk run ('bluehelmet risk ... --out DIR'): adds a robustness page.",
    ),
    contributor: str | None = typer.Option(
        None,
        "--contributor",
        help="Add the page of one contributor (ISO3 code, e.g. NLD): "
        "what is asked of it, the fate of each pledge and why, its women's share against the "
        "targets, its rank among contributors.",
    ),
    lang: str = typer.Option(
        "en", "--lang", help="Language of the brief: en or fr (the figures are the same)."
    ),
    org: str | None = OrgOption,
    clearance: str | None = ClearanceOption,
    json_output: bool = JsonOption,
) -> None:
    """Write a briefing on SCENARIO: summary, coverage, pledging, women, money, map, themes.

    With --contributor, adds that contributor's page; with --lang fr, the brief is in French.
    """
    from bluehelmet.brief.assemble import BriefOptions
    from bluehelmet.brief.i18n import check_language
    from bluehelmet.brief.layers import merge_layers, protection_layers, ucdp_hotspots
    from bluehelmet.brief.make import make_brief
    from bluehelmet.scenario.io import load_view
    from bluehelmet.statistics.solver import solver_stages

    refuse_scenario_folder("--out", out, scenario)
    with cli_errors(), progress("loading the scenario") as update:
        try:
            check_language(lang)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--lang") from exc
        reader = reader_context(org, clearance)
        view = load_view(scenario, reader)
        if contributor and contributor.upper() not in set(view.contributors["id"].astype(str)):
            raise typer.BadParameter(
                f"{contributor!r}: no contributor with this id among those you may see "
                "(contributors.csv, column id); give an ISO3 code such as NLD",
                param_hint="--contributor",
            )
        options = BriefOptions()
        if risk is not None:
            from bluehelmet.brief.robustness import read_risk

            options = dataclasses.replace(options, risk=read_risk(risk))
        if hotspots:
            update("hotspots of civilian deaths (UCDP)")
            options = merge_layers(options, ucdp_hotspots(view))
        if protect:
            update(f"protection analysis of {', '.join(protect)}")
            options = merge_layers(options, protection_layers(view, protect))
        options = dataclasses.replace(
            options, lang=lang, contributor=contributor.upper() if contributor else None
        )
        files = make_brief(
            view,
            out,
            plan_folder=plan_folder,
            time_limit=time_limit,
            horizon=horizon,
            node_limit=node_limit,
            overrides=list(override),
            options=options,
            pdf=pdf,
            max_asks=asks,
            progress=update,
        )
    solver = files.brief.context["solver"] if files.brief else {}
    illustrative = bool(files.brief and files.brief.context["illustrative"]["uses"])
    if json_output:
        print_json(
            {
                "html": str(files.html),
                "pdf": None if files.pdf is None else str(files.pdf),
                "pages": files.pages,
                "tables": str(files.tables),
                "solver": solver,
                "seconds": files.seconds,
                "uses_illustrative_data": illustrative,
            }
        )
        return
    console.print(
        f"wrote {files.html}" + (f" and {files.pdf} ({files.pages} pages)" if files.pdf else ""),
        markup=False,
    )
    console.print(f"tables: {files.tables}", markup=False)
    stages = solver_stages(solver)
    console.print(
        "plan: "
        + "; ".join(
            f"{stage} {status}, gap "
            + (f"{100 * float(gap):.2f}%" if known else "unknown (no bound)")
            for stage, status, gap, known in zip(
                stages["stage"],
                stages["status"],
                stages["mip_gap"],
                stages["gap_known"],
                strict=True,
            )
        )
        + "; "
        + ", ".join(f"{k} {v:.1f} s" for k, v in files.seconds.items())
    )
    if illustrative:
        console.print("[yellow]The brief uses illustrative data and says so on every page.[/]")
