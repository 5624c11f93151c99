"""The force-generation workspace over HTTP: registry, need-to-know, stages, plans, publishing."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bluehelmet.model.access import AccessContext, Classification
from tests.web.conftest import member, unique

pytestmark = pytest.mark.usefixtures("platform")

#: Member states of these tests (contributors of the bundled catalogue, not the demo's).
STATE_A, STATE_B = "GHA", "BGD"


def client_for(user: Any) -> Any:
    """A test client signed in as ``user``."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def state_user(code: str) -> Any:
    """A reporter of member state ``code`` (a contributor organisation)."""
    return member(code, 1, ["reporter"], kind="contributor")


def dpo_user(role: str) -> Any:
    """A confidential DPO user with ``role`` (planner or force_generation)."""
    return member("UN-DPO", 1, [role], kind="un_hq")


def register(client: Any, unit_type: str = "attack_heli", **extra: str) -> str:
    """Register a pledge through the form; returns its id."""
    data = {
        "unit_type_id": unit_type,
        "count": "1",
        "pcrs_level": "L2",
        "available_from": "2018-07-01",
        "rotation_months": "12",
        "women_share": "0.1",
        "languages": "en;fr",
        "excluded_missions": "",
        "excluded_regions": "",
        "national_restrictions": "no night flying",
        "classification": "confidential",
        **extra,
    }
    response = client.post("/forcegen/pledges/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return str(response["Location"]).rstrip("/").split("/")[-1]


def test_member_state_registers_and_another_cannot_see_it() -> None:
    from bluehelmet.web.audit.models import AccessLog

    a, b = client_for(state_user(STATE_A)), client_for(state_user(STATE_B))
    uid = register(a)
    page = a.get(f"/forcegen/pledges/{uid}/")
    assert page.status_code == 200 and b"registered" in page.content
    assert page.context["pledge"].owner == STATE_A
    assert page.context["pledge"].releasable_to == ["UN-DPO"]
    assert page.context["pledge"].classification == "confidential"
    assert uid in a.get("/forcegen/pledges/export.csv").content.decode()
    assert uid in {p["id"] for p in a.get("/api/forcegen/pledges?limit=1000").json()["results"]}

    # the other member state: not in the list, the count, the API, the export, nor by id
    listed = b.get("/forcegen/pledges/")
    assert uid.encode() not in listed.content
    assert all(p.owner != STATE_A for p in listed.context["pledges"])
    api = b.get("/api/forcegen/pledges?limit=1000").json()
    assert uid not in {p["id"] for p in api["results"]}
    assert api["count"] == listed.context["count"] == b.get("/forcegen/").context["pledges"]
    assert uid not in b.get("/forcegen/pledges/export.csv").content.decode()
    assert b.get(f"/forcegen/pledges/{uid}/").status_code == 404
    assert b.get(f"/api/forcegen/pledges/{uid}").status_code == 404
    assert AccessLog.objects.filter(action="denied", target=f"pledge:{uid}").count() == 2
    assert AccessLog.objects.filter(action="create", target=f"pledge:{uid}").exists()


def test_bad_pledge_is_refused_with_the_schema_message() -> None:
    a = client_for(state_user(STATE_A))
    response = a.post(
        "/forcegen/pledges/new/",
        {
            "unit_type_id": "attack_heli",
            "count": "1",
            "pcrs_level": "L1",
            "available_from": "2018-07-01",
            "rotation_months": "12",
            "women_share": "0",
            "excluded_missions": "ATLANTIS",
            "classification": "confidential",
        },
    )
    assert response.status_code == 200
    text = "; ".join(str(p) for p in response.context["problems"])
    assert "excluded_missions" in text and "ATLANTIS" in text


def test_dpo_moves_a_pledge_to_l2_only_after_an_assessment_visit() -> None:
    uid = register(client_for(state_user(STATE_A)))
    fgo = client_for(dpo_user("force_generation"))
    today = dt.date.today().isoformat()
    refused = fgo.post(f"/forcegen/pledges/{uid}/stage/", {"stage": "L2", "on": today})
    assert refused.status_code == 200
    assert "assessment" in str(refused.context["problems"][0])
    assert (
        fgo.post(
            f"/forcegen/pledges/{uid}/stage/", {"stage": "assessment_visit", "on": today}
        ).status_code
        == 302
    )
    assert (
        fgo.post(f"/forcegen/pledges/{uid}/stage/", {"stage": "L2", "on": today}).status_code == 302
    )
    page = fgo.get(f"/forcegen/pledges/{uid}/")
    assert page.context["pledge"].level == "L2"
    assert [s.stage for s in page.context["stages"]] == ["registered", "assessment_visit", "L2"]
    # the library's pledge file says when the pledge reached its level (its lead time's start)
    import csv
    import io

    rows = {
        r["id"]: r
        for r in csv.DictReader(
            io.StringIO(fgo.get("/forcegen/pledges/export.csv").content.decode())
        )
    }
    assert (rows[uid]["pcrs_level"], rows[uid]["level_since"]) == ("L2", today)
    # the member state may not record stages
    own = client_for(state_user(STATE_A))
    assert own.post(
        f"/forcegen/pledges/{uid}/stage/", {"stage": "RDL", "on": today}
    ).status_code in (403, 404)
    stages = fgo.get(f"/forcegen/pledges/{uid}/").context["stages"]
    assert [s.stage for s in stages] == ["registered", "assessment_visit", "L2"]


def test_stage_rules_hold_in_the_database_without_the_application() -> None:
    """Row-level security: a member state cannot record a PCRS level, even in SQL."""
    from django.db import DatabaseError, connection, transaction

    from bluehelmet.model.access import AccessContext, Classification
    from bluehelmet.web.forcegen.models import Pledge, PledgeStage
    from bluehelmet.web.policy import set_reader

    uid = register(client_for(state_user(STATE_A)))
    with transaction.atomic():
        set_reader(AccessContext(STATE_A, Classification.CONFIDENTIAL))
        pledge = Pledge.objects.get(uid=uid)
        with pytest.raises(DatabaseError), transaction.atomic():
            PledgeStage.objects.create(
                pledge=pledge,
                stage="RDL",
                on=dt.date.today(),
                recorded_by="x",
                organisation=STATE_A,
            )
        set_reader(AccessContext(STATE_B, Classification.CONFIDENTIAL))
        with connection.cursor() as cur:  # a forgotten filter returns nothing of A's
            cur.execute("SELECT count(*) FROM forcegen_pledge WHERE uid = %s", [uid])
            assert cur.fetchone()[0] == 0
            cur.execute(
                "SELECT count(*) FROM forcegen_pledgestage s JOIN forcegen_pledge p "
                "ON p.id = s.pledge_id WHERE p.uid = %s",
                [uid],
            )
            assert cur.fetchone()[0] == 0


def test_owner_updates_keep_every_change() -> None:
    a = client_for(state_user(STATE_A))
    uid = register(a)
    page = a.get(f"/forcegen/pledges/{uid}/")
    data = {k: v for k, v in page.context["form"].initial.items()}
    data.update(count="2", available_until="", classification="confidential")
    data = {k: ("" if v is None else str(v)) for k, v in data.items()}
    assert a.post(f"/forcegen/pledges/{uid}/", data).status_code == 302
    history = a.get(f"/forcegen/pledges/{uid}/").context["history"]
    assert [e.pgh_label for e in history] == ["insert", "update"]
    assert [e.count for e in history] == [1, 2]
    other = client_for(state_user(STATE_B))
    assert other.post(f"/forcegen/pledges/{uid}/", data).status_code == 404


def test_csv_round_trip_through_the_library_format(tmp_path: Any) -> None:
    from bluehelmet.model.schema import entity

    a = client_for(state_user(STATE_A))
    uid = register(a, unit_type="eod_coy")
    text = a.get("/forcegen/pledges/export.csv").content.decode()
    header = text.splitlines()[0].split(",")
    assert header == entity("pledges").column_names
    # re-import: updates, nothing created; a bad row refuses the whole file with its line
    path = tmp_path / "p.csv"
    path.write_text(text)
    with open(path, "rb") as handle:
        done = a.post("/forcegen/pledges/import/", {"file": handle})
    outcome = done.context["outcome"]
    assert not outcome.problems and uid in outcome.updated and not outcome.created
    assert outcome.rows == len(outcome.updated) + len(outcome.unchanged)
    lines = [line for line in text.splitlines() if line.startswith(uid)]
    bad = lines[0].replace(f",{STATE_A},", f",{STATE_B},", 1)
    path.write_text("\n".join([text.splitlines()[0], bad]) + "\n")
    with open(path, "rb") as handle:
        refused = a.post("/forcegen/pledges/import/", {"file": handle}).context["outcome"]
    assert refused.problems and not refused.created and not refused.updated
    assert any(p.row == 2 and p.field in ("owner", "contributor_id") for p in refused.problems)


def test_plan_job_publishes_requests_to_the_member_state_only() -> None:
    from bluehelmet.web.forcegen.models import PlanJob
    from bluehelmet.web.jobs import work

    a, b = client_for(state_user(STATE_A)), client_for(state_user(STATE_B))
    uid = register(a, unit_type="attack_heli")
    fgo = client_for(dpo_user("force_generation"))
    today = dt.date.today().isoformat()
    for stage in ("assessment_visit", "L2"):
        fgo.post(f"/forcegen/pledges/{uid}/stage/", {"stage": stage, "on": today})
    planner = client_for(dpo_user("planner"))
    start = planner.post(
        "/forcegen/plans/start/",
        {
            "title": unique("t"),
            "as_of": today,
            "start": "2018-07-01",
            "horizon": "3",
            "missions": ["MINUSMA"],
            "time_limit": "",
            "kind": "plan",
        },
    )
    pk = int(str(start["Location"]).rstrip("/").split("/")[-1])
    assert planner.get(f"/forcegen/plans/{pk}/").context["job"].status == "queued"
    assert b.get(f"/forcegen/plans/{pk}/").status_code == 403  # member states plan nothing
    while PlanJob.objects.using("owner").filter(status__in=["queued", "running"]).exists():
        work(once=True)
    job = PlanJob.objects.using("owner").get(pk=pk)
    assert job.status == "done", job.error
    assert [p["stage"] for p in job.progress][:1] == ["scenario built from the registry"]
    assert any(p.get("status") == "optimal" for p in job.progress)
    page = planner.get(f"/forcegen/plans/{pk}/")
    lines = page.context["lines"]
    assert any(line["unit_type_id"] == "attack_heli" for line in lines)
    assert planner.post(f"/forcegen/plans/{pk}/publish/").status_code == 302
    mine = a.get("/forcegen/requests/").context["mine"]
    assert any(r.unit_type == "attack_heli" and r.addressed_to == STATE_A for r in mine)
    theirs = b.get("/forcegen/requests/")
    assert all(r.addressed_to != STATE_A for r in theirs.context["mine"] + theirs.context["others"])
    api_b = b.get("/api/forcegen/requests").json()
    assert all(r["addressed_to"] != STATE_A for r in api_b)
    # the plan's own outputs name the pledge; member states cannot open them
    assert b.get(f"/forcegen/plans/{pk}/files/plan.csv").status_code == 403
    # choose it with reasons, compare it with itself
    assert (
        planner.post(
            f"/forcegen/plans/{pk}/choose/", {"reasons": "covers the helicopters"}
        ).status_code
        == 302
    )
    compare = planner.get(f"/forcegen/plans/compare/?plan={pk}&plan={pk}")
    assert compare.status_code == 200 and len(compare.context["jobs"]) == 2


def test_planners_keep_requirements_validated_by_the_library() -> None:
    from bluehelmet.web.audit.models import AccessLog

    planner = client_for(dpo_user("planner"))
    mission, unit_type = "UNMISS", "med_l2"
    form = {
        "mission": mission,
        "unit_type": unit_type,
        "count": "2",
        "start": "2018-07-01",
        "end": "2019-06-30",
        "priority": "critical",
        "language": "",
    }
    assert planner.post("/forcegen/requirements/save/", form).status_code == 302
    bad = planner.post(
        "/forcegen/requirements/save/", {**form, "end": "30/13/2019", "unit_type": "tanks"}
    )
    assert bad.status_code == 400
    assert "end" in bad.context["error"] and "tanks" in bad.context["error"]
    listed = planner.get(f"/forcegen/requirements/?mission={mission}")
    mine = [r for r in listed.context["requirements"] if r.unit_type == unit_type]
    assert [(r.count, r.priority) for r in mine][-1:] == [(2, "critical")]
    assert AccessLog.objects.filter(
        target__startswith=f"requirement:REQ-{mission}-{unit_type}"
    ).exists()
    member_state = client_for(state_user(STATE_A))
    assert member_state.get("/forcegen/requirements/").status_code == 403


SECRET_PATHS = [
    "/forcegen/",
    "/forcegen/pledges/",
    "/forcegen/pledges/export.csv",
    "/api/forcegen/pledges?limit=1000",
    "/api/forcegen/requests",
    "/forcegen/requests/",
    "/forcegen/pledges/{uid}/",
    "/api/forcegen/pledges/{uid}",
    "/forcegen/plans/",
    "/forcegen/requirements/",
]


def test_no_force_generation_read_path_reveals_a_secret_pledge() -> None:
    """The platform's part of the need-to-know registry (issue 17) for the registry."""
    secret = unique("secret-caveat")
    uid = register(client_for(state_user(STATE_A)), national_restrictions=secret)
    reader = client_for(
        member(
            STATE_B,
            2,
            ["reporter", "planner", "force_generation", "analyst", "approver", "auditor"],
            kind="contributor",
        )
    )
    for path in SECRET_PATHS:
        response = reader.get(path.format(uid=uid))
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert uid.encode() not in body and secret.encode() not in body, path
    stage = reader.post(f"/forcegen/pledges/{uid}/stage/", {"stage": "L1", "on": "2018-07-01"})
    assert stage.status_code == 404 and uid.encode() not in stage.content


def test_force_in_place_from_the_un_monthly_file(tmp_path: Any) -> None:
    from bluehelmet.web.forcegen.models import Deployment

    path = tmp_path / "contributions.csv"
    path.write_text(
        "isocode3,contributing_country,mission_acronym,personnel_type,"
        "female_personnel,male_personnel,last_reporting_date\n"
        "BGD,Bangladesh,MINUSMA,Troops,10,1200,30/06/2018\n"
        "SEN,Senegal,MINUSMA,Formed Police Units,not a number,140,30/06/2018\n"
    )
    planner = client_for(dpo_user("planner"))
    try:
        with open(path, "rb") as handle:
            done = planner.post("/forcegen/requirements/deployments/", {"file": handle})
        assert done.status_code == 302
        rows = list(
            Deployment.objects.using("owner").filter(date=dt.date(2018, 6, 30), mission="MINUSMA")
        )
        # the importer's rules: the clean row is in, the bad one rejected (and counted)
        assert [(r.contributor, r.personnel_type, r.women, r.men) for r in rows] == [
            ("BGD", "troops", 10, 1200)
        ]
        page = planner.get("/forcegen/requirements/")
        assert page.context["deployments"] >= 1
        assert page.context["latest"] == dt.date(2018, 6, 30)
    finally:  # other tests plan on the bundled deployments
        Deployment.objects.using("owner").all().delete()


def test_sweep_and_an_answer_to_a_request() -> None:
    from bluehelmet.web.forcegen.models import PlanJob, Pledge, RequestLine
    from bluehelmet.web.jobs import work

    planner = client_for(dpo_user("planner"))
    start = planner.post(
        "/forcegen/plans/start/",
        {
            "title": unique("sweep"),
            "as_of": "2018-06-30",
            "start": "2018-07-01",
            "horizon": "1",
            "missions": ["MINUSMA"],
            "kind": "sweep",
            "sweep_parameter": "max_contributor_share",
            "sweep_values": "0.25;0.5",
        },
    )
    pk = int(str(start["Location"]).rstrip("/").split("/")[-1])
    while PlanJob.objects.using("owner").filter(status__in=["queued", "running"]).exists():
        work(once=True)
    job = PlanJob.objects.using("owner").get(pk=pk)
    assert job.status == "done", job.error
    assert [r["max_contributor_share"] for r in job.summary["runs"]] == [0.25, 0.5]
    assert planner.get(f"/forcegen/plans/{pk}/files/sweep.csv").status_code == 200
    runs = planner.get(f"/forcegen/plans/{pk}/").context["runs"]
    assert [r["value"] for r in runs] == [0.25, 0.5]
    bad = planner.post(
        "/forcegen/plans/start/", {"kind": "sweep", "sweep_parameter": "x", "sweep_values": "1"}
    )
    assert bad.status_code == 400

    # a member state answers a request released to it with a pledge linked to the request
    a = client_for(state_user(STATE_A))
    line = RequestLine.objects.using("owner").filter(releasable_to__contains=[STATE_A]).first()
    if line is None:  # no publication yet in this session: publish one
        test_plan_job_publishes_requests_to_the_member_state_only()
        line = RequestLine.objects.using("owner").filter(releasable_to__contains=[STATE_A]).first()
    assert line is not None
    form = a.get(f"/forcegen/pledges/new/?request={line.pk}")
    assert form.context["answers"].pk == line.pk
    uid = register(a, unit_type=line.unit_type, request=str(line.pk))
    assert Pledge.objects.using("owner").get(uid=uid).answers_id == line.pk
    other = client_for(state_user(STATE_B))
    if STATE_B not in line.releasable_to:
        assert other.get(f"/forcegen/pledges/new/?request={line.pk}").status_code == 404
    # ... or with an update of a pledge it has of that unit type, offered from the requests page
    uid = register(a, unit_type=line.unit_type)
    listed = [r for r in a.get("/forcegen/requests/").context["mine"] if r.pk == line.pk]
    listed += [r for r in a.get("/forcegen/requests/").context["general"] if r.pk == line.pk]
    assert uid in listed[0].own_pledges
    page = a.get(f"/forcegen/pledges/{uid}/?request={line.pk}")
    assert page.context["answering"].pk == line.pk
    data = {k: ("" if v is None else str(v)) for k, v in page.context["form"].initial.items()}
    assert a.post(f"/forcegen/pledges/{uid}/", {**data, "count": "4", "request": line.pk})
    pledge = Pledge.objects.using("owner").get(uid=uid)
    assert (pledge.count, pledge.answers_id) == (4, line.pk)


def test_published_lines_come_from_the_capability_requirements_note_when_there_is_one() -> None:
    from bluehelmet.web.forcegen.models import PlanJob
    from bluehelmet.web.forcegen.planjobs import output_dir
    from bluehelmet.web.forcegen.planviews import request_lines

    planner = dpo_user("planner")
    job = PlanJob.objects.using("owner").create(
        membership=planner.memberships.get(),
        owner="UN-DPO",
        as_of=dt.date.today(),
        status="done",
        title=unique("note"),
    )
    folder = output_dir(job) / "plan"
    folder.mkdir(parents=True)
    (folder / "capability_requirements.csv").write_text(
        "requirement_id,status,mission_id,location,unit_type_id,priority,time_from,time_to,"
        "units,specification,request_by_RDL,unit_months_short\n"
        "REQ-1,current,MINUSMA,Gao,util_heli,critical,2018-09-01,2019-02-01,2,"
        "3 x Mi-8 night capable,2018-07-03,12.0\n"
    )
    PlanJob.objects.using("owner").filter(pk=job.pk).update(folder=output_dir(job).name)
    lines = request_lines(job).to_dict("records")
    assert [
        (
            r["mission_id"],
            r["unit_type_id"],
            r["units"],
            r["unit_months"],
            r["first_month"],
            r["critical"],
        )
        for r in lines
    ] == [("MINUSMA", "util_heli", 2, 12.0, "2018-09", True)]
    assert "Gao" in lines[0]["note"] and "Mi-8" in lines[0]["note"]
    assert "2018-07-03" in lines[0]["note"]


def test_dpo_releases_its_pledge_record_to_the_member_state_concerned() -> None:
    from bluehelmet.web.forcegen.models import Pledge

    record = (
        Pledge.objects.using("owner")
        .filter(owner="UN-DPO", classification="confidential", releasable_to=[])
        .exclude(contributor__in=[STATE_A, STATE_B])
        .order_by("uid")
        .first()
    )
    assert record is not None  # the demo's 2018 registry
    state = record.contributor
    reader = client_for(member(state, 1, ["reporter"], kind="contributor"))
    assert reader.get(f"/forcegen/pledges/{record.uid}/").status_code == 404
    dpo = client_for(dpo_user("force_generation"))
    refused = dpo.post(f"/forcegen/pledges/{record.uid}/release/", {"releasable_to": "NOWHERE"})
    assert "NOWHERE" in str(refused.context["problems"])
    assert (
        dpo.post(f"/forcegen/pledges/{record.uid}/release/", {"releasable_to": state}).status_code
        == 302
    )
    assert reader.get(f"/forcegen/pledges/{record.uid}/").status_code == 200
    assert (
        client_for(state_user(STATE_B)).get(f"/forcegen/pledges/{record.uid}/").status_code == 404
    )
    # the member state reads it but may not release it further
    assert (
        reader.post(
            f"/forcegen/pledges/{record.uid}/release/", {"releasable_to": STATE_B}
        ).status_code
        == 403
    )


# --- the plan queue under row-level security --------------------------------------------------

ORGS = ["UN-DPO", "MINUSMA", "GHA", "AU"]
_job = st.fixed_dictionaries(
    {
        "classification": st.sampled_from([c.label for c in Classification]),
        "owner": st.sampled_from(ORGS),
        "releasable_to": st.lists(st.sampled_from(ORGS), max_size=2, unique=True),
    }
)
_reader = st.builds(
    AccessContext, st.sampled_from([*ORGS, "public"]), st.sampled_from(list(Classification))
)


@functools.cache
def _queue_membership() -> Any:
    return dpo_user("planner").memberships.get()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(jobs=st.lists(_job, min_size=1, max_size=6), who=_reader)
def test_plan_queue_library_orm_and_rls_agree(jobs: list[dict[str, Any]], who: Any) -> None:
    """The plan queue's RLS selects the library's rows for a page, and every row for a worker."""
    import pandas as pd
    from django.db import connections, transaction

    from bluehelmet.model.access import visible
    from bluehelmet.web.dbsetup import app_role
    from bluehelmet.web.forcegen.models import PlanJob
    from bluehelmet.web.jobs import WORKER_SETTING
    from bluehelmet.web.policy import reader_settings, visible_q

    table = pd.DataFrame(
        {
            "classification": [j["classification"] for j in jobs],
            "owner": [j["owner"] for j in jobs],
            "releasable_to": [";".join(j["releasable_to"]) or None for j in jobs],
        }
    )
    with transaction.atomic(using="owner"):
        made = PlanJob.objects.using("owner").bulk_create(
            [PlanJob(membership=_queue_membership(), as_of=dt.date(2018, 6, 30), **j) for j in jobs]
        )
        ids = [j.pk for j in made]
        expected = {i for i, keep in zip(ids, visible(table, who), strict=True) if keep}
        orm = set(
            PlanJob.objects.using("owner")
            .filter(pk__in=ids)
            .filter(visible_q(who))
            .values_list("pk", flat=True)
        )
        seen: dict[str, set[int]] = {}
        with connections["owner"].cursor() as cur:
            cur.execute(f"SET LOCAL ROLE {app_role()}")  # the superuser would bypass RLS
            for name, value in reader_settings(who).items():
                cur.execute("SELECT set_config(%s, %s, true)", [name, value])
            cur.execute("SELECT id FROM forcegen_planjob WHERE id = ANY(%s)", [ids])
            seen["page"] = {row[0] for row in cur.fetchall()}
            cur.execute(  # a page cannot claim or update another's job
                "UPDATE forcegen_planjob SET status = 'failed' WHERE id = ANY(%s)", [ids]
            )
            updated = cur.rowcount
            cur.execute("SELECT set_config(%s, 'on', true)", [WORKER_SETTING])
            cur.execute(
                "SELECT id FROM forcegen_planjob WHERE id = ANY(%s) FOR UPDATE SKIP LOCKED", [ids]
            )
            seen["worker"] = {row[0] for row in cur.fetchall()}
            cur.execute("RESET ROLE")
        transaction.set_rollback(True, using="owner")
    mine = {i for i, j in zip(ids, jobs, strict=True) if j["owner"] in who.policy.principals}
    assert orm == expected
    assert seen["page"] == expected
    assert updated == len(expected & mine)
    assert seen["worker"] == set(ids)


def test_plan_page_polls_with_htmx_until_the_job_is_done() -> None:
    """The running job's body polls every 2 s (HTMX, no inline script); a done one stops."""
    from bluehelmet.web.audit.models import AccessLog
    from bluehelmet.web.forcegen.models import PlanJob

    user = dpo_user("planner")
    planner = client_for(user)
    job = PlanJob.objects.using("owner").create(
        membership=user.memberships.get(), owner="UN-DPO", as_of=dt.date.today()
    )
    page = planner.get(f"/forcegen/plans/{job.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in page and f'hx-get="/forcegen/plans/{job.pk}/"' in page
    assert "<script>" not in page and "<noscript><meta http-equiv" in page
    fragment = planner.get(f"/forcegen/plans/{job.pk}/", HTTP_HX_REQUEST="true")
    assert fragment.content.decode().startswith('<div id="plan-body"')
    assert "<html" not in fragment.content.decode()
    PlanJob.objects.using("owner").filter(pk=job.pk).update(status="done")
    done = planner.get(f"/forcegen/plans/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done and 'data-testid="plan-status">done<' in done
    polls = AccessLog.objects.using("owner").filter(username=user.username, target=f"plan:{job.pk}")
    assert [r.detail.get("poll", False) for r in polls.order_by("pk")] == [False, True, True]
