"""Real Chromium (Debian's) against the platform served by waitress, as ``serve`` runs it.

A civilian posts an alert; the community liaison sees it with the reporter's identity; an
analyst of another section sees it without; a contributor's user sees none of it in the list,
the count, the map, the export or the API; the auditor (signing in with TOTP) finds the
decryption and the contributor's denied attempt in the access log.
"""

from __future__ import annotations

from typing import Any

from tests.web.conftest import login, new_context, unique


def test_alert_walk(platform: dict[str, Any], server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    from bluehelmet.web.reports.models import Report

    users = platform["users"]
    text = f"Armed men on motorbikes near the well {unique('w')}"
    name, phone = "Fatoumata Maïga", "+223 76 55 44 33"

    civilian = new_context(browser).new_page()
    civilian.goto(f"{server}/alert/")
    civilian.fill("#id_text", text)
    civilian.fill("#id_place_name", "Tessit")
    civilian.select_option("#id_category", "armed_group_movement")
    civilian.fill("#id_name", name)
    civilian.fill("#id_phone", phone)
    civilian.click("button[type=submit]")
    civilian.get_by_test_id("alert-received").wait_for()  # sent by alert-queue.js
    uid = Report.objects.using("owner").get(description=text).uid

    liaison = login(browser, server, users["liaison"])
    liaison.goto(f"{server}/reports/")
    liaison.click(f"text={uid}")
    liaison.get_by_test_id("reveal").click()
    expect(liaison.get_by_test_id("identity")).to_contain_text(name)
    expect(liaison.get_by_test_id("identity")).to_contain_text(phone)

    analyst = login(browser, server, users["analyst"])  # MINUSMA-JMAC, another section
    analyst.goto(f"{server}/reports/")
    analyst.click(f"text={uid}")
    expect(analyst.get_by_test_id("description")).to_have_text(text)
    expect(analyst.get_by_test_id("reveal")).to_have_count(0)
    assert name not in analyst.content() and phone not in analyst.content()

    contributor = login(browser, server, users["contributor"])  # NLD
    count = int(contributor.get_by_test_id("report-count").inner_text())
    contributor.goto(f"{server}/reports/")
    assert int(contributor.get_by_test_id("list-count").inner_text()) == count
    assert uid not in contributor.content()
    api = contributor.request.get(f"{server}/api/reports?limit=1000").json()
    assert api["count"] == count
    assert uid not in {r["id"] for r in api["results"]}
    assert all(r["source_type"] != "community_alert" for r in api["results"])
    assert contributor.request.get(f"{server}/api/reports/{uid}").status == 404
    assert contributor.request.get(f"{server}/reports/{uid}/").status == 404
    # and the contributor does see what was released to NLD
    assert "demo-patrol-2" in {r["id"] for r in api["results"]}
    export = contributor.request.get(f"{server}/reports/export.csv").text()
    assert uid not in export and len(export.strip().splitlines()) == count + 1
    problems: list[str] = []  # CSP violations, missing assets and script errors show here
    contributor.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    contributor.goto(f"{server}/map/")
    contributor.wait_for_selector("#map[data-features]", state="attached")
    layer = contributor.request.get(f"{server}/map/reports.geojson").json()["features"]
    on_map = {f["properties"]["id"] for f in layer}
    status = contributor.get_by_test_id("map-status").inner_text()
    assert status == f"{len(layer)} reports on the map"
    assert "demo-patrol-2" in on_map and "demo-patrol-1" not in on_map and uid not in on_map
    assert on_map == {r["id"] for r in api["results"] if r["longitude"] is not None}
    assert problems == []

    auditor = login(browser, server, users["auditor"])  # with the TOTP code
    auditor.goto(f"{server}/audit/?action=decrypt&target={uid}")
    found = auditor.locator("tbody tr").all_inner_texts()
    assert len(found) == 1 and "liaison" in found[0] and name not in found[0]
    auditor.goto(f"{server}/audit/?username=contributor&action=denied")
    assert any(f"report:{uid}" in row for row in auditor.locator("tbody tr").all_inner_texts())
