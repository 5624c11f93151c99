"""Time the brief for the bundled 2018 scenario end to end, and render its pages for the docs.

Baseline in the same run: the force plan alone (what ``bluehelmet plan`` does with the same
settings); the brief's own cost is the rest. With ``--images`` it also writes, on the same plan,
the brief with the Netherlands' page (``--contributor NLD``) and the French brief (``--lang
fr``), timed without the plan, and renders their pages (``brief-nld-page-N.png``,
``brief-fr-page-N.png``). Usage::

    python benchmarks/brief_2018.py [--runs 2] [--images docs/img] [--out /tmp/brief-2018]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from bluehelmet.brief.assemble import BriefOptions
from bluehelmet.brief.make import brief_plan_options, make_brief
from bluehelmet.brief.pdf import pdf_page_count, render_pages
from bluehelmet.forcegen.api import plan
from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.scenario.io import load_scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--out", default="/tmp/bluehelmet-brief-2018")
    parser.add_argument("--images", default="")
    args = parser.parse_args()
    reader = AccessContext("UN-DPO", Classification.CONFIDENTIAL)
    plan_only, total, stages = [], [], []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        plan(load_scenario("2018").view(reader), brief_plan_options())
        plan_only.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        files = make_brief(load_scenario("2018").view(reader), args.out)
        total.append(time.perf_counter() - t0)
        stages.append(files.seconds)
    med = statistics.median(total)
    base = statistics.median(plan_only)
    print(f"runs: {args.runs}")
    print(f"plan alone (baseline), median: {base:.1f} s")
    print(
        f"brief end to end (load + plan + statistics + charts + HTML + PDF), median: {med:.1f} s"
        f"  (ratio to the plan alone: {med / base:.2f})"
    )
    for key in stages[0]:
        print(f"  {key}: {statistics.median(s[key] for s in stages):.1f} s")
    assert files.pdf is not None
    print(
        f"pages: {pdf_page_count(files.pdf)}; HTML {files.html.stat().st_size / 1e6:.2f} MB, "
        f"PDF {files.pdf.stat().st_size / 1e6:.2f} MB"
    )
    if args.images:
        for image in render_pages(files.pdf, Path(args.images), dpi=60):
            print(f"wrote {image}")
        assert files.plan is not None
        for name, options in (
            ("nld", BriefOptions(contributor="NLD")),
            ("fr", BriefOptions(lang="fr")),
        ):
            t0 = time.perf_counter()
            other = make_brief(
                files.plan.view, f"{args.out}-{name}", plan=files.plan, options=options
            )
            print(
                f"brief {name} on the same plan: {time.perf_counter() - t0:.1f} s, "
                f"{other.pages} pages"
            )
            assert other.pdf is not None
            for image in render_pages(
                other.pdf, Path(args.images), prefix=f"brief-{name}-page", dpi=60
            ):
                print(f"wrote {image}")


if __name__ == "__main__":
    main()
