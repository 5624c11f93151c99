"""Derive MINUSMA's 2018 bases and today's assets for ``bluehelmet/datasets/protect``.

Which towns had a MINUSMA base in 2018, which were mission or sector headquarters, how many
infantry were there and where aviation units stood is read from Geo-PKO v2.3 (reference only: its
data licence is unverified, so the file is not copied; only these facts are derived from it).
Coordinates come from public gazetteers instead: Natural Earth populated places (Bamako), UCDP GED
20.1's geocoded place names (the bundled subset), and for Diabaly, absent from both, its published
coordinates (14 deg 41' N, 6 deg 01' W). Each coordinate is checked against Geo-PKO's (within 5 km).

Run once by a developer: ``python tools/protect_derive_minusma_2018.py [GEOPKO_DIR]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from bluehelmet.protect.geometry import haversine_km
from bluehelmet.reference.files import reference_path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "bluehelmet" / "datasets" / "protect"
GEOPKO = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/data/reference-only")
#: Infantry per deployable company, counting its share of battalion support (assumed: a battalion
#: of ~850 fields 4 rifle companies, Geo-PKO rounds battalions up to 1,100).
INFANTRY_PER_COMPANY = 250
#: Utility helicopters assumed per aviation location (one unit of 3 keeps 2 available).
HELICOPTERS_PER_AVIATION_SITE = 3

#: Geo-PKO location -> (our id, name, gazetteer, place name in the gazetteer)
TOWNS = {
    "Bamako": ("bamako", "Bamako", "ne", "Bamako"),
    "Gao": ("gao", "Gao", "ucdp", "Gao town"),
    "Tombouctou (Timbuktu)": ("timbuktu", "Timbuktu (Tombouctou)", "ucdp", "Tombouctou town"),
    "Kidal": ("kidal", "Kidal", "ucdp", "Kidal town"),
    "Tessalit": ("tessalit", "Tessalit", "ucdp", "Tessalit town"),
    "Aguelhok": ("aguelhok", "Aguelhok", "ucdp", "Aguelhok village"),
    "Mopti/Sevare": ("sevare", "Mopti/Sévaré", "ucdp", "Sévaré town"),
    "Ménaka": ("menaka", "Ménaka", "ucdp", "Menaka town"),
    "Ansongo": ("ansongo", "Ansongo", "ucdp", "Ansongo town"),
    "Ber": ("ber", "Ber", "ucdp", "Ber location"),
    "Goundam": ("goundam", "Goundam", "ucdp", "Goundam town"),
    "Douentza": ("douentza", "Douentza", "ucdp", "Douentza town"),
    "Gossi": ("gossi", "Gossi", "ucdp", "Gossi town"),
    "Dyabali": ("diabaly", "Diabaly", "published", "Diabaly"),
}
PUBLISHED = {"Diabaly": (-(6 + 1 / 60), 14 + 41 / 60)}
GEOPKO_NOTE = (
    "base recorded in Geo-PKO v2.3 (Uppsala University) for MINUSMA in 2018 "
    "(used to derive which towns had bases; Geo-PKO data not copied)"
)


def _coordinates(gazetteer: str, place: str) -> tuple[float, float, str]:
    if gazetteer == "ne":
        ne = pd.read_csv(reference_path("naturalearth_populated_places.csv"))
        row = ne.loc[ne["name"] == place].iloc[0]
        return (
            float(row["longitude"]),
            float(row["latitude"]),
            "coordinates: Natural Earth populated places (public domain)",
        )
    if gazetteer == "ucdp":
        ucdp = pd.read_csv(reference_path("ucdp_ged201_subset_1995_2014.csv"))
        hit = ucdp.loc[ucdp["where_coordinates"] == place, ["longitude", "latitude"]]
        lon, lat = hit.mode().iloc[0]
        return (
            float(lon),
            float(lat),
            f"coordinates: UCDP GED 20.1 geocoded place '{place}' (CC BY 4.0)",
        )
    lon, lat = PUBLISHED[place]
    return (
        lon,
        lat,
        (
            f"coordinates: published position of {place} (14 deg 41' N, 6 deg 01' W, "
            "e.g. Wikipedia); not in the bundled gazetteers"
        ),
    )


def main() -> None:
    """Write minusma_2018_bases.csv and minusma_2018_base_assets.csv."""
    front = pd.read_csv(GEOPKO / "geopko_FrontMap_v.2.3.csv")
    types = pd.read_csv(GEOPKO / "geopko_TTMap_v.2.3.csv")
    front = front.loc[(front["mission"] == "MINUSMA") & (front["year"] == 2018)]
    types = types.loc[(types["mission"] == "MINUSMA") & (types["year"] == 2018)]
    per_town = front.groupby("location").agg(
        infantry=("Infantry", "max"),
        hq=("hq", "max"),
        av=("Av", "max"),
        lon=("longitude", "first"),
        lat=("latitude", "first"),
    )
    aviation = set(types.loc[types["av"] > 0, "location"]) | set(per_town.index[per_town["av"] > 0])
    missing = set(per_town.index) - set(TOWNS)
    if missing:
        raise SystemExit(f"Geo-PKO lists towns without a gazetteer entry here: {missing}")
    bases, assets = [], []
    for loc, row in per_town.iterrows():
        bid, name, gaz, place = TOWNS[str(loc)]
        lon, lat, src = _coordinates(gaz, place)
        off = float(haversine_km(lon, lat, row["lon"], row["lat"]))
        if off > 5:
            raise SystemExit(f"{name}: gazetteer and Geo-PKO positions differ by {off:.1f} km")
        kind = {3: "hq", 2: "sector_hq"}.get(int(row["hq"]), "company_base")
        bases.append(
            {
                "id": f"minusma-{bid}",
                "mission_id": "MINUSMA",
                "name": name,
                "longitude": round(lon, 5),
                "latitude": round(lat, 5),
                "kind": kind,
                "year": 2018,
                "classification": "unclassified",
                "owner": "UN",
                "releasable_to": "",
                "basis": "derived",
                "source": f"{GEOPKO_NOTE}; kind from its headquarters flag; {src}; "
                f"{off:.1f} km from Geo-PKO's position",
            }
        )
        companies = max(1, int(np.rint(row["infantry"] / INFANTRY_PER_COMPANY)))
        assets.append(
            {
                "id": f"minusma-{bid}-infantry",
                "base_id": f"minusma-{bid}",
                "asset_type_id": "infantry_company_road",
                "count": companies,
                "classification": "unclassified",
                "owner": "UN",
                "releasable_to": "",
                "basis": "derived",
                "source": f"Geo-PKO v2.3 MINUSMA 2018: {int(row['infantry'])} infantry at "
                f"{loc}, at {INFANTRY_PER_COMPANY} per deployable road-mobile "
                "company (assumed), at least 1",
            }
        )
        if loc in aviation:
            assets.append(
                {
                    "id": f"minusma-{bid}-helicopters",
                    "base_id": f"minusma-{bid}",
                    "asset_type_id": "utility_helicopter",
                    "count": HELICOPTERS_PER_AVIATION_SITE,
                    "classification": "unclassified",
                    "owner": "UN",
                    "releasable_to": "",
                    "basis": "illustrative",
                    "source": "Geo-PKO v2.3 records an aviation unit at "
                    f"{loc} in 2018; its size is not given: one utility "
                    f"helicopter unit of {HELICOPTERS_PER_AVIATION_SITE} "
                    "aircraft assumed",
                }
            )
    order = {"hq": 0, "sector_hq": 1, "company_base": 2}
    table = pd.DataFrame(bases).sort_values(
        ["kind", "id"], key=lambda s: s.map(order) if s.name == "kind" else s
    )
    table.to_csv(OUT / "minusma_2018_bases.csv", index=False, lineterminator="\n")
    pd.DataFrame(assets).sort_values("id").to_csv(
        OUT / "minusma_2018_base_assets.csv", index=False, lineterminator="\n"
    )
    print(table[["id", "kind", "longitude", "latitude"]].to_string(index=False))


if __name__ == "__main__":
    main()
