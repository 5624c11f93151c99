"""Build the bundled debate data (``bluehelmet/datasets/debate``) from ``../shared/data``.

Run from the repository root: ``python tools/build_debate_data.py [SHARED_DATA_DIR]``.
Writes ``un_psdh_fatalities.csv``: the UN Peace and Security Data Hub fatalities file reduced to
the columns the brief uses, one row per casualty (duplicated casualty ids dropped, the trailing
space of ``Local `` removed). See ``datasets/debate/PROVENANCE.md``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

COLUMNS = {
    "casualty_id": "casualty_id",
    "incident_date": "incident_date",
    "mission_acronym": "mission_id",
    "casualty_personnel_type": "personnel_type",
    "type_of_incident": "incident_type",
    "isocode3": "nationality_iso3",
}


def main(shared: Path) -> None:
    """Read the fatalities file from ``shared`` and write the package's copy."""
    raw = pd.read_csv(shared / "un_psdh_fatalities_1948_2025.csv", dtype="string")
    out = raw[list(COLUMNS)].rename(columns=COLUMNS)
    for column in out.columns:
        out[column] = out[column].str.strip()
    out = out.drop_duplicates("casualty_id").sort_values(["incident_date", "casualty_id"])
    target = Path(__file__).resolve().parents[1] / "src/bluehelmet/datasets/debate"
    out.to_csv(target / "un_psdh_fatalities.csv", index=False)
    print(f"{len(out)} casualties written ({len(raw) - len(out)} duplicated ids dropped)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/data"))
