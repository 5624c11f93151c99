"""How long ``bluehelmet --help`` and ``bluehelmet plan -h`` take, against an eager baseline.

The command modules import pandas, the solvers, matplotlib and WeasyPrint only inside the
commands. The baseline in the same run is the same help with those libraries imported first, as
the CLI did before (its modules imported pandas and the planner at the top). Each figure is the
median of ``--runs`` fresh processes. Usage::

    python benchmarks/cli_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

#: What the CLI imported at start before the imports were made lazy.
EAGER = (
    "import pandas, highspy, matplotlib.pyplot, weasyprint, bluehelmet.forcegen.api, "
    "bluehelmet.statistics.scenario, bluehelmet.io.report; "
)
RUN = "from bluehelmet.cli.main import app; app()"


def seconds(code: str, args: list[str], runs: int) -> float:
    """Median wall time of ``python -c code args`` over ``runs`` fresh processes."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", code, *args],
            check=True,
            stdout=subprocess.DEVNULL,
            env={"BLUEHELMET_CONFIG": "/nonexistent", "PATH": ""},
        )
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    """Print a Markdown table of the timings and ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print("| command | lazy imports (s) | eager baseline (s) | baseline / lazy |")
    print("|---|---|---|---|")
    for argv in (["--help"], ["plan", "-h"], ["--version"]):
        lazy = seconds(RUN, argv, args.runs)
        eager = seconds(EAGER + RUN, argv, args.runs)
        print(f"| bluehelmet {' '.join(argv)} | {lazy:.2f} | {eager:.2f} | {eager / lazy:.1f} |")


if __name__ == "__main__":
    main()
