"""Real Chromium (Debian's) through the force-generation walk of issue 14.

A member state (the demo's ``nld``) registers a pledge; another (``sen``) cannot see it in the
list, the count, the API, the export or by its address; DPO force generation (``fgo``) records
the assessment visit and moves the pledge to L2; a planner runs a plan as a job (a worker thread
beside the server, as ``serve`` runs one), watches it finish (the page's body polled with HTMX,
under the strict CSP, without reloading), downloads the briefing and
publishes the requirements; the first member state sees the request addressed to it, the other
does not, and cannot open the plan.

With ``BLUEHELMET_SCREENSHOTS=folder`` the walk saves the screenshots of docs/platform.md there.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import login as signed_in
from tests.web.conftest import serving

pytestmark = pytest.mark.slow
SHOTS = os.environ.get("BLUEHELMET_SCREENSHOTS")


@pytest.fixture(scope="module")
def server(platform: dict[str, Any]) -> Iterator[str]:
    """The platform under waitress, with one job worker thread, as ``serve`` runs them."""
    with serving(worker=True) as url:
        yield url


def login(browser: Any, server: str, user: dict[str, str]) -> Any:
    """A page signed in as a demo user, at the screenshots' size."""
    return signed_in(browser, server, user, viewport={"width": 1200, "height": 900})


def shot(page: Any, name: str) -> None:
    """Save a screenshot for the docs when asked to."""
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"forcegen_{name}.png"), full_page=True)


def test_force_generation_walk(platform: dict[str, Any], server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    users = platform["users"]
    today = dt.date.today().isoformat()

    nld = login(browser, server, users["nld"])
    nld.goto(f"{server}/forcegen/")
    nld.get_by_test_id("register-pledge").click()
    nld.select_option("#id_unit_type_id", "attack_heli")
    nld.fill("#id_count", "1")
    nld.select_option("#id_pcrs_level", "L2")
    nld.fill("#id_available_from", "2018-07-01")
    nld.fill("#id_women_share", "0.12")
    nld.fill("#id_languages", "en;nl")
    nld.fill("#id_national_restrictions", "no offensive operations")
    shot(nld, "register")
    nld.get_by_test_id("save-pledge").click()
    expect(nld.get_by_test_id("pledge-id")).to_have_text(re.compile(r"^PLG-NLD-attack_heli-"))
    uid = nld.get_by_test_id("pledge-id").inner_text()
    expect(nld.get_by_test_id("pledge-level")).to_have_text("not verified")

    sen = login(browser, server, users["sen"])
    sen.goto(f"{server}/forcegen/")
    count = int(sen.get_by_test_id("pledge-count").inner_text())
    sen.goto(f"{server}/forcegen/pledges/")
    assert int(sen.get_by_test_id("pledge-list-count").inner_text()) == count
    assert uid not in sen.content()
    api = sen.request.get(f"{server}/api/forcegen/pledges?limit=1000").json()
    assert api["count"] == count and uid not in {p["id"] for p in api["results"]}
    assert sen.request.get(f"{server}/api/forcegen/pledges/{uid}").status == 404
    assert sen.request.get(f"{server}/forcegen/pledges/{uid}/").status == 404
    assert uid not in sen.request.get(f"{server}/forcegen/pledges/export.csv").text()

    fgo = login(browser, server, users["fgo"])
    fgo.goto(f"{server}/forcegen/pledges/{uid}/")
    fgo.select_option("[data-testid=stage-select]", "assessment_visit")
    fgo.fill("[data-testid=stage-date]", today)
    fgo.get_by_test_id("record-stage").click()  # the page reloads with the stage recorded
    expect(fgo.get_by_test_id("stages")).to_contain_text("assessment_visit")
    fgo.select_option("[data-testid=stage-select]", "L2")
    fgo.get_by_test_id("record-stage").click()
    expect(fgo.get_by_test_id("pledge-level")).to_have_text("L2")
    shot(fgo, "stages")

    planner = login(browser, server, users["planner"])
    planner.goto(f"{server}/forcegen/plans/")
    planner.fill("[data-testid=plan-title]", "MINUSMA, budget year 2018/19")
    planner.fill("[data-testid=plan-horizon]", "12")
    planner.select_option("[data-testid=plan-missions]", "MINUSMA")
    planner.check("[data-testid=plan-brief]")
    blocked: list[str] = []  # the strict CSP would report here anything HTMX needed inline
    planner.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )
    planner.get_by_test_id("start-plan").click()
    expect(planner.locator("#plan-body[hx-trigger='every 2s']")).to_be_attached()
    planner.evaluate("window.bhSamePage = true")  # gone if the page reloaded
    progress = planner.get_by_test_id("plan-progress")
    expect(progress).to_contain_text("briefing", timeout=600_000)  # the last stage: running
    shot(planner, "plan_running")
    expect(planner.get_by_test_id("plan-status")).to_have_text("done", timeout=600_000)
    assert planner.evaluate("window.bhSamePage === true")  # HTMX swapped the body in place
    assert planner.locator("#plan-body[hx-trigger]").count() == 0  # polling stopped
    assert not blocked, blocked
    expect(planner.get_by_test_id("plan-progress")).to_contain_text("optimal")
    plan_url = planner.url
    shot(planner, "plan_done")
    brief = planner.request.get(f"{plan_url}files/brief.html")
    assert brief.status == 200 and "<html" in brief.text().lower()
    assert planner.request.get(f"{plan_url}files/brief.pdf").body()[:4] == b"%PDF"
    planner.get_by_test_id("publish").click()
    expect(planner.get_by_test_id("published")).to_be_visible()

    nld.goto(f"{server}/forcegen/requests/")
    expect(nld.get_by_test_id("requests-mine")).to_contain_text("attack_heli")
    expect(nld.get_by_test_id("requests-mine")).to_contain_text("MINUSMA")
    shot(nld, "requests")
    sen.goto(f"{server}/forcegen/requests/")
    assert "attack_heli" not in sen.get_by_test_id("requests-mine").inner_text()
    assert uid not in sen.content()  # the published lines it is shown do not name the pledge
    assert sen.request.get(plan_url).status == 403
    assert sen.request.get(f"{plan_url}files/brief.html").status == 403
