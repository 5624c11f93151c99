"""Benchmark: ``intel import`` of a 5,000,000-row report file, against a floor in the same run.

Target (issue 15): 5M valid report rows imported in under 60 s. Each measurement runs in its own
interpreter on the same file, one after the other, and reports wall and CPU time (the machine is
shared, so CPU time and the ratios are the figures to compare):

* **floor**: the least any SQLite import of the file can cost with the standard library driver:
  read the CSV with pyarrow (every column as text) and ``executemany`` the rows into a plain
  table without indexes or checks, one transaction, WAL and ``synchronous = FULL`` like the store;
* **import**: ``bluehelmet.intel.importing.import_file`` (sniffing, reading, validation, row
  accounting, write rights, the comparison with stored reports, sealing the contacts, the insert
  and the indexes, in one transaction);
* optionally (``--baseline-rows N``) the old ``reports.csv`` store (git ``--baseline-ref``) on the
  first N rows.

The rows are synthetic (illustrative): MINUSMA-owned patrol and community-alert reports around
Mali, 5 % with a reporter contact, 10 % released to a partner, unclassified or confidential.

Run: ``python benchmarks/intel_import_5m.py [--rows 5000000] [--baseline-rows 200000]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
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
    contact = np.where(alert, "+223 555 " + pd.Series(rng.integers(1000, 9999, n)).astype(str), "")
    return pd.DataFrame(
        {
            "id": "r" + ids,
            "time": day.strftime("%Y-%m-%d"),
            "time_precision": "day",
            "longitude": np.round(rng.uniform(-12, 4, n), 4).astype(str),
            "latitude": np.round(rng.uniform(10, 25, n), 4).astype(str),
            "place_name": "",
            "category": rng.choice(
                ["attack_on_civilians", "armed_group_movement", "ied", "displacement", "other"], n
            ),
            "fatalities": rng.integers(0, 5, n).astype(str),
            "civilian_deaths": rng.integers(0, 3, n).astype(str),
            "source_type": np.where(alert, "community_alert", "patrol"),
            "reliability": rng.choice(list("ABCF"), n),
            "credibility": rng.integers(1, 7, n).astype(str),
            "classification": np.where(
                alert | (rng.random(n) < 0.3), "confidential", "unclassified"
            ),
            "owner": WRITER[0],
            "releasable_to": np.where(rng.random(n) < 0.1, "FRA", ""),
            "source": "synthetic benchmark (illustrative)",
            "reporter_contact": contact,
        }
    )


def write_file(n: int, path: Path) -> Path:
    if not path.exists():
        table = pa.Table.from_pandas(make_reports(n), preserve_index=False)
        pacsv.write_csv(table, path)
    return path


def run_new(path: Path, store: Path, src: Path | None = None) -> tuple[float, float, float]:
    """Wall-clock and CPU seconds and peak memory (MB) of the import (CPU: all threads).

    Peak memory is the process's own high-water mark (``VmHWM``; ``ru_maxrss`` would carry over
    the peak of this process, which generated the file).

    ``src``: run the code of that ``src`` folder (a checked-out git revision) instead.
    """
    code = (
        "import sys,time; from pathlib import Path; "
        "from bluehelmet.intel.importing import import_file; "
        "from bluehelmet.model.access import AccessContext, Classification; "
        "t=time.perf_counter(); c=time.process_time(); "
        "o=import_file(Path(sys.argv[1]), Path(sys.argv[2]), "
        f"AccessContext({WRITER[0]!r}, Classification.parse({WRITER[1]!r}))); "
        "hwm=[l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]; "
        "print(time.perf_counter()-t, o.added, o.report.rejected, time.process_time()-c, "
        "int(hwm) / 1024)"
    )
    env = {**os.environ, "PYTHONPATH": str(src)} if src is not None else None
    shutil.rmtree(store, ignore_errors=True)  # a store left by an earlier run in --work
    out = subprocess.run(
        [sys.executable, "-c", code, str(path), str(store)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout.split()
    assert int(out[2]) == 0, f"{out[2]} rows rejected"
    return float(out[0]), float(out[3]), float(out[4])


FLOOR = """
import os, sqlite3, sys, time
import pyarrow as pa, pyarrow.csv as pacsv
t0, c0 = time.perf_counter(), time.process_time()
table = pacsv.read_csv(sys.argv[1], convert_options=pacsv.ConvertOptions(
    column_types={n: pa.string() for n in sys.argv[3].split(",")}))
conn = sqlite3.connect(sys.argv[2], isolation_level=None)
conn.execute("PRAGMA journal_mode = WAL")
conn.execute("PRAGMA synchronous = FULL")
conn.execute(f"CREATE TABLE r ({', '.join(table.column_names)})")
conn.execute("BEGIN")
marks = ", ".join("?" * table.num_columns)
for start in range(0, table.num_rows, 250_000):
    part = table.slice(start, 250_000)
    conn.executemany(f"INSERT INTO r VALUES ({marks})",
                     zip(*(c.to_pylist() for c in part.columns)))
conn.execute("COMMIT")
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(time.perf_counter() - t0, time.process_time() - c0, int(hwm) / 1024)
"""


def run_floor(path: Path, db: Path) -> tuple[float, float, float]:
    """Wall-clock and CPU seconds and peak MB of the floor: pyarrow CSV + ``executemany``."""
    columns = ",".join(make_reports(1).columns)
    for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        stale.unlink(missing_ok=True)  # left by an earlier run in --work
    out = subprocess.run(
        [sys.executable, "-c", FLOOR, str(path), str(db), columns],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[0]), float(out[1]), float(out[2])


def run_old(path: Path, store: Path, ref: str, limit: float) -> tuple[float, float] | None:
    """The old CSV store at git ``ref``; ``None`` when it does not finish within ``limit``."""
    old = store.parent / "old-src"
    if not old.exists():
        old.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", ref, "src"], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
    code = (
        "import sys,time; from bluehelmet.intel import reports as rp; "
        "t=time.perf_counter(); c=time.process_time(); "
        "tab,pr=rp.read_reports_file(sys.argv[1]); "
        "rp.add_reports(sys.argv[2], tab, sys.argv[1]); "
        "print(time.perf_counter()-t, time.process_time()-c)"
    )
    env = {**os.environ, "PYTHONPATH": str(old / "src")}
    try:
        out = subprocess.run(
            [sys.executable, "-c", code, str(path), str(store)],
            check=True,
            capture_output=True,
            text=True,
            env=env,
            timeout=limit,
        ).stdout
    except subprocess.TimeoutExpired:
        return None
    wall, cpu = out.split()[:2]
    return float(wall), float(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument(
        "--baseline-rows",
        type=int,
        default=0,
        help="also run the old CSV store on this many rows (0: not)",
    )
    parser.add_argument(
        "--baseline-ref", default="164af5e", help="git commit with the old CSV store"
    )
    parser.add_argument("--baseline-limit", type=float, default=600.0)
    parser.add_argument(
        "--ref",
        default=None,
        help="also run intel import of this git "
        "revision (e.g. the SQLite store before a change) on the same file",
    )
    parser.add_argument("--work", type=Path, default=None, help="folder for the files")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bh-import-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("XDG_CONFIG_HOME", str(work / "config"))
    if args.baseline_rows:
        small = write_file(args.baseline_rows, work / f"reports_{args.baseline_rows}.csv")
        old = run_old(small, work / "old-store", args.baseline_ref, args.baseline_limit)
        new_small, new_small_cpu, _ = run_new(small, work / "new-store-small")
        shown = (
            f"{old[0]:.1f} s (CPU {old[1]:.1f} s)"
            if old is not None
            else f"> {args.baseline_limit:.0f} s"
        )
        print(
            f"{args.baseline_rows:,} rows: old CSV store {shown}, new SQLite store "
            f"{new_small:.1f} s (CPU {new_small_cpu:.1f} s)"
            + (
                f"; old/new = {old[0] / new_small:.1f}x wall, {old[1] / new_small_cpu:.1f}x CPU"
                if old is not None
                else ""
            )
        )
    started = time.perf_counter()
    big = write_file(args.rows, work / f"reports_{args.rows}.csv")
    print(
        f"generated {args.rows:,} rows in {time.perf_counter() - started:.0f} s "
        f"({big.stat().st_size / 1e6:.0f} MB)",
        flush=True,
    )
    load = [os.getloadavg()[0]]
    floor, floor_cpu, floor_mb = run_floor(big, work / "floor.sqlite")
    load.append(os.getloadavg()[0])
    print(
        f"{args.rows:,} rows: floor (pyarrow CSV + plain executemany) {floor:.1f} s wall, "
        f"{floor_cpu:.1f} s CPU, peak {floor_mb:,.0f} MB",
        flush=True,
    )
    new_big, new_big_cpu, new_mb = run_new(big, work / "new-store-big")
    load.append(os.getloadavg()[0])
    if args.ref:
        ref_src = work / f"src-{args.ref}"
        if not ref_src.exists():
            ref_src.mkdir()
            archive = subprocess.run(
                ["git", "-C", str(ROOT), "archive", args.ref, "src"],
                check=True,
                capture_output=True,
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(ref_src)], input=archive, check=True)
        ref, ref_cpu, ref_mb = run_new(big, work / "ref-store-big", ref_src / "src")
        load.append(os.getloadavg()[0])
        print(
            f"{args.rows:,} rows: intel import at {args.ref} {ref:.1f} s wall, {ref_cpu:.1f} s "
            f"CPU, peak {ref_mb:,.0f} MB; {args.ref}/now = {ref / new_big:.2f}x wall, "
            f"{ref_cpu / new_big_cpu:.2f}x CPU"
        )
    print(
        f"{args.rows:,} rows: intel import {new_big:.1f} s wall, {new_big_cpu:.1f} s CPU, "
        f"peak {new_mb:,.0f} MB "
        f"({args.rows / new_big:,.0f} rows/s wall; target < 60 s); import/floor = "
        f"{new_big / floor:.2f}x wall, {new_big_cpu / floor_cpu:.2f}x CPU; load average "
        f"{min(load):.1f}-{max(load):.1f} on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
