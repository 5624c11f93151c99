import numpy as np
import pandas as pd
import pytest

from bluehelmet.reference import countries as c
from bluehelmet.reference.files import reference_path


def test_countries_table_shape_and_fixes() -> None:
    df = c.countries()
    assert list(df.columns) == c.COLUMNS
    assert df["iso3"].is_unique
    assert "-99" not in set(df["iso3"])
    assert (df.loc[df["iso3"] == "XKX", "name"] == "Kosovo").all()
    assert {"MLT", "BHR", "SGP", "MUS"} <= set(df["iso3"])
    assert set(df["region"].dropna()) <= {
        "africa",
        "americas",
        "asia",
        "europe",
        "middle_east",
        "oceania",
    }
    # France's point lies in metropolitan France, not French Guiana
    fra = df.set_index("iso3").loc["FRA"]
    assert 40 < fra["latitude"] < 52 and -5 < fra["longitude"] < 9
    assert c.country_name("COD") == "Democratic Republic of the Congo"
    assert c.country_name("ZZZ") is None


def test_countries_returns_copy() -> None:
    df = c.countries()
    df.loc[0, "name"] = "changed"
    assert c.countries().loc[0, "name"] != "changed"


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("Côte d’Ivoire", "CIV"),
        ("Cote d Ivoire", "CIV"),
        ("United Republic of Tanzania", "TZA"),
        ("Republic of Korea", "KOR"),
        ("Bolivia (Plurinational State of)", "BOL"),
        ("Viet Nam", "VNM"),
        ("Iran (Islamic Republic of)", "IRN"),
        ("Malta", "MLT"),
        ("Bahrain", "BHR"),
        ("Singapore", "SGP"),
        ("Mauritius", "MUS"),
        ("  MALI ", "MLI"),
        ("dem. rep.   congo", "COD"),
        ("Kosovo", "XKX"),
    ],
)
def test_lookup_iso3(name: str, iso3: str) -> None:
    assert c.lookup_iso3(name) == iso3


def test_lookup_unknown() -> None:
    assert c.lookup_iso3("Atlantis") is None
    assert c.lookup_iso3("") is None


def test_every_un_contribution_name_resolves() -> None:
    year = pd.read_csv(reference_path("un_contributions_country_mission_year.csv"))
    rank = pd.read_csv(reference_path("un_contributions_rank_2021-01.csv"), encoding="utf-8-sig")
    names = set(year["Country"]) | set(rank["Contributing_Country"])
    missing = sorted(n for n in names if c.lookup_iso3(n) is None)
    assert missing == []
    # where the UN gives the code, the lookup agrees with it
    for name, code in zip(rank["Contributing_Country"], rank["ISOCode3"], strict=True):
        assert c.lookup_iso3(name) == code


def test_contains_and_country_at() -> None:
    bamako = (-8.0, 12.65)
    assert c.contains("MLI", *bamako)
    assert not c.contains("MLI", bamako[1], bamako[0])
    assert not c.contains("MLT", 14.5, 35.9)  # no outline for small states
    assert not c.contains("MLI", float("nan"), 12.0)
    assert c.country_at(*bamako) == "MLI"
    assert c.country_at(0.0, 0.0) is None
    assert c.outline("MLI") is not None and c.outline("MLT") is None


def test_countries_at_vectorised_matches_scalar() -> None:
    rng = np.random.default_rng(1)
    lons = rng.uniform(-20, 50, 300)
    lats = rng.uniform(-35, 40, 300)
    lons[0] = np.nan
    got = c.countries_at(lons, lats)
    assert got[0] is None
    for lon, lat, iso in zip(lons[1:], lats[1:], got[1:], strict=True):
        if iso is not None:
            assert c.contains(iso, lon, lat)
