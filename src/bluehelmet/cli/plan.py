"""``bluehelmet plan``: force generation from the command line."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from bluehelmet.cli.checks import out_folder, refuse_scenario_folder
from bluehelmet.cli.common import (
    ClearanceOption,
    OrgOption,
    cli_errors,
    console,
    field_option,
    horizon_option,
    reader_context,
)
from bluehelmet.cli.output import JsonOption, print_json, progress
from bluehelmet.errors import DataError, Problem
from bluehelmet.forcegen.options import PlanOptions, SolveOptions

if TYPE_CHECKING:
    from bluehelmet.forcegen.result import Plan
    from bluehelmet.forcegen.scenarios import Override
    from bluehelmet.forcegen.solve import StageResult

#: Defaults shown in the help come from the options objects themselves.
PLAN_DEFAULTS, SOLVE_DEFAULTS = PlanOptions(), SolveOptions()

STAGE_LABELS = {
    "unmet": "coverage (weighted unmet requirement-months)",
    "cost": "cost (MUSD)",
    "gender": "gender shortfall (person-months)",
}


def _gap(value: object) -> str:
    """A gap as a percentage; ``None`` (no bound known) as ``unknown``."""
    return "unknown" if value is None else f"{float(value):.2%}"  # type: ignore[arg-type]


def _bound(value: object) -> str:
    """A stage's bound; ``None`` (no bound known) as ``none``."""
    return "none" if value is None else f"{float(value):,.4g}"  # type: ignore[arg-type]


def _date(value: object, fmt: str) -> str:
    """A timestamp as text; a missing one as empty."""
    import pandas as pd  # here, not at the top: --help must not load pandas

    if value is None or value is pd.NaT or not isinstance(value, (str, pd.Timestamp)):
        return ""
    return pd.Timestamp(value).strftime(fmt)


def _print_result(name: str, result: Plan) -> None:
    s = result.summary.to_dict()
    console.print(
        f"[bold]{escape(name)}[/]: status [bold]{s['status']}[/], MIP gap "
        f"{_gap(s['mip_gap'])}, solved in {s['solve_seconds']:.1f} s "
        f"(build {s['build_seconds']:.1f} s)"
    )
    stages = s.get("stages", [])
    if s["status"] != "optimal" and isinstance(stages, list):
        console.print(
            "  not proven optimal; by objective stage: "
            + ", ".join(
                f"{st['stage']} {st['status']} (gap {_gap(st['mip_gap'])}, bound "
                f"{_bound(st['bound'])})"
                for st in stages
            )
        )
        if any(st["status"] == "node_limit" for st in stages):
            console.print(
                "  (node_limit: the stage searched its node budget, --node-limit; the same "
                "plan on any machine under any load)"
            )
        if any(st["status"] == "time_limit" for st in stages):
            console.print("  (time_limit: stopped by --time-limit; may differ under another load)")
    console.print(
        f"  unmet requirement-months {s['unmet_requirement_months']:.0f} of "
        f"{s['required_requirement_months']:.0f} (weighted "
        f"{s['weighted_unmet_requirement_months']:.0f}; greedy baseline "
        f"{s['greedy_objective']:.0f}); cost US${s['total_cost_usd'] / 1e6:,.1f} m; "
        f"{s['units_deployed']} units from {s['pledges_used']} of {s['pledges']} pledges"
    )
    gaps = (
        result.gaps[result.gaps["unmet_unit_months"] > 0]
        .sort_values("weighted_unmet", ascending=False)
        .head(10)
    )
    if len(gaps):
        t = Table(title="Largest gaps")
        for col in ("mission", "unit type", "priority", "unmet unit-months", "from"):
            t.add_column(col)
        for g in gaps.itertuples():
            t.add_row(
                escape(str(g.mission_id)),
                escape(str(g.unit_type_id)),
                str(g.priority),
                f"{g.unmet_unit_months:.0f}",
                _date(g.first_gap_month, "%Y-%m"),
            )
        console.print(t)
    note = result.capability_requirements
    if len(note):
        t = Table(title="Capability requirements (rank: equal values share a rank)")
        for col in (
            "rank",
            "status",
            "mission",
            "unit type",
            "units",
            "from",
            "request RDL by",
            "closes",
        ):
            t.add_column(col)
        for a in note.head(8).itertuples():
            t.add_row(
                str(a.rank),
                str(a.status),
                escape(str(a.mission_id)),
                escape(str(a.unit_type)),
                str(a.units),
                _date(a.time_from, "%Y-%m"),
                _date(a.request_by_RDL, "%Y-%m-%d"),
                f"{a.closes_weighted:.0f}",
            )
        console.print(t)
    if s.get("notice"):
        console.print(f"[yellow]{s['notice']}[/]")


def _check_names(overrides: list[Override]) -> None:
    """Two overrides with one name (or one folder) would overwrite each other's plan."""
    seen: dict[str, str] = {}
    problems = []
    for ov in overrides:
        for key in {ov.name.casefold(), ov.slug.casefold()}:
            if key in seen:
                problems.append(
                    Problem(
                        ov.file,
                        None,
                        "name",
                        ov.name,
                        f"the same name (or output folder) as {seen[key]}",
                        "give each override its own name",
                    )
                )
            seen.setdefault(key, ov.file)
    if problems:
        raise DataError(problems)


def plan_command(
    scenario: str = typer.Argument(..., help="Bundled scenario name or scenario folder."),
    out: Path = typer.Option(
        ..., "--out", callback=out_folder, help="Folder for the plan tables and summary.json."
    ),
    override: list[Path] = typer.Option(
        [],
        "--override",  # noqa: B008
        help="Override TOML file(s); each is planned and compared with the base.",
    ),
    horizon: int | None = horizon_option(),
    explain: bool = field_option(PLAN_DEFAULTS, "explain"),
    smart_pledging: bool = field_option(
        PLAN_DEFAULTS,
        "smart_pledging",
        "--capability-requirements/--no-capability-requirements",
    ),
    sensitivities: bool = field_option(PLAN_DEFAULTS, "sensitivities"),
    max_asks: int = field_option(PLAN_DEFAULTS, "max_asks", min=0),
    time_limit: float = typer.Option(
        0.0,
        "--time-limit",
        min=0.0,
        help="Wall-clock seconds for the whole command: every "
        "plan (base and overrides), its stages and what-ifs. Replaces the node budget by "
        "shares of the time: a plan it stops may differ under another load (0: no time "
        "limit, the deterministic node budget).",
    ),
    node_limit: int = field_option(SOLVE_DEFAULTS, "node_limit", min=0),
    mip_rel_gap: float = field_option(SOLVE_DEFAULTS, "mip_rel_gap", min=0.0, max=0.99),
    warm_start_later_stages: bool = field_option(SOLVE_DEFAULTS, "warm_start_later_stages"),
    same_gaps_above_columns: int = field_option(SOLVE_DEFAULTS, "same_gaps_above_columns", min=0),
    same_gaps_share: float = field_option(SOLVE_DEFAULTS, "same_gaps_share"),
    restrict_above_columns: int = field_option(SOLVE_DEFAULTS, "restrict_above_columns", min=0),
    restricted_share: float = field_option(SOLVE_DEFAULTS, "restricted_share"),
    lp_share: float = field_option(SOLVE_DEFAULTS, "lp_share"),
    reduced_cost_fixing: bool = field_option(SOLVE_DEFAULTS, "reduced_cost_fixing"),
    lagrangian_share: float = field_option(SOLVE_DEFAULTS, "lagrangian_share", min=0.0, max=0.99),
    org: str | None = OrgOption,
    clearance: str | None = ClearanceOption,
    json_output: bool = JsonOption,
) -> None:
    """Plan which pledged units deploy where and when; write tables and print a summary."""
    from bluehelmet.forcegen import apply_overrides, compare_plans, load_override, plan
    from bluehelmet.io.write import confined
    from bluehelmet.output import write_folder
    from bluehelmet.scenario.io import load_view

    refuse_scenario_folder("--out", out, scenario)
    with cli_errors():
        try:
            # One flag per field of both options objects (field_option); --time-limit 0 is none.
            given = {**locals(), "time_limit": time_limit or None}
            options = PlanOptions(
                **{f.name: given[f.name] for f in fields(PlanOptions) if f.name != "solve"},
                solve=SolveOptions(**{f.name: given[f.name] for f in fields(SolveOptions)}),
            )
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
        reader = reader_context(org, clearance)
        view = load_view(scenario, reader)
        loaded = [load_override(path) for path in override]
        _check_names(loaded)
        runs = [("base", ())] + [(ov.name, (ov,)) for ov in loaded]
        folders = {"base": out, **{ov.name: confined(out, ov.slug) for ov in loaded}}
        for _, ovs in runs[1:]:
            apply_overrides(view, list(ovs))  # fail before solving anything
        results: dict[str, Plan] = {}
        deadline = time.perf_counter() + time_limit if time_limit else None
        for i, (name, ovs) in enumerate(runs):
            if deadline is not None:
                # One budget for the command: each plan gets an equal share of what is left.
                left = max(0.1, (deadline - time.perf_counter()) / (len(runs) - i))
                options = options.with_solve(time_limit=left)
            with progress(f"{name}: building the model") as update:

                def show(
                    stage: str,
                    res: StageResult | None,
                    update: Callable[[str], None] = update,
                    name: str = name,
                ) -> None:
                    label = STAGE_LABELS.get(stage, stage)
                    if res is None:
                        update(f"{name}: solving {label}")
                    else:
                        update(f"{name}: {label} {res.objective:,.1f} ({res.status}); explaining")

                results[name] = plan(view, options, overrides=ovs, progress=show)
        folders = {name: result.write(folders[name]) for name, result in results.items()}
        table = compare_plans(results) if len(results) > 1 else None
        if table is not None:
            marking = max(r.view.marking for r in results.values())
            write_folder(
                out,
                {"comparison": table},
                marking=marking,
                reader=reader,
                source=f"comparison of plans of scenario {view.name}",
            )
        if json_output:
            # The base plan's summary at the top level; each override's beside it.
            data = {**results["base"].summary.to_dict(), "folder": str(folders["base"])}
            if table is not None:
                data["overrides"] = {
                    name: {**r.summary.to_dict(), "folder": str(folders[name])}
                    for name, r in results.items()
                    if name != "base"
                }
                data["comparison"] = table.reset_index().to_dict("records")
            print_json(data)
            return
        for name, result in results.items():
            _print_result(name, result)
            console.print(f"  tables written to {folders[name]}", markup=False)
        if table is not None:
            t = Table(title="Scenarios side by side")
            t.add_column("figure")
            for name in table.columns:
                t.add_column(escape(str(name)), justify="right")
            for fig, row in table.iterrows():
                t.add_row(str(fig), *[f"{v:,.2f}" if isinstance(v, float) else str(v) for v in row])
            console.print(t)
