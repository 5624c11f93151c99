"""Real Chromium: the alert form offline (queued, sent once when back online); a CSV upload;
place picking from the gazetteer in the report form."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import login, new_context, unique


def test_alert_is_kept_offline_and_sent_once_when_back_online(
    platform: dict[str, Any], server: str, browser: Any
) -> None:
    from playwright.sync_api import expect

    from bluehelmet.web.reports.models import Report

    stored = Report.objects.using("owner")
    text = f"Des hommes armés près du marché {unique('m')}"
    context = new_context(browser)
    page = context.new_page()
    problems: list[str] = []  # CSP violations and script errors (offline requests fail: fine)
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{server}/alert/fr/")
    context.set_offline(True)
    page.fill("#id_text", text)
    page.fill("#id_place_name", "Ménaka")
    page.fill("#id_phone", "+223 70 11 22 33")
    page.click("button[type=submit]")
    expect(page.locator("#alert-status[data-state=queued]")).to_contain_text("Pas de connexion")
    queued = page.evaluate("JSON.parse(localStorage.getItem('bluehelmet.alert-queue'))")
    assert len(queued) == 1 and len(queued[0]["key"]) == 32
    assert not stored.filter(description=text).exists()

    context.set_offline(False)  # the 'online' event sends the queue
    page.get_by_test_id("alert-received").wait_for()
    page.wait_for_function("localStorage.getItem('bluehelmet.alert-queue') === '[]'")
    report = stored.get(description=text)
    assert report.source.endswith("(fr)") and report.place_name == "Ménaka"
    assert "+223" not in str(report.__dict__)

    # a resend of the same alert (an answer lost on the way back) stores nothing new
    again = page.request.post(
        queued[0]["action"],
        data=queued[0]["body"],
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert again.status == 200
    assert stored.filter(description=text).count() == 1

    # offline again, and the CSRF cookie lost meanwhile: the queue fetches a new token
    later = f"Second alert {unique('m')}"
    context.set_offline(True)
    page.fill("#id_text", later)
    page.click("button[type=submit]")
    page.wait_for_selector("#alert-status[data-state=queued]")
    context.clear_cookies()
    context.set_offline(False)
    page.get_by_test_id("alert-received").wait_for()
    assert stored.filter(description=later).count() == 1
    assert problems == []
    context.close()


def test_reporter_uploads_a_csv_and_downloads_the_rejects(
    platform: dict[str, Any], server: str, browser: Any, tmp_path: Path
) -> None:
    good, wrong_owner = unique("joc"), unique("joc")
    path = tmp_path / "joc-patrols.csv"
    path.write_text(
        "id,time,longitude,latitude,category,source_type,description,classification,owner,"
        "source\n"
        f"{good},2018-06-02,-0.04,16.27,ied,patrol,Road checked,confidential,MINUSMA-JOC,"
        "JOC log\n"
        f"{wrong_owner},2018-06-02,-0.04,16.27,ied,patrol,Not ours,confidential,MINUSMA-JMAC,"
        "JOC log\n"
    )
    page = login(browser, server, platform["users"]["joc"])
    page.goto(f"{server}/reports/upload/")
    page.set_input_files("#id_file", str(path))
    page.get_by_test_id("upload").click()
    page.get_by_test_id("accounting").wait_for()
    counts = {
        k: int(page.get_by_test_id(k).inner_text())
        for k in ("rows-read", "accepted", "repaired", "rejected", "added")
    }
    assert counts["rows-read"] == 2 == counts["accepted"] + counts["repaired"] + counts["rejected"]
    assert (counts["rejected"], counts["added"]) == (1, 1)
    with page.expect_download() as info:
        page.get_by_test_id("rejects").click()
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text())))
    assert [r["id"] for r in rows] == [wrong_owner] and rows[0]["field"] == "owner"
    page.goto(f"{server}/reports/")
    assert f"{good}@MINUSMA-JOC:confidential" in page.content()


def test_reporter_picks_a_place_from_the_gazetteer_and_the_report_is_located(
    platform: dict[str, Any], server: str, browser: Any
) -> None:
    from playwright.sync_api import expect

    from bluehelmet.web.reports.models import Place, Report

    text = f"Checkpoint seen {unique('p')}"
    page = login(browser, server, platform["users"]["joc"])
    problems: list[str] = []  # CSP violations and script errors
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{server}/reports/new/")
    page.fill("#id_time", "2018-06-03")
    page.type("#id_place_name", "anson", delay=30)  # HTMX asks the server as the user types
    option = page.get_by_test_id("place-option").first
    expect(option).to_have_text(re.compile(r"^Ansongo"))  # the answer to the whole prefix
    option.click()
    page.get_by_test_id("place-picked").wait_for()
    ansongo = Place.objects.get(key="ansongo")
    expect(page.locator("#id_place_name")).to_have_value("Ansongo")
    assert float(page.input_value("#id_longitude")) == pytest.approx(ansongo.longitude, abs=1e-4)
    assert float(page.input_value("#id_latitude")) == pytest.approx(ansongo.latitude, abs=1e-4)
    page.select_option("#id_category", "ied")
    page.fill("#id_description", text)
    page.click("button[type=submit]")
    page.wait_for_url("**/reports/rep-*/")
    report = Report.objects.using("owner").get(description=text)
    assert report.place_name == "Ansongo"
    assert report.longitude == pytest.approx(ansongo.longitude, abs=1e-4)
    assert problems == []  # no CSP violation or script error
