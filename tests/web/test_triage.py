"""Incident triage, the operations picture's layers and the exports (Django's test client)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.web.conftest import member, unique

pytestmark = pytest.mark.usefixtures("platform")

ORGS = ["A", "B", "C", "A-S1"]
LEVELS = ["unclassified", "confidential", "strictly_confidential"]


def _client(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _report(
    owner: str,
    classification: str,
    released: list[str] | None = None,
    *,
    lon: float = 1.0,
    lat: float = 16.0,
    time: str = "2018-05-01T10:00",
    category: str = "ied",
) -> str:
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
            time=time,
            time_precision="hour",
            category=category,
            source_type="patrol",
            source="test",
            classification=classification,
            owner=owner,
            releasable_to=released or [],
            longitude=lon,
            latitude=lat,
            reliability="B",
            credibility=2,
            description=f"text of {uid}",
        )
    return uid


@st.composite
def _records(draw: Any) -> list[dict[str, Any]]:
    return draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "classification": st.sampled_from(LEVELS),
                    "owner": st.sampled_from(ORGS),
                    "releasable_to": st.lists(st.sampled_from(ORGS), max_size=3, unique=True),
                }
            ),
            min_size=1,
            max_size=5,
        )
    )


@settings(max_examples=200, deadline=None)
@given(
    records=_records(), org=st.sampled_from(ORGS + ["A-S2", "D"]), clearance=st.sampled_from(LEVELS)
)
def test_whoever_may_see_an_incident_may_see_every_report_it_was_derived_from(
    records: list[dict[str, Any]], org: str, clearance: str
) -> None:
    """The derived marking (highest level, narrowest release) never widens access."""
    import pandas as pd

    from bluehelmet.model.access import AccessContext, Classification
    from bluehelmet.web.reports.models import Report, derived_marking

    reports = [Report(**r) for r in records]  # not saved: only the marking is derived
    level, released = derived_marking(reports)
    creators = [
        o
        for o in ORGS
        if AccessContext(o, Classification.STRICTLY_CONFIDENTIAL)
        .policy.mask(pd.DataFrame(records))
        .all()
    ]
    reader = AccessContext(org, Classification.parse(clearance)).policy
    table = pd.DataFrame(records).assign(releasable_to=[tuple(r["releasable_to"]) for r in records])
    for owner in creators:  # an incident is owned by an organisation that saw every report
        incident = pd.DataFrame(
            {
                "classification": [level],
                "owner": [owner],
                "releasable_to": [tuple(o for o in released if o != owner)],
            }
        )
        if reader.mask(incident).iloc[0]:
            assert reader.mask(table).all()
    assert Classification.parse(level) == max(
        Classification.parse(r["classification"]) for r in records
    )


def test_triage_accept_split_merge_keep_reasons_and_markings() -> None:
    from bluehelmet.web.audit.models import AccessLog
    from bluehelmet.web.reports.models import Incident, TriageAction

    org, partner = unique("SEC"), unique("PARTNER")
    ours = _report(org, "confidential", lon=2.40, lat=15.92)
    theirs = _report(partner, "confidential", [org], lon=2.43, lat=15.90, time="2018-05-01T14:00")
    public = _report("UCDP", "unclassified", lon=2.41, lat=15.91, time="2018-05-01T12:00")
    far = _report(org, "confidential", lon=-4.0, lat=14.5)
    analyst = member(org, 1, ["analyst"])
    client = _client(analyst)
    page = client.get("/incidents/triage/?from=2018-05&to=2018-05")
    found = [set(p.reports) for p in page.context["proposals"]]
    assert {ours, theirs, public} in found and not any(far in p for p in found)

    assert (
        client.post("/incidents/accept/", {"report": [ours], "reason": "short"}).status_code == 400
    )
    accepted = client.post(
        "/incidents/accept/",
        {"report": [ours, theirs, public], "reason": "same column seen by two sources"},
    )
    assert accepted.status_code == 302
    created = accepted["Location"].rstrip("/").split("/")[-1]
    incident = Incident.objects.using("owner").get(uid=created)
    assert (incident.classification, incident.owner, incident.releasable_to) == (
        "confidential",
        org,
        [],
    )  # the partner's report was released to org only
    again = client.post("/incidents/accept/", {"report": [ours], "reason": "once more, please"})
    assert again.status_code == 409 and b"already in an incident" in again.content
    assert ours not in str(client.get("/incidents/triage/").context["proposals"])

    split = client.post(
        f"/incidents/{incident.uid}/split/",
        {"report": [public], "reason": "the UCDP event is another clash"},
    )
    assert split.status_code == 302
    detail = client.get(f"/incidents/{incident.uid}/").context
    assert {r.uid for r in detail["reports"]} == {ours, theirs}
    new = Incident.objects.using("owner").get(
        uid=next(a.other for a, _ in detail["history"] if a.action == "split")
    )
    assert new.classification == "unclassified"  # derived from its one public report
    merged = client.post(
        f"/incidents/{incident.uid}/merge/",
        {"other": new.uid, "reason": "it was the same clash after all"},
    )
    assert merged.status_code == 302
    new.refresh_from_db()
    assert new.status == "merged" and new.merged_into == incident.uid
    history = (
        TriageAction.objects.using("owner")
        .filter(incident=incident)
        .values_list("action", "reason")
    )
    assert [a for a, _ in history] == ["accept", "split", "merge"]
    assert ("split", "the UCDP event is another clash") in set(history)
    logged = AccessLog.objects.filter(username=analyst.username, action="triage")
    assert {d["kind"] for d in logged.values_list("detail", flat=True)} == {
        "accept",
        "split",
        "merge",
    }
    # the history cannot be rewritten, even through the ORM
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic(using="owner"):
        TriageAction.objects.using("owner").filter(incident=incident).update(
            reason="nothing happened"
        )


def test_downgraded_incident_shows_only_what_each_reader_may_see() -> None:
    from bluehelmet.web.reports.models import Incident, IncidentReport

    org, other = unique("SEC"), unique("NLDX")
    first = _report(org, "confidential")
    second = _report(org, "confidential", time="2018-05-01T11:00")
    analyst = _client(member(org, 1, ["analyst"]))
    location = analyst.post(
        "/incidents/accept/", {"report": [first, second], "reason": "two patrols, one event"}
    )
    uid = location["Location"].rstrip("/").split("/")[-1]
    outsider = _client(member(other, 2, ["analyst", "approver"]))
    assert outsider.get(f"/incidents/{uid}/").status_code == 404
    assert uid not in outsider.get("/map/incidents.geojson").content.decode()
    assert uid not in outsider.get("/export/incidents.csv").content.decode()
    assert uid not in outsider.get("/api/incidents?limit=1000").content.decode()
    mine = analyst.get("/api/incidents?limit=1000").json()
    assert [i["reports"] for i in mine if i["id"] == uid] == [[first, second]]
    assert (
        analyst.post(
            f"/incidents/{uid}/downgrade/",
            {"to_level": "unclassified", "reason": "release the fact of the clash"},
        ).status_code
        == 403
    )
    approver = _client(member(org, 2, ["approver", "analyst"]))
    assert (
        approver.post(
            f"/incidents/{uid}/downgrade/",
            {"to_level": "unclassified", "reason": "release the fact of the clash"},
        ).status_code
        == 302
    )
    assert Incident.objects.using("owner").get(uid=uid).classification == "unclassified"

    page = outsider.get(f"/incidents/{uid}/")
    assert page.status_code == 200 and page.context["reports"] == []
    assert first not in page.content.decode() and second not in page.content.decode()
    assert [a.action for a, _ in page.context["history"]] == ["downgrade"]
    layer = outsider.get("/map/incidents.geojson").json()["features"]
    assert [f["properties"]["reports"] for f in layer if f["properties"]["id"] == uid] == [0]
    api = outsider.get("/api/incidents?limit=1000").json()
    assert [i["reports"] for i in api if i["id"] == uid] == [[]]
    exported = outsider.get("/export/incidents.geojson").json()
    assert [
        f["properties"]["reports"] for f in exported["features"] if f["properties"]["id"] == uid
    ] == [0]
    # underneath: a query that forgets the filter still sees no link to a hidden report
    from django.db import transaction

    from bluehelmet.model.access import AccessContext, Classification
    from bluehelmet.web.policy import acting_as

    with transaction.atomic(), acting_as(AccessContext(other, Classification.CONFIDENTIAL)):
        assert IncidentReport.objects.filter(incident__uid=uid).count() == 0
        assert Incident.objects.filter(uid=uid).count() == 1


def test_a_lower_cleared_analyst_never_learns_of_a_higher_incident_of_their_organisation() -> None:
    """Need-to-know within one organisation: no refusal, proposal or count reveals it."""
    from bluehelmet.web.reports.models import Incident, IncidentReport

    org = unique("SEC")
    shared = _report(org, "confidential", lon=2.40, lat=15.92, time="2018-04-02T10:00")
    secret = _report(org, "strictly_confidential", lon=2.41, lat=15.92, time="2018-04-02T11:00")
    other = _report(org, "confidential", lon=2.42, lat=15.91, time="2018-04-02T12:00")
    senior, junior = member(org, 2, ["analyst"]), member(org, 1, ["analyst"])
    high = _client(senior).post(
        "/incidents/accept/",
        {"report": [shared, secret], "reason": "the secret source confirms it"},
    )
    assert high.status_code == 302
    high_uid = high["Location"].rstrip("/").split("/")[-1]
    assert Incident.objects.using("owner").get(uid=high_uid).classification == (
        "strictly_confidential"
    )

    client = _client(junior)
    window = "?from=2018-04-02&to=2018-04-02"
    proposals = client.get(f"/incidents/triage/{window}").context["proposals"]
    assert {shared, other} in [set(p.reports) for p in proposals]  # as if nothing were there
    assert client.get(f"/incidents/{window}").context["page"].paginator.count == 0
    low = client.post(
        "/incidents/accept/", {"report": [shared, other], "reason": "same patrol sighting"}
    )
    assert low.status_code == 302  # not "already in an incident": that would reveal it
    low_uid = low["Location"].rstrip("/").split("/")[-1]
    links = IncidentReport.objects.using("owner").filter(report__uid=shared, owner=org)
    assert sorted(links.values_list("level", flat=True)) == [
        "confidential",
        "strictly_confidential",
    ]
    # at the same level the conflict names an incident the writer may see
    again = client.post("/incidents/accept/", {"report": [shared], "reason": "once more, please"})
    assert again.status_code == 409 and b"already in an incident" in again.content
    senior_list = _client(senior).get(f"/incidents/{window}").context["page"]
    assert {i.uid for i in senior_list.object_list} == {high_uid, low_uid}


def test_map_layers_follow_the_window_and_carry_their_marking() -> None:
    org = unique("SEC")
    early = _report(org, "confidential", time="2016-03-01")
    late = _report(org, "unclassified", time="2019-07-01")
    client = _client(member(org, 1, ["analyst"]))
    ids = {
        f["properties"].get("id")
        for f in client.get("/map/reports.geojson?from=2016&to=2016").json()["features"]
    }
    assert early in ids and late not in ids
    layer = client.get("/map/reports.geojson?from=2016-03-01&to=2016-03-01").json()
    assert layer["classification"] == "confidential"
    clusters = client.get("/map/reports.geojson?cell=0.5").json()
    assert all("count" in f["properties"] for f in clusters["features"])
    bases = client.get("/map/bases.geojson").json()
    assert len(bases["features"]) >= 14 and bases["classification"] == "unclassified"
    units = client.get("/map/units.geojson").json()  # the 2018 scenario, through its gate
    assert units["scenario"] == "2018" and any(
        f["properties"]["mission"] == "MINUSMA" for f in units["features"]
    )
    hot = client.get("/map/hotspots.geojson").json()
    assert hot["type"] == "FeatureCollection" and hot["classification"] in (
        "unclassified",
        "confidential",
    )
    assert all(f["geometry"]["type"] == "Polygon" for f in hot["features"])
    page = client.get("/map/")
    assert page.status_code == 200 and page.context["first_year"] <= "2016"
    for layer in ("reports", "incidents", "hotspots", "risk"):  # an empty window: empty layers
        empty = client.get(f"/map/{layer}.geojson?from=1900&to=1900").json()
        assert empty["features"] == [] and empty["classification"] == "unclassified"


def test_exports_in_both_formats_agree_with_the_list_and_run_as_jobs() -> None:
    from bluehelmet.web.reports import jobs
    from bluehelmet.web.reports.models import ExportJob

    org = unique("SEC")
    mine, hidden = _report(org, "confidential"), _report(unique("OTHER"), "confidential")
    client = _client(member(org, 1, ["analyst"]))
    count = client.get("/reports/").context["page"].paginator.count
    geo = client.get("/export/reports.geojson")
    assert geo["Content-Type"] == "application/geo+json"
    data = json.loads(geo.content)
    assert len(data["features"]) == count and data["classification"] == "confidential"
    ids = {f["properties"]["id"] for f in data["features"]}
    assert mine in ids and hidden not in ids
    csv_text = client.get("/export/reports.csv").content.decode()
    assert len(csv_text.strip().splitlines()) == count + 1
    assert client.get("/export/secrets.csv").status_code == 404

    queued = client.post("/reports/export/job/", {"layer": "reports", "fmt": "geojson"})
    job = ExportJob.objects.using("owner").get(
        pk=int(queued["Location"].rstrip("/").split("/")[-1])
    )
    while (claimed := jobs.claim()) is not None:  # run every queued job (no job is left over)
        jobs.run(claimed)
    job.refresh_from_db()
    assert job.status == "done" and job.rows == count
    body = b"".join(client.get(f"/jobs/{job.pk}/download/").streaming_content)
    assert json.loads(body) == data


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/incidents/"),
        ("get", "/incidents/{inc}/"),
        ("get", "/incidents/triage/"),
        ("post", "/incidents/accept/"),
        ("post", "/incidents/{inc}/split/"),
        ("post", "/incidents/{inc}/downgrade/"),
        ("get", "/map/incidents.geojson"),
        ("get", "/map/hotspots.geojson"),
        ("get", "/map/risk.geojson"),
        ("get", "/export/reports.geojson"),
        ("get", "/export/incidents.csv"),
        ("get", "/export/incidents.geojson"),
        ("get", "/map/"),
        ("get", "/api/incidents"),
    ],
)
def test_no_triage_or_map_path_reveals_a_secret_incident(method: str, path: str) -> None:
    """The registry of issue 17, for the paths of this module: one secret report and incident."""
    from django.db import transaction

    from bluehelmet.model.access import AccessContext, Classification
    from bluehelmet.web.policy import acting_as
    from bluehelmet.web.reports import fusing

    owner, token = unique("OWNER"), unique("SECRETWORD")
    uid = _report(owner, "confidential", ["MINUSMA-JMAC"], category="ied")
    writer = AccessContext(owner, Classification.CONFIDENTIAL)
    with transaction.atomic(), acting_as(writer):
        incident = fusing.accept(writer, "t", [uid], token)
    reader = _client(member(unique("NLDX"), 2, ["analyst", "approver"]))
    response = getattr(reader, method)(
        path.format(inc=incident.uid),
        {"report": [uid], "reason": "x" * 20, "to_level": "unclassified"}
        if method == "post"
        else None,
    )
    body = response.content
    for secret in (uid, token, incident.uid):
        assert secret.encode() not in body
    assert response.status_code in (200, 403, 404, 409)


def test_strictly_confidential_incident_needs_a_second_approver_and_htmx_gets_fragments() -> None:
    from bluehelmet.web.reports.models import Incident, TriageAction

    org = unique("SEC")
    secret = _report(org, "strictly_confidential")
    first = _client(member(org, 2, ["analyst", "approver"]))
    fragment = first.post(
        "/incidents/accept/",
        {"report": [secret], "reason": "one SC report"},
        HTTP_HX_REQUEST="true",
    )
    body = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in body and 'data-testid="accepted"' in body
    uid = fragment.context["incident"].uid
    refused = first.post(
        "/incidents/accept/",
        {"report": [secret], "reason": "one SC report"},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 200 and 'data-testid="refused"' in refused.content.decode()
    rows = first.get("/reports/?category=ied", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in rows and secret in rows  # the list's rows only, for HTMX to swap

    assert (
        first.post(
            f"/incidents/{uid}/downgrade/",
            {"to_level": "confidential", "reason": "for the JOC's planning"},
        ).status_code
        == 302
    )
    assert Incident.objects.using("owner").get(uid=uid).classification == "strictly_confidential"
    (pending,) = first.get(f"/incidents/{uid}/").context["pending"]
    assert first.post(f"/incidents/{uid}/downgrade/{pending.pk}/approve/").status_code == 403
    second = _client(member(org, 2, ["approver"]))
    assert second.post(f"/incidents/{uid}/downgrade/{pending.pk}/approve/").status_code == 302
    assert Incident.objects.using("owner").get(uid=uid).classification == "confidential"
    steps = TriageAction.objects.using("owner").filter(incident__uid=uid)
    assert [(a.action, a.classification) for a in steps] == [
        ("accept", "strictly_confidential"),
        ("downgrade_request", "strictly_confidential"),
        ("downgrade", "confidential"),
    ]
    reader = _client(member(org, 1, ["analyst"]))  # confidential clearance: sees the last step
    history = reader.get(f"/incidents/{uid}/").context["history"]
    assert [a.action for a, _ in history] == ["downgrade"] and history[0][1] == []


@settings(max_examples=200, deadline=None)
@given(
    day=st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)),
    minute=st.integers(0, 24 * 60 - 1),
    part=st.sampled_from([4, 7, 10]),
)
def test_a_window_holds_exactly_the_times_of_its_periods(day: date, minute: int, part: int) -> None:
    """``to=PERIOD`` includes every time of the period and nothing after it (times sort as text)."""
    from bluehelmet.web.reports.window import after

    time = f"{day.isoformat()}T{minute // 60:02d}:{minute % 60:02d}"
    period = day.isoformat()[:part]
    assert period <= time < after(period)
    assert after(period) <= after(after(period)) and not after(period).startswith(period)
    assert after("2018-12") == "2019-01" and after("2018-02-28") == "2018-03-01"
