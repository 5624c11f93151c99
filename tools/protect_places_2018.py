"""Derive the 2018 places and airfields of the protection missions for ``datasets/protect``.

Two tables, for the missions with a protection-of-civilians mandate (``poc_mandates.csv``):

* ``places_2018.csv``: a position for every place the scenario's force in place
  (``units_in_place.csv``) names in ``other_locations`` but gives no coordinates for. The
  positions of the units' main locations are the scenario's own (the one source of base
  positions); this table only fills in the others, from open gazetteers: MINUSMA's bundled bases
  (``minusma_2018_bases.csv``), GeoNames (``geonames_host_places.csv.gz``, CC BY 4.0) and UCDP
  GED 20.1's geocoded place names (CC BY 4.0). Each position found is checked against Geo-PKO
  v2.3's for the same mission, year and place (reference only, not copied) and dropped if more
  than :data:`MAX_KM` away; places no open gazetteer names are left out and listed.
* ``airfields_2018.csv``: the aerodromes with an ICAO location indicator within
  :data:`AIRFIELD_KM` of a place of the mission, from ``airportsdata`` (MIT; compiled from
  OurAirports and national aeronautical publications), with Geo-PKO's 2018 aviation flag at the
  nearest place. Helicopters of the protection model stand only at these airfields.

Run once by a developer (needs ``pip install airportsdata``):
``python tools/protect_places_2018.py [GEOPKO_DIR]``.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from bluehelmet.geodesy import haversine_km
from bluehelmet.io.ucdp import read_ucdp
from bluehelmet.protect.inputs import ucdp_places
from bluehelmet.reference.files import reference_path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "bluehelmet" / "datasets" / "protect"
SCENARIO = ROOT / "src" / "bluehelmet" / "datasets" / "scenarios" / "2018"
GEOPKO = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/data/reference-only")
#: Largest distance between an open gazetteer's position and Geo-PKO's for the same place.
MAX_KM = 10.0
#: Aerodromes this close to a place of the mission are listed as its airfields.
AIRFIELD_KM = 15.0
#: ISO 3166-1 alpha-2 codes of the host countries (airportsdata uses them).
ALPHA2 = {"MLI": "ML", "CAF": "CF", "COD": "CD", "SSD": "SS", "SDN": "SD", "LBN": "LB"}


def _key(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def _gazetteers(iso3: str, mission: str) -> list[tuple[str, pd.DataFrame]]:
    """Open gazetteers for a host country: (label, name, longitude, latitude) tables."""
    out: list[tuple[str, pd.DataFrame]] = []
    bases = OUT / f"{mission.lower()}_2018_bases.csv"
    if bases.exists():
        b = pd.read_csv(bases)
        rows = []
        for r in b.itertuples():
            parts = str(r.name).replace("(", "/").replace(")", "").split("/")
            for part in [str(r.name), *parts]:
                rows.append(
                    {
                        "name": part.strip(),
                        "longitude": r.longitude,
                        "latitude": r.latitude,
                        "source": f"{bases.name}: {r.source}",
                    }
                )
        out.append(("bases", pd.DataFrame(rows)))
    g = pd.read_csv(reference_path("geonames_host_places.csv.gz"), keep_default_na=False)
    g = g.loc[g["iso3"] == iso3]
    rows = []
    for r in g.itertuples():
        for n in [r.name, *str(r.alternate_names).split(";")]:
            if n:
                rows.append(
                    {
                        "name": n,
                        "longitude": r.longitude,
                        "latitude": r.latitude,
                        "source": f"GeoNames {r.geonameid} '{r.name}' (CC BY 4.0)",
                    }
                )
    out.append(("geonames", pd.DataFrame(rows)))
    events = pd.concat(
        [
            read_ucdp(reference_path(f)).table
            for f in ("ucdp_ged201_subset_1995_2014.csv", "ucdp_ged201_subset_2015_2017.csv")
        ]
    )
    u = ucdp_places(events).assign(
        source=lambda t: "UCDP GED 20.1 geocoded place '" + t["name"] + "' (CC BY 4.0)"
    )
    out.append(("ucdp", u))
    return out


def places(
    units: pd.DataFrame, missions: pd.DataFrame, poc: list[str], geopko: pd.DataFrame
) -> tuple[pd.DataFrame, list[str]]:
    """Positions for the other locations of the PoC missions' units in place, and the misses."""
    rows, missing = [], []
    for mission in poc:
        sub = units.loc[units["mission_id"] == mission]
        main = set(sub["location"])
        others = sorted({n for o in sub["other_locations"].dropna() for n in o.split(";")} - main)
        iso3 = str(missions.at[mission, "host_iso3"])
        gaz = _gazetteers(iso3, mission)
        ref = geopko.loc[(geopko["mission"] == mission) & (geopko["year"] == 2018)]
        ref = ref.drop_duplicates("location").set_index("location")
        for name in others:
            found = None
            for _label, table in gaz:
                hit = table.loc[table["name"].map(_key) == _key(name)]
                if hit.empty:
                    continue
                r = hit.iloc[0]
                if name in ref.index:
                    d = float(
                        haversine_km(
                            r.longitude,
                            r.latitude,
                            ref.at[name, "longitude"],
                            ref.at[name, "latitude"],
                        )
                    )
                    if d > MAX_KM:
                        continue
                    check = f"; {d:.1f} km from Geo-PKO v2.3's position"
                else:
                    check = "; not in Geo-PKO v2.3's 2018 locations of the mission"
                found = {
                    "mission_id": mission,
                    "name": name,
                    "longitude": round(float(r.longitude), 5),
                    "latitude": round(float(r.latitude), 5),
                    "basis": "derived",
                    "source": f"place named by the force in place (units_in_place "
                    f"other_locations; Cil et al. 2020, Geo-PKO v2.3); position: "
                    f"{r.source}{check}",
                }
                break
            if found is None:
                missing.append(f"{mission}: {name}")
            else:
                rows.append(found)
    return pd.DataFrame(rows), missing


def airfields(
    units: pd.DataFrame,
    found: pd.DataFrame,
    missions: pd.DataFrame,
    poc: list[str],
    geopko: pd.DataFrame,
) -> pd.DataFrame:
    """ICAO aerodromes within :data:`AIRFIELD_KM` of a place of each PoC mission."""
    import airportsdata

    ad = pd.DataFrame(airportsdata.load("ICAO").values())
    version = getattr(airportsdata, "__version__", "")
    rows = []
    for mission in poc:
        sub = units.loc[units["mission_id"] == mission]
        pl = pd.concat(
            [
                sub[["location", "longitude", "latitude"]].rename(columns={"location": "name"}),
                found.loc[found["mission_id"] == mission, ["name", "longitude", "latitude"]],
            ]
        )
        pl = pl.drop_duplicates("name").reset_index(drop=True)
        iso3 = str(missions.at[mission, "host_iso3"])
        cand = ad.loc[ad["country"] == ALPHA2[iso3]]
        av = geopko.loc[(geopko["mission"] == mission) & (geopko["year"] == 2018)]
        av = av.groupby("location")["Av"].max()
        for r in cand.itertuples():
            d = haversine_km(
                pl["longitude"].to_numpy(float), pl["latitude"].to_numpy(float), r.lon, r.lat
            )
            k = int(np.argmin(d))
            if d[k] > AIRFIELD_KM:
                continue
            near = str(pl.at[k, "name"])
            rows.append(
                {
                    "id": f"{mission.lower()}-{r.icao.lower()}",
                    "mission_id": mission,
                    "icao": r.icao,
                    "name": r.name,
                    "longitude": round(float(r.lon), 5),
                    "latitude": round(float(r.lat), 5),
                    "near_place": near,
                    "km_to_place": round(float(d[k]), 1),
                    "aviation_2018": bool(av.get(near, 0) > 0),
                    "classification": "unclassified",
                    "owner": "UN",
                    "releasable_to": "",
                    "basis": "derived",
                    "source": f"airportsdata {version} (MIT; OurAirports and national AIPs): ICAO "
                    f"{r.icao} '{r.name}', {float(d[k]):.1f} km from {near}; aviation "
                    "at that place in 2018: Geo-PKO v2.3 (Cil et al. 2020), used as a "
                    "fact only",
                }
            )
    return pd.DataFrame(rows).sort_values(["mission_id", "id"]).reset_index(drop=True)


def main() -> None:
    """Write the tables and print what was found."""
    units = pd.read_csv(SCENARIO / "units_in_place.csv")
    missions = pd.read_csv(SCENARIO / "missions.csv").set_index("id")
    poc = pd.read_csv(OUT / "poc_mandates.csv")["mission_id"].tolist()
    front = pd.read_csv(GEOPKO / "geopko_FrontMap_v.2.3.csv", low_memory=False)
    found, missing = places(units, missions, poc, front)
    found.to_csv(OUT / "places_2018.csv", index=False)
    fields = airfields(units, found, missions, poc, front)
    fields.to_csv(OUT / "airfields_2018.csv", index=False)
    print(f"{len(found)} places, {len(missing)} without an open-gazetteer position:")
    print("; ".join(missing))
    print(fields.groupby("mission_id").size().to_string())


if __name__ == "__main__":
    main()
