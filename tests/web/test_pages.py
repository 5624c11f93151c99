"""Pages and API over HTTP (Django's test client through every middleware)."""

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


def _report(owner: str, classification: str, released: list[str] | None = None) -> str:
    from django.db import transaction

    from bluehelmet.model.access import AccessContext, Classification
    from bluehelmet.web.policy import acting_as
    from bluehelmet.web.reports.models import Report

    uid = unique("r")
    with (
        transaction.atomic(),
        acting_as(AccessContext(owner, Classification.parse(classification))),
    ):
        Report.objects.create(
            uid=uid,
            time="2018-05-01",
            category="ied",
            source_type="patrol",
            source="test",
            classification=classification,
            owner=owner,
            releasable_to=released or [],
            description=f"text of {uid}",
        )
    return uid


def test_list_count_detail_api_and_export_agree() -> None:
    from bluehelmet.web.audit.models import AccessLog

    org = unique("SEC")
    other = unique("OTHER")
    mine = _report(org, "confidential")
    released = _report(other, "confidential", [org])
    hidden = _report(other, "confidential")
    too_high = _report(org, "strictly_confidential")
    client = _client(user := member(org, 1, ["analyst"]))

    api = client.get("/api/reports?limit=1000").json()
    api_ids = {r["id"] for r in api["results"]}
    assert {mine, released} <= api_ids
    assert hidden not in api_ids and too_high not in api_ids
    listed = client.get("/reports/?page=1")
    assert listed.status_code == 200
    assert int(listed.context["page"].paginator.count) == api["count"]
    home = client.get("/")
    assert home.context["count"] == api["count"]
    export = client.get("/reports/export.csv").content.decode()
    assert mine in export and released in export
    assert hidden not in export and too_high not in export
    assert len(export.strip().splitlines()) == api["count"] + 1
    for uid in (hidden, too_high):  # hidden and missing answer alike
        assert client.get(f"/reports/{uid}/").status_code == 404
        assert client.get(f"/api/reports/{uid}").status_code == 404
        assert client.get(f"/reports/{unique('none')}/").status_code == 404
    assert client.get(f"/reports/{mine}/").status_code == 200
    actions = set(AccessLog.objects.filter(username=user.username).values_list("action", flat=True))
    assert {"api", "list", "count", "export", "denied", "view"} <= actions
    denied = AccessLog.objects.filter(username=user.username, action="denied")
    assert {f"report:{hidden}", f"report:{too_high}"} <= set(
        denied.values_list("target", flat=True)
    )


def test_api_refuses_anonymous_callers() -> None:
    from django.test import Client

    assert Client().get("/api/reports").status_code == 401


def test_security_headers_and_strict_csp() -> None:
    from django.test import Client

    response = Client().get("/login/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_passwords_are_argon2_and_totp_is_required_when_enrolled() -> None:
    from django.test import Client
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = member(unique("SEC"), 1, ["administrator"])
    user.set_password("correct horse battery staple")
    user.save()
    assert user.password.startswith("argon2$argon2id$")
    client = Client()
    form = {"username": user.username, "password": "correct horse battery staple"}
    refused = client.post("/login/", form)
    assert refused.status_code == 401  # administrators without TOTP are refused
    device = TOTPDevice.objects.create(user=user, name="t", confirmed=True)
    token = f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"
    assert client.post("/login/", form).status_code == 401  # no code
    device.throttle_reset()
    assert client.post("/login/", {**form, "otp_token": token}).status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout/")
    assert client.post("/login/", {**form, "otp_token": token}).status_code == 401  # replayed


def test_clearance_cannot_be_claimed_in_a_request() -> None:
    """Query parameters or headers naming an org or clearance change nothing."""
    org = unique("SEC")
    hidden = _report(unique("OTHER"), "confidential")
    client = _client(member(org, 0, ["analyst"]))
    response = client.get(
        "/api/reports?limit=1000&org=UN-DPO&clearance=strictly_confidential",
        HTTP_X_BLUEHELMET_ORG="UN-DPO",
    )
    assert hidden not in {r["id"] for r in response.json()["results"]}
    assert all(r["classification"] == "unclassified" for r in response.json()["results"])


def test_audit_search_is_for_auditors_only() -> None:
    org = unique("SEC")
    assert _client(member(org, 1, ["analyst"])).get("/audit/").status_code == 403
    auditor = _client(member(org, 1, ["auditor"]))
    page = auditor.get("/audit/?action=denied")
    assert page.status_code == 200
    assert all(row.action == "denied" for row in page.context["page"])


def test_sessions_rotate_on_login_end_on_logout_and_are_http_only() -> None:
    from django.conf import settings
    from django.test import Client

    from bluehelmet.web.audit.models import AccessLog

    user = member(unique("SEC"), 1, ["analyst"])
    user.set_password("another long passphrase 7")
    user.save()
    client = Client()
    client.get("/login/")
    client.post("/login/", {"username": user.username, "password": "wrong password here"})
    form = {"username": user.username, "password": "another long passphrase 7"}
    first = client.post("/login/", form).cookies[settings.SESSION_COOKIE_NAME].value
    response = client.post("/login/", form)  # re-authentication gets a new session too
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert first != cookie.value
    assert client.get("/").status_code == 200
    stolen = cookie.value
    assert client.get("/logout/").status_code == 405  # state changes only by POST
    client.post("/logout/")
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = stolen
    assert replay.get("/").status_code == 302  # the old session is gone: back to login
    logged = list(AccessLog.objects.filter(target=user.username).values_list("action", flat=True))
    assert sorted(logged) == ["login", "login", "login_failed"]
    assert not settings.DEBUG


def test_login_attempts_per_user_name_are_limited() -> None:
    from django.conf import settings
    from django.test import Client, override_settings

    assert settings.LOGIN_USER_RATE == "10/h"  # the default
    name = unique("victim")
    with override_settings(LOGIN_USER_RATE="3/h"):  # fewer slow Argon2 checks in the test
        codes = [
            Client()
            .post(
                "/login/",
                {"username": name, "password": f"guess {i}"},
                REMOTE_ADDR=f"198.51.100.{i}",
            )
            .status_code
            for i in range(4)
        ]
    assert codes == [401] * 3 + [429]


def test_api_documentation_needs_a_login() -> None:
    from django.test import Client

    assert Client().get("/api/docs").status_code == 302


def test_map_layers_show_what_the_list_shows() -> None:
    from django.db import transaction

    from bluehelmet.model.access import AccessContext, Classification
    from bluehelmet.web.policy import acting_as
    from bluehelmet.web.reports.models import Report

    org, other = unique("SEC"), unique("OTHER")
    placed = {}
    for name, owner, released in (
        ("mine", org, []),
        ("released", other, [org]),
        ("hidden", other, []),
    ):
        placed[name] = unique("geo")
        with transaction.atomic(), acting_as(AccessContext(owner, Classification.CONFIDENTIAL)):
            Report.objects.create(
                uid=placed[name],
                time="2018",
                category="ied",
                source_type="patrol",
                source="t",
                owner=owner,
                classification="confidential",
                releasable_to=released,
                longitude=1.5,
                latitude=16.5,
            )
    client = _client(member(org, 1, ["analyst"]))
    points = client.get("/map/reports.geojson").json()["features"]
    ids = {f["properties"]["id"] for f in points}
    assert {placed["mine"], placed["released"]} <= ids and placed["hidden"] not in ids
    api = client.get("/api/reports?limit=1000").json()["results"]
    assert ids == {r["id"] for r in api if r["longitude"] is not None}
    cells = client.get("/map/reports.geojson?cell=1").json()["features"]
    assert sum(f["properties"]["count"] for f in cells) == len(points)
    page = client.get("/map/").content.decode()
    assert '<script src="/static/vendor/leaflet/leaflet.js"' in page
    assert client.get("/map/base.geojson").status_code == 200
    for asset, kind in (
        ("bluehelmet/site.css", "text/css"),
        ("bluehelmet/map.js", "javascript"),
        ("vendor/leaflet/leaflet.js", "javascript"),
    ):
        response = client.get(f"/static/{asset}")
        assert response.status_code == 200 and kind in response["Content-Type"]


def test_staff_report_is_owned_by_the_writer_and_bounded_by_clearance() -> None:
    from bluehelmet.web.reports.models import Report

    org = unique("SEC")
    client = _client(member(org, 1, ["reporter"]))
    form = {
        "time": "2018-06-02T08:30",
        "time_precision": "hour",
        "place_name": "Gao",
        "longitude": "-0.04",
        "latitude": "16.27",
        "category": "ied",
        "source_type": "patrol",
        "reliability": "B",
        "credibility": "2",
        "description": unique("staff"),
        "classification": "confidential",
        "releasable_to": "MINUSMA-JMAC, NLD",
    }
    response = client.post("/reports/new/", form)
    assert response.status_code == 302
    report = Report.objects.using("owner").get(description=form["description"])
    assert (report.owner, report.classification, sorted(report.releasable_to)) == (
        org,
        "confidential",
        ["MINUSMA-JMAC", "NLD"],
    )
    assert list(report.events.using("owner").values_list("pgh_label", flat=True)) == ["insert"]
    too_high = client.post("/reports/new/", {**form, "classification": "strictly_confidential"})
    assert too_high.status_code == 200 and "classification" in too_high.context["form"].errors
    unknown = client.post("/reports/new/", {**form, "releasable_to": "NOPE, NLD"})
    assert "unknown organisation(s): NOPE" in str(unknown.context["form"].errors)
    half = client.post("/reports/new/", {**form, "latitude": ""})
    assert "give both longitude and latitude" in str(half.context["form"].errors)
    assert _client(member(org, 1, ["auditor"])).get("/reports/new/").status_code == 403


def test_downgrades_need_the_owner_and_two_approvers_for_strictly_confidential() -> None:
    from bluehelmet.web.audit.models import AccessLog
    from bluehelmet.web.reports.models import Downgrade, Report

    org = unique("SEC")
    secret = _report(org, "strictly_confidential")
    first, second = member(org, 2, ["approver"]), member(org, 2, ["approver"])
    outsider = member(unique("OTHER"), 2, ["approver"])
    reason = {"to_level": "confidential", "reason": "source protected, details public now"}
    assert (
        _client(member(org, 2, ["analyst"]))
        .post(f"/reports/{secret}/downgrade/", reason)
        .status_code
        == 403
    )
    assert _client(outsider).post(f"/reports/{secret}/downgrade/", reason).status_code == 404
    assert _client(first).post(f"/reports/{secret}/downgrade/", reason).status_code == 302
    assert (
        Report.objects.using("owner").get(uid=secret).classification == "strictly_confidential"
    )  # waits for the second approver
    pending = Downgrade.objects.using("owner").get(report__uid=secret)
    url = f"/reports/{secret}/downgrade/{pending.pk}/approve/"
    assert _client(first).post(url).status_code == 403  # not the same approver
    assert _client(second).post(url).status_code == 302
    report = Report.objects.using("owner").get(uid=secret)
    assert report.classification == "confidential"
    assert list(report.events.using("owner").values_list("classification", flat=True)) == [
        "strictly_confidential",
        "confidential",
    ]
    line = AccessLog.objects.get(action="downgrade", target=f"report:{secret}")
    assert (line.detail["requested_by"], line.detail["approved_by"]) == (
        first.username,
        second.username,
    )
    once = _report(org, "confidential")  # confidential: one approver suffices
    to_public = {"to_level": "unclassified", "reason": "released in the public report"}
    assert _client(first).post(f"/reports/{once}/downgrade/", to_public).status_code == 302
    assert Report.objects.using("owner").get(uid=once).classification == "unclassified"


def test_only_the_owner_can_change_a_record_even_without_the_application() -> None:
    from django.db import transaction

    from bluehelmet.model.access import AccessContext, Classification
    from bluehelmet.web.policy import set_reader
    from bluehelmet.web.reports.models import Report

    owner, reader = unique("SEC"), unique("OTHER")
    uid = _report(owner, "confidential", [reader])
    with transaction.atomic():
        set_reader(AccessContext(reader, Classification.CONFIDENTIAL))
        assert Report.objects.filter(uid=uid).count() == 1  # released: readable
        changed = Report.objects.filter(uid=uid).update(classification="unclassified")
    assert changed == 0  # but not writable by a non-owner (RLS update policy)


def test_password_change_needs_the_current_one_and_ends_other_sessions() -> None:
    from django.test import Client

    user = member(unique("SEC"), 1, ["analyst"])
    user.set_password("the first passphrase 1")
    user.save()
    other, mine = Client(), Client()
    for client in (other, mine):
        client.post("/login/", {"username": user.username, "password": "the first passphrase 1"})
    new = "the second passphrase 2"
    wrong = mine.post(
        "/password/", {"old_password": "not it at all", "new_password1": new, "new_password2": new}
    )
    assert wrong.status_code == 200 and "old_password" in wrong.context["form"].errors
    done = mine.post(
        "/password/",
        {"old_password": "the first passphrase 1", "new_password1": new, "new_password2": new},
    )
    assert done.status_code == 302
    assert mine.get("/").status_code == 200 and other.get("/").status_code == 302
    assert mine.get("/")["Cache-Control"] == "no-store"


def test_idle_sessions_end() -> None:
    from django.test import override_settings

    client = _client(member(unique("SEC"), 1, ["analyst"]))
    assert client.get("/").status_code == 200
    with override_settings(SESSION_IDLE_SECONDS=-1):  # any pause is too long
        assert client.get("/").status_code == 302
    assert client.get("/").status_code == 302  # and the session stays ended


def test_export_job_runs_as_the_requester_and_survives_a_dead_worker() -> None:
    import threading
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from bluehelmet.web.reports import jobs
    from bluehelmet.web.reports.models import ExportJob

    org = unique("SEC")
    mine, hidden = _report(org, "confidential"), _report(unique("OTHER"), "confidential")
    user = member(org, 1, ["analyst"])
    client = _client(user)
    queued = client.post("/reports/export/job/")
    job = ExportJob.objects.using("owner").get(
        pk=int(queued["Location"].rstrip("/").split("/")[-1])
    )
    assert client.get(f"/jobs/{job.pk}/").context["job"].status == "queued"
    assert _client(member(org, 1, ["analyst"])).get(f"/jobs/{job.pk}/").status_code == 404

    claimed = jobs.claim()  # a worker takes it ... and dies before finishing
    assert claimed is not None and claimed.pk == job.pk and claimed.attempts == 1
    assert jobs.claim() is None  # leased: no other worker takes it

    later = timezone.now() + jobs.LEASE + timedelta(seconds=1)
    resumed = jobs.claim(now=later)  # after the lease, another worker resumes it
    assert resumed is not None and resumed.pk == job.pk and resumed.attempts == 2
    assert jobs.run(resumed).status == "done"
    assert not list(jobs.jobs_dir().glob("*.part"))
    body = b"".join(client.get(f"/jobs/{job.pk}/download/").streaming_content).decode()
    direct = client.get("/reports/export.csv").content.decode()
    assert body == direct and mine in body and hidden not in body

    # two workers never take the same job: a claim skips the row another holds
    first = ExportJob.objects.using("owner").create(membership=job.membership)
    second = ExportJob.objects.using("owner").create(membership=job.membership)
    held, got = threading.Event(), []

    def other_worker() -> None:
        held.wait()
        got.append(jobs.claim())
        from django.db import connection as own

        own.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    with transaction.atomic(using="owner"):
        ExportJob.objects.using("owner").select_for_update().filter(pk=first.pk).get()
        held.set()
        thread.join()
    assert got[0] is not None and got[0].pk == second.pk


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/"),
        ("get", "/reports/"),
        ("get", "/reports/?category=ied"),
        ("get", "/reports/export.csv"),
        ("get", "/map/reports.geojson"),
        ("get", "/map/reports.geojson?cell=1"),
        ("get", "/api/reports?limit=1000"),
        ("get", "/api/reports/{uid}"),
        ("get", "/reports/{uid}/"),
        ("post", "/reports/{uid}/identity/"),
        ("post", "/reports/{uid}/downgrade/"),
        ("get", "/audit/?target={uid}"),
    ],
)
def test_no_read_path_reveals_a_secret_record(method: str, path: str) -> None:
    """Registry of the platform's read paths against one record the reader may not see."""
    from django.db import transaction

    from bluehelmet.model.access import AccessContext, Classification
    from bluehelmet.web.policy import acting_as
    from bluehelmet.web.reports.models import Report

    uid, token, owner = unique("secret"), unique("SECRETWORD"), unique("OWNER")
    with transaction.atomic(), acting_as(AccessContext(owner, Classification.CONFIDENTIAL)):
        Report.objects.create(
            uid=uid,
            time="2018",
            category="ied",
            source_type="patrol",
            source="t",
            owner=owner,
            classification="confidential",
            releasable_to=["MINUSMA-JMAC"],
            description=token,
            longitude=1.0,
            latitude=16.0,
        )
    reader = _client(member(unique("NLDX"), 2, ["analyst", "approver", "community_liaison"]))
    response = getattr(reader, method)(
        path.format(uid=uid),
        {"to_level": "unclassified", "reason": "x" * 20} if method == "post" else None,
    )
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert uid.encode() not in body and token.encode() not in body
    assert response.status_code in (200, 403, 404)
