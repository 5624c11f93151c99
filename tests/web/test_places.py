"""Place picking: the gazetteer in PostgreSQL, prefix search, the HTMX pick, server-side locate."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import member, unique

pytestmark = pytest.mark.usefixtures("platform")


def _client(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_the_place_table_is_the_librarys_gazetteer() -> None:
    from bluehelmet.intel.gazetteer import gazetteer, lookup
    from bluehelmet.web.reports.models import Place

    table = gazetteer()
    assert Place.objects.count() == len(table)  # loaded once, by the migration
    menaka = Place.objects.get(key="menaka")
    known = lookup(__import__("pandas").Series(["Ménaka"])).iloc[0]
    assert (menaka.longitude, menaka.latitude) == (known["longitude"], known["latitude"])


def test_search_by_prefix_best_first_and_pick_fills_the_location() -> None:
    from bluehelmet.web.reports.places import matches

    assert [p.key for p in matches("GAO")][0] == "gao"  # the exact name first
    assert all(p.key.startswith("mena") for p in matches("Ména"))
    assert matches("   ") == [] and matches("zzzzqx") == []
    client = _client(member(unique("SEC"), 1, ["reporter"]))
    page = client.get("/places/", {"place_name": "tombouc"})
    assert page.status_code == 200 and b"Tombouctou" in page.content
    pk = page.context["places"][0].pk
    picked = client.get(f"/places/{pk}/").content.decode()
    # the three inputs come back with their form ids, marked for HTMX's out-of-band swap
    for field in ("place_name", "longitude", "latitude"):
        assert f'id="id_{field}"' in picked
    assert picked.count('hx-swap-oob="true"') == 3 and 'value="Tombouctou"' in picked
    assert _client_anonymous().get("/places/", {"place_name": "gao"}).status_code == 302


def _client_anonymous() -> Any:
    from django.test import Client

    return Client()


def test_a_report_given_only_a_known_place_name_is_located_by_the_gazetteer() -> None:
    from bluehelmet.web.reports.models import Place, Report

    org = unique("SEC")
    client = _client(member(org, 1, ["reporter"]))
    form = {
        "time": "2018-06-01",
        "time_precision": "day",
        "category": "ied",
        "source_type": "patrol",
        "reliability": "B",
        "credibility": "2",
        "classification": "confidential",
        "releasable_to": "",
    }
    known = client.post("/reports/new/", {**form, "place_name": "MENAKA", "description": "a"})
    assert known.status_code == 302
    unknown = client.post("/reports/new/", {**form, "place_name": "Nowhere-x", "description": "b"})
    assert unknown.status_code == 302
    stored = Report.objects.using("owner")
    menaka = Place.objects.get(key="menaka")
    located = stored.get(owner=org, description="a")
    assert (located.longitude, located.latitude) == (menaka.longitude, menaka.latitude)
    assert located.place_precision_km == menaka.precision_km
    assert stored.get(owner=org, description="b").longitude is None  # kept as a name only
