"""Benchmark: a read costs what the reader can see, not what the store holds.

Issue 15 measured 79 s per read of a store of 200,000 hidden reports for a reader who may see
136 (the old ``reports.csv`` store read, validated and filtered everything on every read). The
store now selects the reader's rows in SQL with the gate's predicate
(``NeedToKnow.sql``), each of its three terms served by an index. Measured in the same run, for
the reader MINUSMA at confidential, ``store.view(reader)`` (the gate and audit line included)
and ``store.count(reader)`` on three stores:

* **A** ``--hidden`` reports the reader may not see + 136 it may see (100 unclassified UN
  reports, 36 confidential MINUSMA reports), scattered through the store;
* **B** the same 136 visible reports alone (the baseline: what the reader sees);
* **C** the hidden reports + 100 times as many visible reports.

A/B near 1 shows that the hidden reports cost (almost) nothing; C/A shows the cost growing with
what the reader sees. ``--old-ref`` also times the old CSV store (git commit) on store A.

The reports are synthetic (illustrative). Run:
``python benchmarks/intel_store_read.py [--hidden 200000] [--repeat 5] [--old-ref 164af5e]``.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
HEADER = [
    "id",
    "time",
    "time_precision",
    "longitude",
    "latitude",
    "place_name",
    "category",
    "fatalities",
    "civilian_deaths",
    "source_type",
    "reliability",
    "credibility",
    "classification",
    "owner",
    "releasable_to",
    "source",
    "reporter_contact",
]


def make(hidden: int, visible: int = 1, seed: int = 7) -> pd.DataFrame:
    """``hidden`` FRA strictly confidential reports and ``visible`` x 136 visible ones."""
    rng = np.random.default_rng(seed)
    n = hidden + 136 * visible
    owner = np.array(["FRA"] * hidden + ["UN"] * 100 * visible + ["MINUSMA"] * 36 * visible)
    level = np.array(
        ["strictly_confidential"] * hidden
        + ["unclassified"] * 100 * visible
        + ["confidential"] * 36 * visible
    )
    order = rng.permutation(n)  # visible reports scattered through the store
    return pd.DataFrame(
        {
            "id": [f"r{i}" for i in range(n)],
            "time": "2018-03-05",
            "time_precision": "day",
            "longitude": np.round(rng.uniform(-4, -2, n), 3).astype(str),
            "latitude": np.round(rng.uniform(14, 16, n), 3).astype(str),
            "place_name": "",
            "category": "attack_on_civilians",
            "fatalities": "1",
            "civilian_deaths": "0",
            "source_type": "patrol",
            "reliability": "B",
            "credibility": "2",
            "classification": level[order],
            "owner": owner[order],
            "releasable_to": "",
            "source": "synthetic benchmark (illustrative)",
            "reporter_contact": "",
        }
    )


READ = (
    "import sys,time; from bluehelmet.intel.store import reports; "  # old code
    "from bluehelmet.model.access import AccessContext, Classification; "
    "r=AccessContext('MINUSMA', Classification.CONFIDENTIAL); times=[]\n"
    "for _ in range(int(sys.argv[2])):\n"
    "    t=time.perf_counter(); n=len(reports(sys.argv[1], r)); "
    "times.append(time.perf_counter()-t)\n"
    "print(min(times), n)"
)


def timed_read(store: Path, repeat: int, pythonpath: str | None) -> tuple[float, int]:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    out = subprocess.run(
        [sys.executable, "-c", READ, str(store), str(repeat)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout.split()
    return float(out[0]), int(out[1])


def fill(folder: Path, table: pd.DataFrame) -> Path:
    """A store holding ``table``, each owner's reports added by that owner."""
    from bluehelmet.intel.reports import validate_reports
    from bluehelmet.intel.store import open_store
    from bluehelmet.model.access import AccessContext, Classification

    valid, problems = validate_reports(table, "benchmark")
    assert not problems
    with open_store(folder, create=True) as store:
        for owner in ("FRA", "UN", "MINUSMA"):
            store.add(
                valid[valid["owner"] == owner],
                AccessContext(owner, Classification.STRICTLY_CONFIDENTIAL),
            )
    return folder


def best(repeat: int, func: Callable[[], int]) -> tuple[float, int]:
    """Shortest of ``repeat`` timed calls, and what the call returned."""
    times, n = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        n = func()
        times.append(time.perf_counter() - started)
    return min(times), n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hidden", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--old-ref", default=None, help="also time the old CSV store (git ref)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bh-read-bench-"))
    os.environ.setdefault("XDG_CONFIG_HOME", str(work / "config"))
    logging.getLogger("bluehelmet.audit").setLevel(logging.WARNING)

    from bluehelmet.intel.store import open_store
    from bluehelmet.model.access import AccessContext, Classification

    reader = AccessContext("MINUSMA", Classification.CONFIDENTIAL)
    full = make(args.hidden)
    stores = {
        "A": fill(work / "a", full),
        "B": fill(work / "b", full[full["owner"] != "FRA"].reset_index(drop=True)),
        "C": fill(work / "c", make(args.hidden, visible=100)),
    }
    results = {}
    for name, folder in stores.items():
        with open_store(folder) as store:
            read, seen = best(args.repeat, lambda s=store: len(s.view(reader)))
            count, counted = best(args.repeat, lambda s=store: s.count(reader))
        assert seen == counted
        results[name] = (read, count, seen)
        print(
            f"store {name}: {seen:,} of {seen + (args.hidden if name != 'B' else 0):,} "
            f"reports visible; view {read * 1000:.1f} ms, count {count * 1000:.2f} ms",
            flush=True,
        )
    a, b, c = results["A"], results["B"], results["C"]
    print(
        f"A/B (hidden reports' cost): view {a[0] / b[0]:.2f}x, count {a[1] / b[1]:.2f}x; "
        f"C/A ({c[2] // a[2]}x the visible reports): view {c[0] / a[0]:.1f}x, count "
        f"{c[1] / a[1]:.1f}x; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    if args.old_ref:
        old_store = work / "old"
        old_store.mkdir()
        full.to_csv(old_store / "reports.csv", index=False)
        old_src = work / "old-src"
        old_src.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", args.old_ref, "src"],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(old_src)], input=archive, check=True)
        old, n_old = timed_read(old_store, 1, str(old_src / "src"))
        assert n_old == a[2], (n_old, a[2])
        print(f"old CSV store (A): {old:.2f} s per read; old/new = {old / a[0]:,.0f}x")


if __name__ == "__main__":
    main()
