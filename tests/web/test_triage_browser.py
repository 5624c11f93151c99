"""Real Chromium: triage and the operations picture, as the demo's users do them.

An analyst fuses two reports into an incident from the fusion engine's proposal (HTMX swaps the
proposal in place); a contributor cannot see it; an approver downgrades it; the contributor then
sees the incident but none of its reports; the auditor finds the triage, the downgrade and the
contributor's denied attempt. The analyst's map shows the layers, the time slider narrows them,
and HTMX filters the report list; no page raises a console error (so no CSP violation).

With ``BLUEHELMET_SCREENSHOTS=folder`` the walk saves the screenshots used in docs/platform.md.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from tests.web.conftest import login

SHOTS = os.environ.get("BLUEHELMET_SCREENSHOTS")


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / name), full_page=True)


def _errors(page: Any) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    return problems


def test_triage_walk(platform: dict[str, Any], server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    users = platform["users"]
    analyst = login(browser, server, users["analyst"])
    problems = _errors(analyst)
    triage = f"{server}/incidents/triage/?from=2018-06&to=2018-06"
    analyst.goto(triage)
    proposal = analyst.get_by_test_id("proposal").filter(has_text="demo-au-2")
    expect(proposal).to_have_count(1)
    expect(proposal).to_contain_text("demo-patrol-1")
    proposal.locator("input[name=reason]").fill("column of pick-ups seen by a patrol and the AU")
    _shot(analyst, "platform_triage.png")
    proposal.get_by_test_id("accept").click()
    accepted = analyst.get_by_test_id("accepted")
    expect(accepted).to_be_visible()
    expect(analyst).to_have_url(triage)  # HTMX swapped the proposal in place
    uid = accepted.locator("a").inner_text()
    accepted.locator("a").click()
    expect(analyst).to_have_url(f"{server}/incidents/{uid}/")
    expect(analyst.get_by_test_id("marking")).to_have_text(re.compile(r"^CONFIDENTIAL"))
    expect(analyst.get_by_test_id("incident-reports")).to_have_text(re.compile(r"^([2-9]|\d\d+)$"))

    contributor = login(browser, server, users["contributor"])
    assert contributor.request.get(f"{server}/incidents/{uid}/").status == 404

    approver = login(browser, server, users["approver"])
    approver.goto(f"{server}/incidents/{uid}/")
    approver.select_option("select[name=to_level]", "unclassified")
    approver.fill(
        "form:has([data-testid=downgrade]) input[name=reason]",
        "the movement is public knowledge in Ménaka",
    )
    approver.get_by_test_id("downgrade").click()  # the page reloads with the new marking
    expect(approver.get_by_test_id("marking")).to_have_text(re.compile(r"^UNCLASSIFIED"))
    _shot(approver, "platform_incident.png")

    contributor.goto(f"{server}/incidents/{uid}/")
    expect(contributor.get_by_test_id("incident-reports")).to_have_text("0")
    expect(contributor.locator("body")).not_to_contain_text("demo-patrol-1")
    expect(contributor.locator("body")).not_to_contain_text("demo-au-2")

    auditor = login(browser, server, users["auditor"])
    auditor.goto(f"{server}/audit/?target=incident:{uid}")
    rows = auditor.locator("tbody tr")
    for who, *what in (
        ("analyst", "triage", "accept"),
        ("approver", "downgrade"),
        ("contributor", "denied"),
    ):
        found = rows.filter(has_text=who)
        for word in what:
            found = found.filter(has_text=word)
        expect(found).not_to_have_count(0)
    assert problems == []


def test_map_layers_slider_and_list_filter(
    platform: dict[str, Any], server: str, browser: Any
) -> None:
    from playwright.sync_api import expect

    analyst = login(browser, server, platform["users"]["analyst"])
    problems = _errors(analyst)
    analyst.goto(f"{server}/map/")
    analyst.wait_for_selector("#map[data-features]", state="attached")
    status = analyst.get_by_test_id("map-status").inner_text()
    total = int(status.split()[0])
    analyst.check("input[name=layer][value=hotspots]")
    analyst.wait_for_selector("#map[data-hotspots-features]", state="attached")
    expect(analyst.get_by_test_id("map-marking")).to_have_text("confidential")
    _shot(analyst, "platform_map_layers.png")
    slider = analyst.locator("#to-year")
    slider.fill(slider.get_attribute("min") or "")  # the first year only
    expect(analyst.get_by_test_id("map-status")).not_to_have_text(status)
    assert int(analyst.get_by_test_id("map-status").inner_text().split()[0]) < total

    analyst.goto(f"{server}/reports/")
    before = int(analyst.get_by_test_id("list-count").inner_text())
    analyst.select_option("select[name=category]", "displacement")
    expect(analyst.get_by_test_id("list-count")).not_to_have_text(str(before))
    assert "category=displacement" in analyst.url  # HTMX swapped the rows and pushed the URL
    after = int(analyst.get_by_test_id("list-count").inner_text())
    assert 0 < after < before
    assert problems == []
