"""Derive the 2018 force-in-place facts from Geo-PKO v2.3 (reference-only files, never shipped).

Geo-PKO (Cil, Fjelde, Hultman & Nilsson 2020, "Mapping blue helmets: Introducing the Geo-PKO
dataset", Journal of Peace Research 57(2), 360-370; doi:10.1177/0022343319871978) codes the UN's
deployment maps. Its dashboard publishes two yearly aggregates per mission and location:

* ``geopko_TCCMap_v.2.3.csv``: the contributing countries at the location as free text,
  ``"Bangladesh (1400), Belgium (325), ..."`` - the troop figure is the largest of the year's maps
  (``"size unknown"`` where the map gives none);
* ``geopko_TTMap_v.2.3.csv``: the unit types at the location - ``Infantry`` is the mean infantry
  strength over the year's maps, the other columns (``eng, med, sig, av, riv, maint, trans``) count
  the map observations of an engineering, medical, signals, aviation, riverine, maintenance or
  transport unit there.

The licence of these files is not verified, so the package must not contain them. This tool reads
them where they are kept and writes only the derived facts - which contributors, with what troop
figure, stood at which base of which mission in ``year``, and which unit types the base had - to
``tools/facts/geopko_2018.csv``, one row per mission x location x contributor. The scenario builder
(``tools/build_scenario_2018.py``) turns those facts into the ``units_in_place`` table, so that the
bundled scenario rebuilds without the reference-only files.

Run from the repository root::

    python tools/derive_geopko_2018.py --geopko-dir ../shared/data/reference-only
    python tools/derive_geopko_2018.py --geopko-dir DIR --check   # compare with the facts file
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import pandas as pd

from bluehelmet.reference.countries import lookup_iso3

TCC_FILE = "geopko_TCCMap_v.2.3.csv"
TT_FILE = "geopko_TTMap_v.2.3.csv"
OUT = Path(__file__).resolve().parent / "facts" / "geopko_2018.csv"
#: TTMap columns and the unit-type words written in the facts file.
TYPE_COLUMNS = {
    "Infantry": "infantry",
    "eng": "engineering",
    "med": "medical",
    "sig": "signals",
    "av": "aviation",
    "riv": "riverine",
    "maint": "maintenance",
    "trans": "transport",
}
#: Geo-PKO spellings the country lookup does not know, and names that are no country.
ALIASES = {"Korea (ROK)": "KOR", "UK": "GBR", "USA": "USA"}
NOT_A_COUNTRY = frozenset({"Multinational", "TCC name unknown"})
#: One entry of a TCCMap ``year.overview`` list: ``Name (123)`` or ``Name (size unknown)``.
ENTRY = re.compile(r"\s*(?P<name>.+?) \((?P<size>\d+|size unknown)\)\s*(?:,|$)")
COLUMNS = [
    "mission",
    "location",
    "latitude",
    "longitude",
    "contributor",
    "iso3",
    "troops",
    "types_at_location",
]


def parse_overview(text: str, where: str) -> list[tuple[str, int | None]]:
    """Contributors and troop figures of one ``year.overview`` cell.

    Raises
    ------
    ValueError
        Naming ``where`` (file and row) and the text that is not ``Name (number)`` entries.
    """
    out: list[tuple[str, int | None]] = []
    pos = 0
    while pos < len(text):
        hit = ENTRY.match(text, pos)
        if hit is None or hit.end() == pos:
            raise ValueError(
                f"{where}: cannot read {text[pos:].strip()!r} in the contributor list "
                f"{text!r}; expected entries 'Country (number)' or "
                "'Country (size unknown)' separated by commas"
            )
        size = hit["size"]
        out.append((hit["name"].strip(), None if size == "size unknown" else int(size)))
        pos = hit.end()
    return out


def iso3_of(name: str) -> str:
    """ISO3 code of a Geo-PKO contributor name; empty for names that are no country.

    Raises
    ------
    ValueError
        If the name is neither a known country nor one of :data:`NOT_A_COUNTRY`.
    """
    if name in NOT_A_COUNTRY:
        return ""
    code = ALIASES.get(name) or lookup_iso3(name)
    if code is None:
        raise ValueError(
            f"Geo-PKO contributor {name!r} has no ISO3 code; add it to ALIASES "
            f"in {Path(__file__).name}"
        )
    return code


def _types(row: pd.Series) -> str:
    present = [word for col, word in TYPE_COLUMNS.items() if int(float(row[col] or 0)) > 0]
    return ";".join(present)


def derive(tt: pd.DataFrame, tcc: pd.DataFrame, year: int) -> pd.DataFrame:
    """Facts of ``year``: one row per mission x location x contributor (text columns).

    Parameters
    ----------
    tt, tcc
        The TTMap and TCCMap files read as text (``dtype=str``, blanks as ``""``).
    year
        The year to derive.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`; ``troops`` empty where Geo-PKO says "size unknown", ``iso3``
        empty for "Multinational" and unknown contributors. Locations that have unit types in
        TTMap but no contributor in TCCMap keep one row with empty contributor, so that no
        fact is dropped.
    """
    tt_y = tt.loc[tt["year"].astype(int) == year]
    # The dashboard's TTMap keeps one row per mission x year x location; guard against repeats.
    dup = tt_y.duplicated(["mission", "location"], keep=False)
    if dup.any():
        raise ValueError(f"{TT_FILE}: several rows for {sorted(set(tt_y.loc[dup, 'location']))}")
    types = {(r["mission"], r["location"]): _types(r) for _, r in tt_y.iterrows()}
    rows = []
    for idx, r in tcc.loc[tcc["year"].astype(int) == year].iterrows():
        where = f"{TCC_FILE} row {int(str(idx)) + 2}"
        for name, troops in parse_overview(r["year.overview"], where):
            rows.append(
                {
                    "mission": r["mission"],
                    "location": r["location"],
                    "latitude": r["latitude"],
                    "longitude": r["longitude"],
                    "contributor": name,
                    "iso3": iso3_of(name),
                    "troops": "" if troops is None else str(troops),
                    "types_at_location": types.get((r["mission"], r["location"]), ""),
                }
            )
    seen = {(row["mission"], row["location"]) for row in rows}
    for _, r in tt_y.iterrows():
        key = (r["mission"], r["location"])
        if key not in seen and types[key]:
            rows.append(
                {
                    "mission": key[0],
                    "location": key[1],
                    "latitude": r["latitude"],
                    "longitude": r["longitude"],
                    "contributor": "",
                    "iso3": "",
                    "troops": "",
                    "types_at_location": types[key],
                }
            )
    out = pd.DataFrame(rows, columns=COLUMNS)
    return out.sort_values(["mission", "location", "contributor"], ignore_index=True)


def read_geopko(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The TTMap and TCCMap files of ``folder`` as text tables."""
    missing = [f for f in (TT_FILE, TCC_FILE) if not (folder / f).is_file()]
    if missing:
        raise FileNotFoundError(
            f"{folder}: no {', '.join(missing)} (Geo-PKO v2.3 dashboard "
            "files; see docs/data-provenance.md)"
        )

    def read(name: str) -> pd.DataFrame:
        return pd.read_csv(folder / name, dtype=str, keep_default_na=False)

    return read(TT_FILE), read(TCC_FILE)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: derive and write (or check) ``tools/facts/geopko_2018.csv``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--geopko-dir",
        type=Path,
        required=True,
        help="folder with the Geo-PKO v2.3 TTMap and TCCMap files",
    )
    parser.add_argument("--year", type=int, default=2018)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--check",
        action="store_true",
        help="compare with --out instead of writing it; exit 1 if they differ",
    )
    args = parser.parse_args(argv)
    facts = derive(*read_geopko(args.geopko_dir), args.year)
    text = facts.to_csv(index=False, lineterminator="\n")
    if args.check:
        same = args.out.is_file() and args.out.read_text("utf-8") == text
        print(f"{args.out}: {'up to date' if same else 'DIFFERS from a fresh derivation'}")
        return 0 if same else 1
    args.out.write_text(text, "utf-8")
    print(f"wrote {len(facts)} rows ({facts['mission'].nunique()} missions) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
