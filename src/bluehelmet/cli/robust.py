"""``bluehelmet sweep`` and ``bluehelmet risk``: many plans, on this machine or a Dask cluster."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bluehelmet.cli.checks import out_folder, refuse_scenario_folder
from bluehelmet.cli.common import ClearanceOption, OrgOption, cli_errors, console, reader_context

if TYPE_CHECKING:
    from bluehelmet.model.access import AccessContext
    from bluehelmet.robust.executor import Executor
    from bluehelmet.scenario.core import Scenario

SchedulerOption = typer.Option(
    None,
    "--scheduler",
    help="Dask scheduler address (tcp://host:8786) to run the solves on a "
    "cluster (environment variable BLUEHELMET_DASK_SCHEDULER; default: a local process pool).",
)
WorkersOption = typer.Option(
    None,
    "--workers",
    help="Local worker processes (default: the CPUs available); ignored with --scheduler.",
)


def sweep_command(
    scenario: str = typer.Argument(..., help="Bundled scenario name or scenario folder."),
    grid: Path = typer.Option(
        ..., "--grid", help="Grid TOML: the axes of parameter changes (see docs/robustness.md)."
    ),
    out: Path = typer.Option(
        ...,
        "--out",
        callback=out_folder,
        help="Folder for sweep.parquet, sweep.csv, charts "
        "and the per-variant results (a re-run resumes from them).",
    ),
    scheduler: str | None = SchedulerOption,
    workers: int | None = WorkersOption,
    org: str | None = OrgOption,
    clearance: str | None = ClearanceOption,
) -> None:
    """Plan every combination of a grid's parameter changes; write one tidy table and charts."""
    from bluehelmet.robust.charts import sweep_charts
    from bluehelmet.robust.grid import load_grid
    from bluehelmet.robust.sweep import run_sweep

    refuse_scenario_folder("--out", out, scenario)
    with _many_plans(scenario, org, clearance, workers, scheduler) as run:
        g = load_grid(grid)
        assert run.executor is not None
        with _bar() as bar:
            task = bar.add_task(
                f"{len(g.variants)} variants on {run.executor.workers} "
                f"{run.executor.name} worker(s)",
                total=None,
            )
            result = run_sweep(
                run.base,
                run.reader,
                g,
                out,
                run.executor,
                progress=lambda i, n: bar.update(task, completed=i, total=n),
            )
        charts = sweep_charts(result.table, out / "charts")
        _stamp(run, out, [out / "sweep.parquet", out / "sweep.csv", *charts], "sweep")
        wide = result.table.pivot_table(
            index="variant", columns="figure", values="value", aggfunc="first", sort=False
        )
        t = Table(
            title=f"Sweep {g.name}: {len(g.variants)} variants ({len(result.solved)} solved now)"
        )
        for col in ("variant", "unmet req.-months", "cost US$ m", "women %", "status"):
            t.add_column(col)
        first = result.table.drop_duplicates("variant")
        status = dict(zip(first["variant"].astype(str), first["status"].astype(str), strict=True))
        for name, row in wide.head(30).iterrows():
            t.add_row(
                str(name),
                f"{row['unmet_requirement_months']:,.0f}",
                f"{row['total_cost_usd'] / 1e6:,.1f}",
                f"{row['women_share']:.1%}",
                status[str(name)],
            )
        console.print(t)
        errors = result.table.drop_duplicates("variant")
        errors = errors[errors["error"].fillna("") != ""]
        for e in errors.itertuples():
            console.print(f"[red]failed[/] {e.variant}: {e.error}")
        console.print(
            f"table: {out / 'sweep.parquet'} and sweep.csv; charts: "
            f"{', '.join(p.name for p in charts)}"
        )


def risk_command(
    scenario: str = typer.Argument(..., help="Bundled scenario name or scenario folder."),
    out: Path = typer.Option(..., "--out", callback=out_folder, help="Folder for the risk tables."),
    draws: int = typer.Option(200, "--draws", min=1, help="Number of disruption draws."),
    seed: int = typer.Option(
        1,
        "--seed",
        help="Seed; draw i uses SeedSequence(seed, "
        "spawn_key=(0, i)), so the same seed gives the same tables.",
    ),
    model: Path | None = typer.Option(
        None,
        "--model",
        help="Risk model TOML changing the "
        "disruption parameters (per mission, contributor, "
        "pledge).",
    ),
    replan: bool = typer.Option(
        False,
        "--replan",
        help="Also re-plan every draw knowing its "
        "disruptions (one solve per draw, through the executor).",
    ),
    robust: bool = typer.Option(
        False,
        "--robust",
        help="Also plan robustly against training "
        "draws and compare with the nominal plan under the same draws.",
    ),
    robust_draws: int = typer.Option(
        20, "--robust-draws", min=1, help="Training draws of the robust plan."
    ),
    horizon: int | None = typer.Option(None, "--horizon", help="Months to plan."),
    time_limit: float = typer.Option(
        0.0,
        "--time-limit",
        min=0.0,
        help="Solver seconds per plan (0: no limit, every plan proven optimal, so the same "
        "seed gives the same tables on any machine and load).",
    ),
    robust_time_limit: float = typer.Option(
        0.0,
        "--robust-time-limit",
        min=0.0,
        help="Solver seconds for the robust plan (0: no limit, proven optimal).",
    ),
    scheduler: str | None = SchedulerOption,
    workers: int | None = WorkersOption,
    org: str | None = OrgOption,
    clearance: str | None = ClearanceOption,
) -> None:
    """Draw disruptions; report unmet requirement-months, critical holds and critical pledges."""
    from bluehelmet.robust.disruption import load_model
    from bluehelmet.robust.risk import RiskSettings, run_risk

    refuse_scenario_folder("--out", out, scenario)
    with _many_plans(scenario, org, clearance, workers, scheduler, pool=replan) as run:
        dm = load_model(model)
        settings = RiskSettings(
            draws,
            seed,
            horizon,
            time_limit or None,
            replan,
            robust,
            robust_draws,
            robust_time_limit or None,
        )
        result = run_risk(
            run.base,
            run.reader,
            dm,
            settings,
            out,
            run.executor,
            progress=lambda msg: console.print(f"[dim]{msg}[/]"),
        )
        names = [f"{n}{s}" for n in result.tables for s in (".csv", ".parquet")]
        _stamp(run, out, [out / n for n in [*names, "summary.json"]], "risk")
        comp = result.tables["comparison"]
        t = Table(title=f"{draws} draws, seed {seed}: the plans under the same draws")
        t.add_column("figure")
        for name in comp.columns[1:]:
            t.add_column(str(name), justify="right")
        for row in comp.itertuples(index=False):
            t.add_row(str(row[0]), *[f"{v:,.3f}" if abs(v) < 10 else f"{v:,.0f}" for v in row[1:]])
        console.print(t)
        crit = result.tables["criticality"]
        crit = crit[crit["plan"] == "nominal"].head(10)
        t = Table(title="Pledges whose failure costs most (nominal plan)")
        for col in ("rank", "pledge", "missions", "weighted months lost alone", "excess in draws"):
            t.add_column(col)
        for c in crit.itertuples():
            t.add_row(
                str(c.rank),
                str(c.pledge_id),
                str(c.missions),
                f"{c.loss_if_withdrawn:,.0f}",
                f"{c.excess_when_withdrawn:,.0f}",
            )
        console.print(t)
        if result.summary.get("uses_illustrative_data"):
            console.print(
                "[yellow]The scenario uses illustrative records; these figures show "
                "the method, not the real situation.[/]"
            )
        console.print(f"tables written to {out}")


def _stamp(run: _Run, out: Path, files: list[Path], what: str) -> None:
    """Mark the result files with the highest classification the reader's plans read."""
    from bluehelmet.model.marking import MARKING_SUFFIX, stamp

    marking = run.base.view(run.reader).marking
    files = [f.resolve() for f in files if f.is_file() and not f.name.endswith(MARKING_SUFFIX)]
    stamp(out, marking, files, reader=run.reader, source=f"{what} of scenario {run.base.name}")


@dataclass(frozen=True)
class _Run:
    """What both commands start from: the reader, the base scenario, the executor (or none)."""

    reader: AccessContext
    base: Scenario
    executor: Executor | None


@contextmanager
def _many_plans(
    scenario: str,
    org: str | None,
    clearance: str | None,
    workers: int | None,
    scheduler: str | None,
    *,
    pool: bool = True,
) -> Iterator[_Run]:
    """Resolve the reader, load the scenario, start the executor; always stop the executor.

    Errors are reported as the CLI reports them, SIGTERM is treated like Ctrl-C (the results
    written so far are kept). ``pool=False`` runs without an executor (``risk`` without
    ``--replan`` evaluates the fixed plan in this process).
    """
    from bluehelmet.robust.executor import make_executor
    from bluehelmet.scenario.io import load_scenario

    with cli_errors(), _stop_on_term():
        reader = reader_context(org, clearance)
        base = load_scenario(scenario)
        executor = make_executor(workers, scheduler) if pool else None
        try:
            yield _Run(reader, base, executor)
        finally:
            if executor is not None:
                executor.close()


@contextmanager
def _stop_on_term() -> Iterator[None]:
    """Treat SIGTERM (a batch system's kill) like Ctrl-C: stop the workers, keep the results."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    except KeyboardInterrupt:
        console.print(
            "[yellow]interrupted: the results written so far are kept; run the same "
            "command again to go on[/]"
        )
        raise typer.Exit(130) from None
    finally:
        signal.signal(signal.SIGTERM, previous)


def _bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
