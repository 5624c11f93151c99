"""Benchmark: reading a store of 200,000 hidden reports for a reader who may see about 136.

Issue 15 measured 79 s per read with the old store (``reports.csv`` read, validated and filtered
in full on every read). The new store filters in its SQL query with indexes, so a read should
cost what the reader sees. Both run in the same run on the same reports: the old code is taken
from git at ``--baseline-ref`` and runs in its own interpreter.

The reports are synthetic (illustrative): 200,000 strictly confidential reports of FRA (hidden),
plus 100 unclassified UN reports and 36 confidential MINUSMA reports (visible to the reader,
MINUSMA at confidential).

Run: ``python benchmarks/intel_store_read.py [--hidden 200000] [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["id", "time", "time_precision", "longitude", "latitude", "place_name", "category",
          "fatalities", "civilian_deaths", "source_type", "reliability", "credibility",
          "classification", "owner", "releasable_to", "source", "reporter_contact"]


def make(hidden: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = hidden + 136
    owner = np.array(["FRA"] * hidden + ["UN"] * 100 + ["MINUSMA"] * 36)
    level = np.array(["strictly_confidential"] * hidden + ["unclassified"] * 100
                     + ["confidential"] * 36)
    order = rng.permutation(n)  # visible reports scattered through the store
    return pd.DataFrame({
        "id": [f"r{i}" for i in range(n)], "time": "2018-03-05", "time_precision": "day",
        "longitude": np.round(rng.uniform(-4, -2, n), 3).astype(str),
        "latitude": np.round(rng.uniform(14, 16, n), 3).astype(str), "place_name": "",
        "category": "attack_on_civilians", "fatalities": "1", "civilian_deaths": "0",
        "source_type": "patrol", "reliability": "B", "credibility": "2",
        "classification": level[order], "owner": owner[order], "releasable_to": "",
        "source": "synthetic benchmark (illustrative)", "reporter_contact": "",
    })


READ = ("import sys,time; from bluehelmet.intel.store import reports; "
        "from bluehelmet.model.access import AccessContext, Classification; "
        "r=AccessContext('MINUSMA', Classification.CONFIDENTIAL); times=[]\n"
        "for _ in range(int(sys.argv[2])):\n"
        "    t=time.perf_counter(); n=len(reports(sys.argv[1], r)); "
        "times.append(time.perf_counter()-t)\n"
        "print(min(times), n)")


def timed_read(store: Path, repeat: int, pythonpath: str | None) -> tuple[float, int]:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    out = subprocess.run([sys.executable, "-c", READ, str(store), str(repeat)], check=True,
                         capture_output=True, text=True, env=env).stdout.split()
    return float(out[0]), int(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hidden", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline-ref", default="164af5e")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bh-read-bench-"))
    os.environ.setdefault("XDG_CONFIG_HOME", str(work / "config"))
    table = make(args.hidden)
    old_store = work / "old"
    old_store.mkdir()
    table.to_csv(old_store / "reports.csv", index=False)
    old_src = work / "old-src"
    old_src.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.baseline_ref, "src"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(old_src)], input=archive, check=True)

    from bluehelmet.intel.reports import validate_reports
    from bluehelmet.intel.store import open_store
    from bluehelmet.model.access import AccessContext, Classification

    valid, problems = validate_reports(table, "benchmark")
    assert not problems
    new_store = work / "new"
    started = time.perf_counter()
    with open_store(new_store, create=True) as store:
        for owner in ("FRA", "UN", "MINUSMA"):
            store.add(valid[valid["owner"] == owner],
                      AccessContext(owner, Classification.STRICTLY_CONFIDENTIAL))
    filled = time.perf_counter() - started
    old, n_old = timed_read(old_store, max(1, args.repeat // 5), str(old_src / "src"))
    new, n_new = timed_read(new_store, args.repeat, None)
    assert n_old == n_new, (n_old, n_new)
    print(f"store of {len(table):,} reports, reader sees {n_new}: old CSV store {old:.2f} s per "
          f"read, new SQLite store {new * 1000:.1f} ms per read (old/new = {old / new:,.0f}x); "
          f"filling the new store took {filled:.1f} s")


if __name__ == "__main__":
    main()
