"""Make a brief end to end: plan, statistics, charts, HTML, PDF and the tables as CSV."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bluehelmet.brief.assemble import Brief, BriefOptions, collect
from bluehelmet.brief.pdf import write_pdf
from bluehelmet.brief.render import external_references, render_html
from bluehelmet.forcegen.api import plan as make_plan
from bluehelmet.forcegen.options import PlanOptions
from bluehelmet.forcegen.result import Plan, read_plan
from bluehelmet.forcegen.scenarios import apply_overrides, load_override
from bluehelmet.io.write import atomic_file
from bluehelmet.model.marking import stamp
from bluehelmet.output import write_folder
from bluehelmet.plot.style import svg_data_uri
from bluehelmet.scenario.core import ScenarioView

#: Time limit of the brief's plan (wall-clock seconds): none, like ``bluehelmet plan`` and
#: :func:`~bluehelmet.forcegen.api.plan`, so that the brief solves with the same deterministic
#: node budget and shows the same plan as they do, whatever the machine's load (issue 10). A
#: brief can also take a plan already made (``plan=``, or a plan folder: ``plan_folder=``,
#: ``--plan DIR``). ``--time-limit`` trades that for a wall-clock cap; the brief then says
#: which stage was cut and its gap.
BRIEF_TIME_LIMIT: float | None = None


def brief_plan_options(
    time_limit: float | None = None, max_asks: int = 8, node_limit: int | None = None
) -> PlanOptions:
    """The planner options of a brief, with the what-ifs (the brief states them as findings).

    Everything else is :class:`PlanOptions`' and :class:`SolveOptions`' default, as for
    ``bluehelmet plan``, so that both make the same plan.
    """
    opts = PlanOptions(sensitivities=True, max_asks=max_asks).with_solve(
        time_limit=BRIEF_TIME_LIMIT if time_limit is None else time_limit
    )
    return opts if node_limit is None else opts.with_solve(node_limit=node_limit)


def with_horizon(view: ScenarioView, horizon: int | None) -> ScenarioView:
    """``view`` planning ``horizon`` months (a copy; the same view when none is given).

    The brief reads the horizon from the scenario's ``horizon_months`` everywhere (the plan,
    the ceilings at its end, the units leaving within it), so a different horizon is set there.
    """
    if horizon is None or horizon == int(view.param("horizon_months")):
        return view
    out = view.copy()
    out.set_param("horizon_months", horizon, f"brief --horizon {horizon}")
    return out


@dataclass
class BriefFiles:
    """What :func:`make_brief` wrote, and how long each step took (seconds)."""

    html: Path
    pdf: Path | None
    pages: int | None
    tables: Path
    seconds: dict[str, float] = field(default_factory=dict)
    brief: Brief | None = None
    plan: Plan | None = None


def render_brief(brief: Brief) -> str:
    """The brief as one self-contained HTML page (charts embedded as SVG ``data:`` URIs).

    Raises
    ------
    RuntimeError
        If the page would refer to anything outside itself (a bug in a template).
    """
    figures = {name: svg_data_uri(svg) for name, svg in brief.figures.items()}
    html = render_html({**brief.context, "figures": figures})
    external = external_references(html)
    if external:
        raise RuntimeError(f"the brief refers to external resources: {external[:5]}")
    return html


def write_tables(brief: Brief, folder: Path, view: ScenarioView) -> Path:
    """Write every table of the brief as CSV, and the solver summary as JSON, into ``folder``.

    Every file is stamped with the marking of ``view``, the view the brief was made from.
    """
    return write_folder(
        folder,
        brief.tables,
        {"summary": brief.context["solver"]},
        marking=view.marking,
        reader=view.reader,
        source=f"brief on scenario {view.name}",
    )


def make_brief(
    view: ScenarioView,
    out_dir: str | Path,
    *,
    plan: Plan | None = None,
    plan_folder: str | Path | None = None,
    time_limit: float | None = None,
    horizon: int | None = None,
    node_limit: int | None = None,
    overrides: list[Path] | None = None,
    options: BriefOptions | None = None,
    pdf: bool = True,
    max_asks: int = 8,
    progress: Callable[[str], None] | None = None,
) -> BriefFiles:
    """Solve the plan (unless given), then write ``brief.html``, ``brief.pdf`` and ``tables/``.

    Parameters
    ----------
    view
        The scenario to brief on, as the brief's reader may see it (``scenario.view(reader)``):
        only that is planned on and shown.
    out_dir
        Folder to write into (created if needed).
    plan
        A plan already computed for the same reader (its view, with any overrides, is what the
        brief shows); by default the force planner is run on ``view``.
    plan_folder
        A plan folder written by ``bluehelmet plan --out`` to reuse instead of planning: it must
        have been made on ``view`` with ``overrides``, ``horizon`` and the same solve options
        (its ``summary.json`` fingerprint is checked).
    time_limit, horizon, node_limit, overrides, max_asks
        Passed to the force planner (``horizon``: months to plan, default the scenario's
        ``horizon_months``; ``max_asks``: gaps for which the value of one more unit is measured
        by re-solving, i.e. the length of the smart-pledging list).
    options
        Optional layers and presentation choices.
    pdf
        Write the PDF too (needs WeasyPrint).
    progress
        Called with the name of each step as it starts (for a progress display).

    Raises
    ------
    ValueError
        If ``plan`` was made for another reader than ``view``'s.
    DataError
        If ``plan_folder`` was made from another scenario, overrides, horizon, reader or solve
        options than the brief's.
    """
    step = progress or (lambda _name: None)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    view = with_horizon(view, horizon)
    plan_options = brief_plan_options(time_limit, max_asks, node_limit)
    if plan is None and plan_folder is not None:
        step("reading the plan")
        loaded = [load_override(path) for path in overrides or []]
        planned_on = apply_overrides(view, loaded) if loaded else view
        plan = read_plan(plan_folder, planned_on, plan_options)
    elif plan is None:
        step("planning the force (HiGHS)")
        ovs = tuple(load_override(path) for path in overrides or [])

        def stage(name: str, res: object | None) -> None:
            done = "" if res is None else f" done ({getattr(res, 'status', '')})"
            step(f"planning the force: {name} stage{done}")

        plan = make_plan(view, plan_options, overrides=ovs, progress=stage)
    elif plan.reader != view.reader:
        raise ValueError(
            f"the plan was made for {plan.reader.organisation} "
            f"({plan.reader.clearance.label}), the brief is for "
            f"{view.reader.organisation} ({view.reader.clearance.label}); plan on "
            "the brief reader's view"
        )
    view = plan.view
    seconds["plan"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    step("statistics and charts")
    brief = collect(plan, options)
    seconds["statistics_and_charts"] = time.perf_counter() - t1
    seconds["charts"] = brief.seconds.get("charts", 0.0)
    seconds["statistics"] = seconds["statistics_and_charts"] - seconds["charts"]
    t2 = time.perf_counter()
    step("HTML and tables")
    html = render_brief(brief)
    html_path = out / "brief.html"
    with atomic_file(html_path) as tmp:  # a kill leaves the old brief or the new one
        tmp.write_text(html, "utf-8")
    tables = write_tables(brief, out / "tables", view)
    seconds["html"] = time.perf_counter() - t2
    pdf_path: Path | None = None
    pages: int | None = None
    if pdf:
        t3 = time.perf_counter()
        step("PDF (WeasyPrint)")
        pdf_path = out / "brief.pdf"
        pages = write_pdf(html, pdf_path)
        seconds["pdf"] = time.perf_counter() - t3
    stamp(
        out,
        view.marking,
        # Names inside ``out``: stamp takes relative names inside the folder it is given, so
        # ``out / name`` with a relative ``out`` (``--out brief``) would be joined twice.
        [html_path.name, *([pdf_path.name] if pdf_path else [])],
        reader=view.reader,
        source=f"brief on scenario {view.name}",
    )
    seconds["total"] = time.perf_counter() - t0
    return BriefFiles(html_path, pdf_path, pages, tables, seconds, brief, plan)
