"""Compute the bundled 2018 risk layers of the protection missions (``risk_2018.csv``).

For every mission of ``poc_mandates.csv``: the early warning's probability of civilian deaths in
2018 in each PRIO-GRID cell of the host country (:func:`bluehelmet.protect.planning.
risk_from_events`: trained on the country and 5 degrees around it), from the bundled UCDP GED
20.1 events of 1995-2017 (every year before 2018; none after). The brief reads this file instead
of training seven models (about 10 s each); ``tests/protect/test_poc.py`` recomputes one mission
and compares. Each cell also gets its civilian deaths of 2015-2017 and their Gi* hotspot z-score
and flag (:func:`bluehelmet.protect.poc.mission_hotspots`).
Run: ``python tools/protect_risk_2018.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from bluehelmet.protect.force import poc_mandates
from bluehelmet.protect.inputs import EVENT_FILES, bundled_events
from bluehelmet.protect.poc import HOTSPOT_YEARS, RISK_YEAR, mission_hotspots, mission_risk
from bluehelmet.scenario.io import load_scenario

OUT = Path(__file__).resolve().parents[1] / "src" / "bluehelmet" / "datasets" / "protect"


def main() -> None:
    """Write the tables and print what was found."""
    missions = load_scenario("2018").missions.set_index("id")
    events = bundled_events()
    frames = []
    notes = {}
    for mission in poc_mandates()["mission_id"]:
        risk, note = mission_risk(str(missions.at[mission, "host_iso3"]), events, RISK_YEAR)
        spots = mission_hotspots(risk, events, RISK_YEAR - 1)
        risk["civilian_deaths"] = spots["civilian_deaths"].to_numpy()
        risk["hotspot_z"] = spots["z"].round(4).to_numpy()
        risk["hotspot"] = spots["hotspot"].to_numpy()
        frames.append(risk.assign(mission_id=mission))
        notes[mission] = note
        print(mission, len(risk), note)
    out = pd.concat(frames, ignore_index=True)[
        [
            "mission_id",
            "cell_id",
            "longitude",
            "latitude",
            "risk",
            "civilian_deaths",
            "hotspot_z",
            "hotspot",
        ]
    ]
    out["risk"] = out["risk"].round(6)
    out.to_csv(OUT / "risk_2018.csv", index=False)
    years = pd.to_numeric(events["year"])
    meta = {
        "target_year": RISK_YEAR,
        "first_year": int(years.min()),
        "last_year": int(years.max()),
        "events": list(EVENT_FILES),
        "notes": notes,
        "hotspot_years": [RISK_YEAR - HOTSPOT_YEARS, RISK_YEAR - 1],
        "generator": "tools/protect_risk_2018.py (bluehelmet.intel.early_warning)",
    }
    (OUT / "risk_2018.json").write_text(json.dumps(meta, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
