"""Demo organisations, users of every kind, and the bundled data, for ``serve --demo``.

The organisations are the library's registry (``bluehelmet/model/organisations.csv``) plus the
member states NLD and SEN (:func:`bluehelmet.web.accounts.registry.sync_registry`).

Real data: the UCDP GED events in Mali's bounding box shipped with bluehelmet (unclassified,
owner ``UCDP``). Illustrative data: a handful of classified patrol and analysis reports, marked
``basis = illustrative``, so that need-to-know is visible in the demo; they describe no real event.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.contrib.auth.models import User
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.web.accounts.models import Membership, Organisation, Role
from bluehelmet.web.accounts.registry import sync_registry
from bluehelmet.web.forcegen.demo import seed as forcegen_seed
from bluehelmet.web.policy import acting_as
from bluehelmet.web.reports.models import Report

#: Mali's bounding box (degrees), to pick MINUSMA's events from the bundled UCDP subset.
MALI_BBOX = (-12.3, 10.1, 4.3, 25.0)
C, SC = Classification.CONFIDENTIAL, Classification.STRICTLY_CONFIDENTIAL

#: Member states of the demo (the registry lists every other organisation the demo uses).
MEMBER_STATES = ("NLD", "SEN")  # the force-generation demo's two member states

USERS = [  # username, organisation, clearance, roles, TOTP
    ("admin", "MINUSMA", C, [Role.ADMINISTRATOR], True),
    ("liaison", "MINUSMA-CAS", C, [Role.COMMUNITY_LIAISON, Role.REPORTER], False),
    ("analyst", "MINUSMA-JMAC", C, [Role.ANALYST], False),
    ("approver", "MINUSMA-JMAC", SC, [Role.APPROVER, Role.ANALYST], False),
    ("joc", "MINUSMA-JOC", C, [Role.REPORTER], False),
    ("hq", "UN-DPO", SC, [Role.ANALYST], False),
    ("auditor", "MINUSMA", C, [Role.AUDITOR], True),
    ("contributor", "NLD", C, [Role.REPORTER], False),
    ("partner", "AU", C, [Role.ANALYST], False),
]

ILLUSTRATIVE = [  # id, owner, classification, releasable_to, place, lon, lat, category, text
    (
        "demo-patrol-1",
        "MINUSMA-JOC",
        C,
        ["MINUSMA-JMAC"],
        "Ménaka",
        2.40,
        15.92,
        "armed_group_movement",
        "Patrol observed a column of pick-ups moving north at dusk.",
    ),
    (
        "demo-patrol-2",
        "MINUSMA-JOC",
        C,
        ["MINUSMA-JMAC", "NLD"],
        "Gao",
        -0.04,
        16.27,
        "ied",
        "Suspected IED found on the road east of the camp; cordon in place.",
    ),
    (
        "demo-jmac-1",
        "MINUSMA-JMAC",
        SC,
        [],
        "Kidal",
        1.41,
        18.44,
        "other",
        "Assessment of an armed group's intentions (strictly confidential).",
    ),
    (
        "demo-au-1",
        "AU",
        C,
        ["MINUSMA-JMAC"],
        "Mopti",
        -4.20,
        14.49,
        "displacement",
        "Partner report: families leaving villages towards the town.",
    ),
    (
        "demo-au-2",
        "AU",
        C,
        ["MINUSMA-JMAC"],
        "Ménaka",
        2.43,
        15.90,
        "armed_group_movement",
        "Partner report: armed men in pick-ups seen leaving Ménaka northwards.",
    ),
]


@dataclass(frozen=True)
class DemoUser:
    """A seeded user, as printed by ``serve --demo``."""

    username: str
    password: str
    organisation: str
    clearance: str
    roles: str
    totp_uri: str


def seed() -> list[DemoUser]:
    """Create the demo organisations, users and reports (once; later calls change nothing)."""
    if Organisation.objects.exists():
        return []
    with transaction.atomic():
        sync_registry(MEMBER_STATES)  # the library's registry is the one list
        orgs = {o.code: o for o in Organisation.objects.all()}
        users = [
            _user(name, orgs[org], level, roles, totp) for name, org, level, roles, totp in USERS
        ]
        _reports()
        users += forcegen_seed(_user)  # type: ignore[arg-type]
    return users


def warm() -> int:
    """Queue the risk-layer jobs of the demo's analysts (those not stored yet); returns them."""
    from bluehelmet.web.reports.risk import queue_for

    analysts = Membership.objects.filter(roles__contains=[Role.ANALYST.value]).order_by("pk")
    return sum(queue_for(m) is not None for m in analysts.select_related("organisation", "user"))


def _user(
    name: str, org: Organisation, level: Classification, roles: list[Role], totp: bool
) -> DemoUser:
    password = secrets.token_urlsafe(12)
    user = User.objects.create_user(name, password=password)
    Membership.objects.create(
        user=user, organisation=org, clearance=int(level), roles=[r.value for r in roles]
    )
    uri = ""
    if totp:
        uri = TOTPDevice.objects.create(user=user, name="demo", confirmed=True).config_url
    return DemoUser(name, password, org.code, level.label, ",".join(r.value for r in roles), uri)


def _int(value: object) -> int | None:
    return None if pd.isna(value) else int(value)  # type: ignore[call-overload]


def _rows(table: pd.DataFrame) -> list[Any]:
    return list(table.itertuples())


def _reports() -> None:
    from bluehelmet.intel.reports import events_to_reports
    from bluehelmet.reference import ucdp_events

    events = ucdp_events()
    west, south, east, north = MALI_BBOX
    mali = events[
        events["longitude"].between(west, east) & events["latitude"].between(south, north)
    ]
    table = events_to_reports(mali.reset_index(drop=True), "bundled subset, Mali")
    rows = [
        Report(
            uid=r.id,
            time=str(r.time),
            time_precision=r.time_precision,
            longitude=float(r.longitude),
            latitude=float(r.latitude),
            place_name="" if pd.isna(r.place_name) else str(r.place_name),
            category=r.category,
            fatalities=_int(r.fatalities),
            civilian_deaths=_int(r.civilian_deaths),
            source_type=r.source_type,
            reliability=r.reliability,
            credibility=int(r.credibility),
            mission="MINUSMA",
            classification="unclassified",
            owner="UCDP",
            basis="real",
            source=r.source,
        )
        for r in _rows(table)
    ]
    with acting_as(AccessContext("UCDP", Classification.UNCLASSIFIED)):
        Report.objects.bulk_create(rows, batch_size=1000)
    for uid, owner, level, released, place, lon, lat, category, text in ILLUSTRATIVE:
        with acting_as(AccessContext(owner, level)):
            Report.objects.create(
                uid=uid,
                time="2018-06-01T10:00",
                time_precision="hour",
                place_name=place,
                longitude=lon,
                latitude=lat,
                place_precision_km=5.0,
                category=category,
                source_type="patrol",
                reliability="B",
                credibility=2,
                mission="MINUSMA",
                description=text,
                classification=level.label,
                owner=owner,
                releasable_to=released,
                basis="illustrative",
                source="illustrative demo record built by bluehelmet; no real event",
            )
