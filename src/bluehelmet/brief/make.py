"""Make a brief end to end: plan, statistics, charts, HTML, PDF and the tables as CSV."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bluehelmet.brief.assemble import Brief, BriefOptions, collect
from bluehelmet.brief.pdf import write_pdf
from bluehelmet.brief.plan import PlanTables, run_plan
from bluehelmet.brief.render import external_references, render_html
from bluehelmet.io.write import write_csv
from bluehelmet.model.marking import MARKING_SUFFIX, stamp
from bluehelmet.plot.style import svg_data_uri
from bluehelmet.scenario.core import ScenarioView


@dataclass
class BriefFiles:
    """What :func:`make_brief` wrote, and how long each step took (seconds)."""

    html: Path
    pdf: Path | None
    pages: int | None
    tables: Path
    seconds: dict[str, float] = field(default_factory=dict)
    brief: Brief | None = None


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


def write_tables(brief: Brief, folder: Path) -> Path:
    """Write every table of the brief as CSV, and the solver summary as JSON, into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in brief.tables.items():
        named_index = table.index.name is not None or table.index.nlevels > 1
        write_csv(table, folder / f"{name}.csv", index=named_index)
    (folder / "summary.json").write_text(
        json.dumps(brief.context["solver"], indent=2, default=str) + "\n", "utf-8")
    return folder


def make_brief(view: ScenarioView, out_dir: str | Path, *,
               plan: PlanTables | None = None, time_limit: float | None = None,
               overrides: list[Path] | None = None, options: BriefOptions | None = None,
               pdf: bool = True, max_asks: int = 8,
               progress: Callable[[str], None] | None = None) -> BriefFiles:
    """Solve the plan (unless given), then write ``brief.html``, ``brief.pdf`` and ``tables/``.

    Parameters
    ----------
    view
        The scenario to brief on, as the brief's reader may see it (``scenario.view(reader)``):
        only that is planned on and shown.
    out_dir
        Folder to write into (created if needed).
    plan
        Plan tables already computed; by default the force planner is run.
    time_limit, overrides, max_asks
        Passed to the force planner (``max_asks``: gaps for which the value of one more unit is
        measured by re-solving, i.e. the length of the smart-pledging list).
    options
        Optional layers and presentation choices.
    pdf
        Write the PDF too (needs WeasyPrint).
    progress
        Called with the name of each step as it starts (for a progress display).
    """
    step = progress or (lambda _name: None)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    if plan is None:
        step("planning the force (HiGHS)")
        view, plan = run_plan(view, time_limit, overrides, max_asks, progress=step)
    seconds["plan"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    step("statistics and charts")
    brief = collect(view, plan, options)
    seconds["statistics_and_charts"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    step("HTML and tables")
    html = render_brief(brief)
    html_path = out / "brief.html"
    html_path.write_text(html, "utf-8")
    tables = write_tables(brief, out / "tables")
    seconds["html"] = time.perf_counter() - t2
    pdf_path: Path | None = None
    pages: int | None = None
    if pdf:
        t3 = time.perf_counter()
        step("PDF (WeasyPrint)")
        pdf_path = out / "brief.pdf"
        pages = write_pdf(html, pdf_path)
        seconds["pdf"] = time.perf_counter() - t3
    data = [p for p in sorted(tables.iterdir()) if not p.name.endswith(MARKING_SUFFIX)]
    written = [html_path, *data, *([pdf_path] if pdf_path else [])]
    stamp(out, view.marking, [p.relative_to(out) for p in written], reader=view.reader,
          source=f"brief on scenario {view.name}")
    seconds["total"] = time.perf_counter() - t0
    return BriefFiles(html_path, pdf_path, pages, tables, seconds, brief)
