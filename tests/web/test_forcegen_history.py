"""The registry as of a date (from the pledges' history), withdrawal, and the pledge audit.

Known answers: a pledge registered and verified on 2024-01-10, its offer edited on 2024-03-01 and
withdrawn on 2024-05-01 (dates set in the history as the owner connection; the application
records them as "now"). The registry on each date, and the scenario a plan job at that date is
built on, hold the offer as it stood then.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.web.conftest import member
from tests.web.test_forcegen import STATE_A, STATE_B, client_for, dpo_user, register, state_user

pytestmark = pytest.mark.usefixtures("platform")

REGISTERED, EDITED, WITHDRAWN = dt.date(2024, 1, 10), dt.date(2024, 3, 1), dt.date(2024, 5, 1)


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def _offer(client: Any, uid: str, **changes: str) -> None:
    """The owner changes the pledge's offer through its page."""
    form = client.get(f"/forcegen/pledges/{uid}/").context["form"]
    data = {k: ("" if v is None else str(v)) for k, v in form.initial.items()}
    data.update(changes)
    response = client.post(f"/forcegen/pledges/{uid}/", data)
    assert response.status_code == 302, response.content.decode()[:1500]


@pytest.fixture(scope="module")
def dated_pledge() -> str:
    """A pledge of STATE_A with a history of known dates (see the module docstring)."""
    from bluehelmet.web.forcegen.history import event_model
    from bluehelmet.web.forcegen.models import PledgeStage

    a = client_for(state_user(STATE_A))
    uid = register(
        a, unit_type="eod_coy", count="1", languages="en;fr", national_restrictions="no night"
    )
    fgo = client_for(dpo_user("force_generation"))
    verified = fgo.post(f"/forcegen/pledges/{uid}/stage/", {"stage": "L1", "on": dt.date.today()})
    assert verified.status_code == 302
    events = event_model().objects.using("owner").filter(pgh_obj__uid=uid)
    events.update(pgh_created_at=_noon(REGISTERED))
    stages = PledgeStage.objects.using("owner").filter(pledge__uid=uid)
    assert stages.update(on=REGISTERED) == 2  # registered and L1, both on 2024-01-10
    _offer(a, uid, count="3", languages="fr", national_restrictions="", rotation_months="6")
    events.filter(pgh_label="update").update(pgh_created_at=_noon(EDITED))
    assert a.post(f"/forcegen/pledges/{uid}/withdraw/", {"on": WITHDRAWN}).status_code == 302
    return uid


def _registry(day: dt.date, reader: Any | None = None) -> dict[str, dict[str, str]]:
    from django.db import transaction

    from bluehelmet.model.access import AccessContext, Classification
    from bluehelmet.web.forcegen.history import registry_on
    from bluehelmet.web.policy import set_reader

    reader = reader or AccessContext("UN-DPO", Classification.CONFIDENTIAL)
    with transaction.atomic():
        set_reader(reader)
        frame = registry_on(reader, day)
    return {str(r["id"]): r for r in frame.astype(str).to_dict("records")}


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2024, 1, 9), None),  # registered later: not in the registry yet
        (REGISTERED, ("1", "en;fr", "no night", "12", "L1")),
        (dt.date(2024, 2, 29), ("1", "en;fr", "no night", "12", "L1")),
        (EDITED, ("3", "fr", "", "6", "L1")),  # the edit of that day is in force at its end
        (dt.date(2024, 4, 30), ("3", "fr", "", "6", "L1")),  # withdrawn later: as it was
        (WITHDRAWN, None),
        (dt.date.today(), None),
    ],
)
def test_registry_on_a_date_holds_the_offer_as_it_stood(
    dated_pledge: str, day: dt.date, expected: tuple[str, ...] | None
) -> None:
    row = _registry(day).get(dated_pledge)
    keys = ("count", "languages", "national_restrictions", "rotation_months", "pcrs_level")
    assert (None if row is None else tuple(row[k] for k in keys)) == expected


def test_a_plan_at_a_date_is_built_on_the_registry_of_that_date(dated_pledge: str) -> None:
    from django.db import transaction

    from bluehelmet.model.access import AccessContext, Classification
    from bluehelmet.web.forcegen.planjobs import registry_view
    from bluehelmet.web.policy import set_reader

    planner = AccessContext("UN-DPO", Classification.CONFIDENTIAL)
    counts = {}
    for day in (dt.date(2024, 2, 1), dt.date(2024, 4, 1), dt.date(2024, 6, 1)):
        with transaction.atomic():
            set_reader(planner)
            view = registry_view(planner, day, ["MINUSMA"], dt.date(2018, 7, 1))
        pledges = view.pledges.set_index("id")
        counts[day] = (
            int(pledges.loc[dated_pledge, "count"]) if dated_pledge in pledges.index else None
        )
    assert list(counts.values()) == [1, 3, None]


def test_the_version_of_the_date_must_have_been_visible(dated_pledge: str) -> None:
    """Released to a member state only after the date: that state does not see it on the date."""
    from bluehelmet.model.access import AccessContext, Classification

    b = AccessContext(STATE_B, Classification.CONFIDENTIAL)
    assert dated_pledge not in _registry(dt.date(2024, 2, 1), b)
    a = AccessContext(STATE_A, Classification.CONFIDENTIAL)
    assert _registry(dt.date(2024, 2, 1), a)[dated_pledge]["count"] == "1"


def test_a_withdrawn_pledge_is_kept_and_frozen(dated_pledge: str, tmp_path: Any) -> None:
    from django.db import DatabaseError, transaction

    from bluehelmet.model.access import AccessContext, Classification
    from bluehelmet.web.forcegen.models import Pledge, PledgeStage
    from bluehelmet.web.policy import set_reader

    a = client_for(state_user(STATE_A))
    page = a.get(f"/forcegen/pledges/{dated_pledge}/")
    assert page.context["withdrawn"] == WITHDRAWN and page.context["form"] is None
    assert [s.stage for s in page.context["stages"]] == ["registered", "L1", "withdrawn"]
    # the changes list what each version changed
    changes = page.context["changes"]
    assert [c["label"] for c in changes] == ["insert", "update"]
    assert {"field": "count", "old": "1", "new": "3"} in changes[1]["fields"]
    again = a.post(f"/forcegen/pledges/{dated_pledge}/withdraw/", {"on": dt.date.today()})
    assert "already withdrawn" in str(again.context["problems"])
    fgo = client_for(dpo_user("force_generation"))
    stage = fgo.post(
        f"/forcegen/pledges/{dated_pledge}/stage/", {"stage": "L2", "on": dt.date.today()}
    )
    assert "withdrawn" in str(stage.context["problems"])
    # an export imported back leaves it unchanged; a changed row of it is refused
    path = tmp_path / "pledges.csv"
    path.write_text(a.get("/forcegen/pledges/export.csv").content.decode())
    with open(path, "rb") as handle:
        outcome = a.post("/forcegen/pledges/import/", {"file": handle}).context["outcome"]
    assert dated_pledge in outcome.unchanged and not outcome.problems
    lines = path.read_text().splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith(f"{dated_pledge},"))
    cells = lines[row].split(",")
    cells[3] = "9"  # count
    path.write_text("\n".join([lines[0], ",".join(cells)]) + "\n")
    with open(path, "rb") as handle:
        refused = a.post("/forcegen/pledges/import/", {"file": handle}).context["outcome"]
    assert [(p.row, p.field) for p in refused.problems] == [(2, "id")]
    # another member state cannot withdraw it, nor can the database be made to
    other = client_for(state_user(STATE_B))
    assert other.post(f"/forcegen/pledges/{dated_pledge}/withdraw/").status_code == 404
    # a member state the owner released the pledge to sees it, but may not withdraw it
    uid = register(a)
    a.post(f"/forcegen/pledges/{uid}/release/", {"releasable_to": f"UN-DPO;{STATE_B}"})
    refused = other.post(f"/forcegen/pledges/{uid}/withdraw/", {"on": dt.date.today()})
    assert "only the pledge's owner" in str(refused.context["problems"])
    with transaction.atomic():
        set_reader(AccessContext(STATE_B, Classification.CONFIDENTIAL))
        pledge = Pledge.objects.get(uid=uid)
        with pytest.raises(DatabaseError), transaction.atomic():
            PledgeStage.objects.create(
                pledge=pledge, stage="withdrawn", on=dt.date.today(), recorded_by="x"
            )
        set_reader(AccessContext(STATE_A, Classification.CONFIDENTIAL))
        PledgeStage.objects.create(  # the owner may, in SQL too
            pledge=pledge, stage="withdrawn", on=dt.date.today(), recorded_by="x"
        )
        transaction.set_rollback(True)


def test_every_view_and_change_of_a_pledge_is_audited(tmp_path: Any) -> None:
    """The pledge audit: list, count, view, API, export, import, update, stage, release,
    withdrawal, and the denials, each a line naming the user and the pledge."""
    from bluehelmet.web.audit.models import AccessLog

    owner_user, dpo = state_user(STATE_A), dpo_user("force_generation")
    a, fgo = client_for(owner_user), client_for(dpo)
    outsider = member(STATE_B, 1, ["reporter"], kind="contributor")
    b = client_for(outsider)
    uid = register(a, unit_type="eng_coy")
    a.get("/forcegen/")
    a.get("/forcegen/pledges/")
    a.get(f"/forcegen/pledges/{uid}/")
    a.get(f"/api/forcegen/pledges/{uid}")
    a.get("/api/forcegen/pledges")
    text = a.get("/forcegen/pledges/export.csv").content.decode()
    path = tmp_path / "p.csv"
    path.write_text(text)
    with open(path, "rb") as handle:
        a.post("/forcegen/pledges/import/", {"file": handle})
    _offer(a, uid, count="2")
    fgo.post(f"/forcegen/pledges/{uid}/stage/", {"stage": "L1", "on": dt.date.today()})
    a.post(f"/forcegen/pledges/{uid}/release/", {"releasable_to": "UN-DPO"})
    a.post(f"/forcegen/pledges/{uid}/withdraw/", {"on": dt.date.today()})
    b.get(f"/forcegen/pledges/{uid}/")
    b.get(f"/api/forcegen/pledges/{uid}")

    def lines(user: Any) -> list[tuple[str, str]]:
        rows = AccessLog.objects.using("owner").filter(username=user.username).order_by("pk")
        return [(r.action, r.target) for r in rows]

    assert lines(owner_user) == [
        ("create", f"pledge:{uid}"),
        ("count", "pledges"),
        ("list", "pledges"),
        ("view", f"pledge:{uid}"),
        ("api", f"pledge:{uid}"),
        ("api", "pledges"),
        ("export", "pledges.csv"),
        ("create", "pledges:import"),
        ("view", f"pledge:{uid}"),  # the page read before the change
        ("change", f"pledge:{uid}"),
        ("change", f"pledge:{uid}"),  # release
        ("change", f"pledge:{uid}"),  # withdrawal
    ]
    assert lines(dpo) == [("change", f"pledge:{uid}")]
    assert lines(outsider) == [("denied", f"pledge:{uid}")] * 2
