"""Benchmark: ``intel import`` of a 5,000,000-row report file, against the old CSV store.

Target (issue 15): 5M valid report rows imported in under 60 s. The old implementation (the
``reports.csv`` store, before the SQLite store; taken from git at ``--baseline-ref``) runs in the
same run on ``--baseline-rows`` rows with a time limit, and the new one on the same file, so the
figures compare as a ratio on the same machine and load.

The rows are synthetic (illustrative): MINUSMA-owned patrol and community-alert reports around
Mali, 5 % with a reporter contact, 10 % released to a partner, unclassified or confidential.

Run: ``python benchmarks/intel_import_5m.py [--rows 5000000] [--baseline-rows 200000]``.
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
import pyarrow as pa
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parents[1]
WRITER = ("MINUSMA", "confidential")


def make_reports(n: int, seed: int = 5) -> pd.DataFrame:
    """``n`` valid synthetic report rows as text (vectorised)."""
    rng = np.random.default_rng(seed)
    ids = pd.Series(np.arange(n)).astype(str)
    day = pd.Timestamp("2013-07-01") + pd.to_timedelta(rng.integers(0, 3650, n), unit="D")
    alert = rng.random(n) < 0.05
    contact = np.where(alert, "+223 555 " + pd.Series(rng.integers(1000, 9999, n)).astype(str),
                       "")
    return pd.DataFrame({
        "id": "r" + ids,
        "time": day.strftime("%Y-%m-%d"),
        "time_precision": "day",
        "longitude": np.round(rng.uniform(-12, 4, n), 4).astype(str),
        "latitude": np.round(rng.uniform(10, 25, n), 4).astype(str),
        "place_name": "",
        "category": rng.choice(["attack_on_civilians", "armed_group_movement", "ied",
                                "displacement", "other"], n),
        "fatalities": rng.integers(0, 5, n).astype(str),
        "civilian_deaths": rng.integers(0, 3, n).astype(str),
        "source_type": np.where(alert, "community_alert", "patrol"),
        "reliability": rng.choice(list("ABCF"), n),
        "credibility": rng.integers(1, 7, n).astype(str),
        "classification": np.where(alert | (rng.random(n) < 0.3), "confidential",
                                   "unclassified"),
        "owner": WRITER[0],
        "releasable_to": np.where(rng.random(n) < 0.1, "FRA", ""),
        "source": "synthetic benchmark (illustrative)",
        "reporter_contact": contact,
    })


def write_file(n: int, path: Path) -> Path:
    if not path.exists():
        table = pa.Table.from_pandas(make_reports(n), preserve_index=False)
        pacsv.write_csv(table, path)
    return path


def run_new(path: Path, store: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds of the new import (CPU: all threads of the process)."""
    code = ("import sys,time; from pathlib import Path; "
            "from bluehelmet.intel.importing import import_file; "
            "from bluehelmet.model.access import AccessContext, Classification; "
            "t=time.perf_counter(); c=time.process_time(); "
            "o=import_file(Path(sys.argv[1]), Path(sys.argv[2]), "
            f"AccessContext({WRITER[0]!r}, Classification.parse({WRITER[1]!r}))); "
            "print(time.perf_counter()-t, o.added, o.report.rejected, time.process_time()-c)")
    out = subprocess.run([sys.executable, "-c", code, str(path), str(store)], check=True,
                         capture_output=True, text=True).stdout.split()
    assert int(out[2]) == 0, f"{out[2]} rows rejected"
    return float(out[0]), float(out[3])


def run_old(path: Path, store: Path, ref: str, limit: float) -> tuple[float, float] | None:
    """The old CSV store at git ``ref``; ``None`` when it does not finish within ``limit``."""
    old = store.parent / "old-src"
    if not old.exists():
        old.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "src"], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
    code = ("import sys,time; from bluehelmet.intel import reports as rp; "
            "t=time.perf_counter(); c=time.process_time(); "
            "tab,pr=rp.read_reports_file(sys.argv[1]); "
            "rp.add_reports(sys.argv[2], tab, sys.argv[1]); "
            "print(time.perf_counter()-t, time.process_time()-c)")
    env = {**os.environ, "PYTHONPATH": str(old / "src")}
    try:
        out = subprocess.run([sys.executable, "-c", code, str(path), str(store)], check=True,
                             capture_output=True, text=True, env=env, timeout=limit).stdout
    except subprocess.TimeoutExpired:
        return None
    wall, cpu = out.split()[:2]
    return float(wall), float(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--baseline-rows", type=int, default=200_000)
    parser.add_argument("--baseline-ref", default="164af5e",
                        help="git commit with the old CSV store")
    parser.add_argument("--baseline-limit", type=float, default=600.0)
    parser.add_argument("--work", type=Path, default=None, help="folder for the files")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bh-import-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("XDG_CONFIG_HOME", str(work / "config"))
    small = write_file(args.baseline_rows, work / f"reports_{args.baseline_rows}.csv")
    old = run_old(small, work / "old-store", args.baseline_ref, args.baseline_limit)
    new_small, new_small_cpu = run_new(small, work / "new-store-small")
    shown = (f"{old[0]:.1f} s (CPU {old[1]:.1f} s)" if old is not None
             else f"> {args.baseline_limit:.0f} s")
    print(f"{args.baseline_rows:,} rows: old CSV store {shown}, new SQLite store "
          f"{new_small:.1f} s (CPU {new_small_cpu:.1f} s)"
          + (f"; old/new = {old[0] / new_small:.1f}x wall, {old[1] / new_small_cpu:.1f}x CPU"
             if old is not None else ""))
    started = time.perf_counter()
    big = write_file(args.rows, work / f"reports_{args.rows}.csv")
    print(f"generated {args.rows:,} rows in {time.perf_counter() - started:.0f} s "
          f"({big.stat().st_size / 1e6:.0f} MB)")
    new_big, new_big_cpu = run_new(big, work / "new-store-big")
    print(f"{args.rows:,} rows: new SQLite store {new_big:.1f} s wall, {new_big_cpu:.1f} s CPU "
          f"({args.rows / new_big:,.0f} rows/s; target < 60 s); load average "
          f"{os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
