"""Benchmark: import a 1,000,000-row file in the UN monthly format.

Generates a realistic file (real contributing countries and missions, the five personnel types,
monthly dates in the UN's two date formats, trailing spaces on mission acronyms, and a small
share of defects: lower-case codes, missing codes with a country name, case variants of
personnel types, junk counts, exact duplicates), then measures in separate processes:

- baseline: ``pandas.read_csv`` of the same file (what any import must at least do);
- bluehelmet: ``bluehelmet.io.un_monthly.read_un_monthly`` (parse, repair, reject, account);
- data import: the command ``bluehelmet data import FILE --into NEW_FOLDER`` (read, validate,
  merge, write the scenario folder atomically), with this code and, with ``--old REV``, with the
  code of git revision REV checked out into a temporary folder (same file, same run).

Reports wall time, CPU time and peak RSS of each, and the ratios. Targets: read <= 10 s and
<= 1 GB; data import <= 10 s. On a machine shared with other work, wall time includes waiting
for a CPU; CPU time does not.

Usage::

    python benchmarks/import_un_monthly.py [--rows 1000000] [--keep FILE] [--old main]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

_MEASURE = r"""
import time
t0 = time.perf_counter()
import json, resource, sys
mode, path = sys.argv[1], sys.argv[2]
if mode.startswith("import"):
    if len(sys.argv) > 4:  # the old code, checked out into a temporary folder
        sys.path.insert(0, sys.argv[4])
    import contextlib, io
    from bluehelmet.cli.main import app
    import bluehelmet
    assert len(sys.argv) <= 4 or bluehelmet.__file__.startswith(sys.argv[4]), bluehelmet.__file__
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            app(["data", "import", path, "--into", sys.argv[3]])
        except SystemExit as exc:
            code = exc.code
    rows = 0
    extra = {"exit": code}
elif mode == "baseline":
    import pandas as pd
    rows = len(pd.read_csv(path))
    extra = {}
else:
    from bluehelmet.io.un_monthly import read_un_monthly
    result = read_un_monthly(path)
    rep = result.report
    rows = rep.rows_read
    extra = {"accepted": rep.accepted, "repaired": rep.repaired, "rejected": rep.rejected,
             "repairs": len(rep.repair_table), "balanced": rep.balanced}
wall = time.perf_counter() - t0
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime
print(json.dumps({"rows": rows, "wall_s": wall, "cpu_s": cpu, "peak_mb": usage.ru_maxrss / 1024,
                  **extra}))
"""

COUNTRIES = [
    ("BGD", "Bangladesh"),
    ("RWA", "Rwanda"),
    ("ETH", "Ethiopia"),
    ("NPL", "Nepal"),
    ("IND", "India"),
    ("PAK", "Pakistan"),
    ("EGY", "Egypt"),
    ("IDN", "Indonesia"),
    ("CHN", "China"),
    ("GHA", "Ghana"),
    ("SEN", "Senegal"),
    ("TZA", "United Republic of Tanzania"),
    ("CIV", "Côte d’Ivoire"),
    ("KOR", "Republic of Korea"),
    ("FRA", "France"),
    ("ITA", "Italy"),
    ("BRA", "Brazil"),
    ("URY", "Uruguay"),
    ("NGA", "Nigeria"),
    ("MAR", "Morocco"),
]
MISSIONS = [
    "BINUB",
    "BINUH",
    "BNUB",
    "MINUJUSTH",
    "MINURCAT",
    "MINURSO",
    "MINUSCA",
    "MINUSMA",
    "MINUSTAH",
    "MONUC",
    "MONUSCO",
    "UNAMA",
    "UNAMI",
    "UNAMID",
    "UNDOF",
    "UNFICYP",
    "UNIFIL",
    "UNIOGBIS",
    "UNISFA",
    "UNMC",
    "UNMHA",
    "UNMIK",
    "UNMIL",
    "UNMIN",
    "UNMIS",
    "UNMISS",
    "UNMIT",
    "UNMOGIP",
    "UNOCI",
    "UNOWAS",
    "UNSMIL",
    "UNSMIS",
    "UNSOM",
    "UNSOS",
    "UNTSO",
    "UNVMC",
]
TYPES = [
    "Troops",
    "Staff Officer",
    "Experts on Mission",
    "Formed Police Units",
    "Individual Police",
]


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Write a UN monthly file with ``rows`` data rows and a realistic share of defects."""
    rng = np.random.default_rng(seed)
    months = pd.date_range("2000-01-31", periods=288, freq="ME")
    # distinct (country, mission, type, month) records, as in a real file
    shape = (len(COUNTRIES), len(MISSIONS), len(TYPES), len(months))
    pick = rng.choice(int(np.prod(shape)), size=rows, replace=False)
    c, m, t, mo = np.unravel_index(np.sort(pick), shape)
    iso = np.array([x[0] for x in COUNTRIES], dtype=object)[c]
    name = np.array([x[1] for x in COUNTRIES], dtype=object)[c]
    # the UN file's mission acronyms carry trailing spaces
    mission = np.array([a + " " for a in MISSIONS], dtype=object)[m]
    ptype = np.array(TYPES, dtype=object)[t]
    women = rng.poisson(8, rows).astype(object)
    men = rng.poisson(150, rows).astype(object)
    d = months[mo]
    slash = np.asarray(d.strftime("%d/%m/%Y"), dtype=object)
    mon = np.asarray(d.strftime("%d-%b-%y"), dtype=object)
    date = np.where(rng.random(rows) < 0.5, slash, mon)
    defect = rng.random(rows)
    lower = defect < 0.005
    iso[lower] = np.char.lower(iso[lower].astype(str))
    no_code = (defect >= 0.005) & (defect < 0.01)
    iso[no_code] = ""
    case = (defect >= 0.01) & (defect < 0.015)
    ptype[case] = np.char.upper(ptype[case].astype(str))
    junk = (defect >= 0.015) & (defect < 0.016)
    women[junk] = "n/a"
    frame = pd.DataFrame(
        {
            "ISOCode3": iso,
            "Contributing_Country": name,
            "Mission_Acronym": mission,
            "Personnel_Type": ptype,
            "Female_Personnel": women,
            "Male_Personnel": men,
            "Last_Reporting_Date": date,
        }
    )
    dup = rng.random(rows) < 0.002  # exact duplicates of the previous row
    frame.iloc[np.flatnonzero(dup[1:]) + 1] = frame.iloc[np.flatnonzero(dup[1:])].to_numpy()
    frame.to_csv(path, index=False)


def measure(mode: str, path: Path, *extra: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, mode, str(path), *extra],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def checkout(rev: str, into: Path) -> Path:
    """The ``src`` folder of git revision ``rev`` of this repository, extracted into ``into``."""
    repo = Path(__file__).resolve().parents[1]
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", rev, "src"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None, help="keep the generated file here")
    parser.add_argument("--old", default=None, help="git revision to compare data import with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "odp_contributionsbygender.csv"
        if not path.exists():
            generate(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        load = [os.getloadavg()[0]]
        base = measure("baseline", path)
        ours = measure("bluehelmet", path)
        imports = {"this code": measure("import", path, str(Path(tmp) / "new"))}
        if args.old:
            old_src = checkout(args.old, Path(tmp))
            imports[f"git {args.old}"] = measure(
                "import", path, str(Path(tmp) / "old"), str(old_src)
            )
        load.append(os.getloadavg()[0])
    print(f"file: {args.rows:,} rows, {size_mb:.0f} MB")
    print("(wall and CPU time include starting Python and importing the libraries)")
    for label, r in (("baseline pandas.read_csv ", base), ("bluehelmet read_un_monthly", ours)):
        print(
            f"{label}: wall {r['wall_s']:6.2f} s  CPU {r['cpu_s']:6.2f} s  "
            f"peak RSS {r['peak_mb']:6.0f} MB"
        )
    print(
        f"ratio (bluehelmet / baseline): time {ours['wall_s'] / base['wall_s']:.1f}x, "
        f"memory {ours['peak_mb'] / base['peak_mb']:.1f}x"
    )
    print(
        f"accounting: accepted {ours['accepted']:,}, repaired {ours['repaired']:,}, "
        f"rejected {ours['rejected']:,}, repair records {ours['repairs']:,}, "
        f"balanced {ours['balanced']}"
    )
    ok = ours["wall_s"] <= 10 and ours["peak_mb"] <= 1024
    print("targets (<= 10 s, <= 1 GB):", "met" if ok else "NOT met")
    print(
        f"machine load while measuring: {min(load):.1f}-{max(load):.1f} (1-minute average, "
        f"at the start and the end) on {os.cpu_count()} cores"
    )
    for label, r in imports.items():
        print(
            f"data import --into, {label:>12}: wall {r['wall_s']:6.2f} s  CPU "
            f"{r['cpu_s']:6.2f} s  peak RSS {r['peak_mb']:6.0f} MB  exit {r['exit']}; "
            f"/ baseline: wall {r['wall_s'] / base['wall_s']:.1f}x, "
            f"CPU {r['cpu_s'] / base['cpu_s']:.1f}x"
        )
    if len(imports) == 2:
        new, old = imports.values()
        print(
            f"ratio (old / this code): wall {old['wall_s'] / new['wall_s']:.1f}x, "
            f"CPU {old['cpu_s'] / new['cpu_s']:.1f}x"
        )


if __name__ == "__main__":
    main()
