"""Time the brief for the bundled 2018 scenario per phase, against a baseline in the same run.

Phases: the plan alone (what ``bluehelmet plan`` does with the brief's settings), then the
brief end to end with its own plan, split into plan, statistics, charts, HTML and PDF (a
baseline without the statistics/charts split reports them together), each in wall-clock and
in CPU seconds (``*_cpu``: steadier than wall-clock on a shared machine). With ``--baseline-src``
(the ``src`` folder of an earlier checkout, e.g. ``git archive <commit> src | tar -x -C
/tmp/base``) each run times the baseline and this version back to back, in fresh processes and
alternating which goes first, and prints the ratios per phase with the machine's load average.
With ``--images`` it also writes, on the same plan, the brief with the Netherlands' page
(``--contributor NLD``) and the French brief (``--lang fr``), and renders their pages
(``brief-nld-page-N.png``, ``brief-fr-page-N.png``). Usage::

    python benchmarks/brief_2018.py [--runs 2] [--baseline-src /tmp/base/src]
        [--images docs/img] [--out /tmp/brief-2018]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

#: Phases in the order printed (the baseline may lack the statistics/charts split).
PHASES = ("plan_alone", "plan", "statistics", "charts", "statistics_and_charts", "html", "pdf")


def measure(out: str) -> dict[str, float]:
    """One measurement in this process: the plan alone, then the brief per phase.

    Each phase is timed in wall-clock seconds and in CPU seconds of this process (``*_cpu``,
    all threads): on a machine shared with other work the CPU time is the steadier measure.
    The brief's phases are the steps of ``make_brief`` called one by one (the same functions).
    """
    from bluehelmet.brief.assemble import collect
    from bluehelmet.brief.make import brief_plan_options, render_brief, write_tables
    from bluehelmet.brief.pdf import write_pdf
    from bluehelmet.forcegen.api import plan
    from bluehelmet.model.access import AccessContext, Classification
    from bluehelmet.scenario.io import load_scenario

    reader = AccessContext("UN-DPO", Classification.CONFIDENTIAL)
    found: dict[str, float] = {}
    clock = [time.perf_counter(), time.process_time()]

    def lap(name: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        found[name], found[f"{name}_cpu"] = wall - clock[0], cpu - clock[1]
        clock[:] = [wall, cpu]

    plan(load_scenario("2018").view(reader), brief_plan_options())
    lap("plan_alone")
    start = list(clock)
    made = plan(load_scenario("2018").view(reader), brief_plan_options())
    lap("plan")
    brief = collect(made)
    lap("statistics_and_charts")
    charts = float(getattr(brief, "seconds", {}).get("charts", float("nan")))
    if charts == charts:
        found["charts"] = charts
        found["statistics"] = found["statistics_and_charts"] - charts
    html = render_brief(brief)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "brief.html").write_text(html, "utf-8")
    write_tables(brief, folder / "tables", made.view)
    lap("html")
    found["pages"] = float(write_pdf(html, folder / "brief.pdf"))
    lap("pdf")
    found["brief"] = clock[0] - start[0]
    found["brief_cpu"] = clock[1] - start[1]
    found["html_mb"] = (folder / "brief.html").stat().st_size / 1e6
    found["pdf_mb"] = (folder / "brief.pdf").stat().st_size / 1e6
    return found


def measure_in(src: str | None, out: str) -> dict[str, float]:
    """:func:`measure` in a fresh interpreter, importing ``bluehelmet`` from ``src`` if given."""
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    done = subprocess.run(
        [sys.executable, __file__, "--measure", out],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _median(runs: list[dict[str, float]], key: str) -> float | None:
    values = [r[key] for r in runs if key in r]
    return statistics.median(values) if values else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--out", default="/tmp/bluehelmet-brief-2018")
    parser.add_argument("--baseline-src", default="")
    parser.add_argument("--images", default="")
    parser.add_argument("--measure", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    print(f"load average at start (1, 5, 15 min): {os.getloadavg()}")
    base: list[dict[str, float]] = []
    this: list[dict[str, float]] = []
    for run in range(args.runs):
        order = [("this", None), ("baseline", args.baseline_src)] if args.baseline_src else []
        if run % 2 == 1:
            order.reverse()
        for name, src in order or [("this", None)]:
            found = measure_in(src, f"{args.out}-{name}")
            (base if name == "baseline" else this).append(found)
            print(f"run {run + 1} {name}: {json.dumps({k: round(v, 2) for k, v in found.items()})}")
    print(f"load average at end (1, 5, 15 min): {os.getloadavg()}")
    print(f"medians of {args.runs} run(s), seconds:")
    header = f"{'phase':24s}{'this':>10s}"
    print(header + (f"{'baseline':>10s}{'ratio':>8s}" if base else ""))
    keys = [k for p in ("brief", *PHASES) for k in (p, f"{p}_cpu")]
    for key in (*keys, "pages", "html_mb", "pdf_mb"):
        now = _median(this, key)
        then = _median(base, key)
        if now is None and then is None:
            continue
        row = f"{key:24s}{'' if now is None else f'{now:10.2f}':>10s}"
        if base:
            row += f"{'' if then is None else f'{then:10.2f}':>10s}"
            if now is not None and then:
                row += f"{now / then:8.2f}"
        print(row)
    if args.images:
        render_images(f"{args.out}-this", Path(args.images))


def render_images(out: str, images: Path) -> None:
    """The English, NLD and French briefs on one plan, and their pages as PNG (60 dpi)."""
    from bluehelmet.brief.assemble import BriefOptions
    from bluehelmet.brief.make import make_brief
    from bluehelmet.brief.pdf import render_pages
    from bluehelmet.model.access import AccessContext, Classification
    from bluehelmet.scenario.io import load_scenario

    reader = AccessContext("UN-DPO", Classification.CONFIDENTIAL)
    files = make_brief(load_scenario("2018").view(reader), out)
    assert files.pdf is not None and files.plan is not None
    for image in render_pages(files.pdf, images, dpi=60):
        print(f"wrote {image}")
    for name, options in (
        ("nld", BriefOptions(contributor="NLD")),
        ("fr", BriefOptions(lang="fr")),
    ):
        t0 = time.perf_counter()
        other = make_brief(files.plan.view, f"{out}-{name}", plan=files.plan, options=options)
        print(
            f"brief {name} on the same plan: {time.perf_counter() - t0:.1f} s, {other.pages} pages"
        )
        assert other.pdf is not None
        for image in render_pages(other.pdf, images, prefix=f"brief-{name}-page", dpi=60):
            print(f"wrote {image}")


if __name__ == "__main__":
    main()
