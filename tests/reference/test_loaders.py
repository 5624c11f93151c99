from bluehelmet.io.ucdp import OUTPUT_COLUMNS
from bluehelmet.reference import contributions_by_year, ucdp_events, un_missions
from bluehelmet.reference.places import distance_km, find_places


def test_contributions_by_year() -> None:
    table = contributions_by_year()
    assert not table["padding"].any()
    assert table["year"].between(2010, 2021).all()
    complete = table.groupby("year")["complete_year"].first()
    assert not complete[[2010, 2017, 2021]].any() and complete[[2015, 2018]].all()
    assert (table["women"] + table["men"] == table["total"]).all()
    assert len(contributions_by_year(include_padding=True)) == 57425


def test_ucdp_events_contract() -> None:
    events = ucdp_events()
    assert list(events.columns) == OUTPUT_COLUMNS and len(events) == 41396


def test_un_missions() -> None:
    missions = un_missions().set_index("id")
    assert missions.loc["MINUSMA", "longitude"] == -8.0
    assert "DOMREP" not in missions.index and "UNOSOM" not in missions.index


def test_places() -> None:
    hits = find_places("Islamabad (Nov-Apr) and Srinagar (May-Oct) ")
    assert set(hits["iso3"]) == {"PAK", "IND"}
    assert find_places("Laayoune")["iso3"].tolist() == ["ESH"]
    assert abs(float(distance_km(0, 0, 1, 0)[()]) - 111.19) < 0.1
