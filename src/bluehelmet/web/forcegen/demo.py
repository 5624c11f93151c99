"""Demo of the force-generation workspace: DPO users, two member states, the 2018 registry.

Seeded by :func:`bluehelmet.web.demo.seed` (``bluehelmet serve --demo``). The bundled 2018
scenario's requirements and pledges (illustrative where its rows say so, with their sources) are
loaded as DPO records: owned by ``UN-DPO`` as in the scenario, each pledge registered and at its
scenario level on the scenario's reference date (the real dates are not public; the stage's note
says so).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd

from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.web.accounts.models import Organisation, Role
from bluehelmet.web.accounts.registry import sync_registry
from bluehelmet.web.forcegen.models import (
    FORCE_GENERATION_ORG,
    Pledge,
    PledgeStage,
    Requirement,
    Stage,
)
from bluehelmet.web.forcegen.registry import BASE_SCENARIO, pledge_values
from bluehelmet.web.policy import acting_as

C = Classification.CONFIDENTIAL
#: The two member states of the demo (contributors of the 2018 scenario).
MEMBER_STATES = [("NLD", "Netherlands (troop contributor)"), ("SEN", "Senegal (troop contributor)")]
USERS = [  # username, organisation, clearance, roles
    ("fgo", FORCE_GENERATION_ORG, C, [Role.FORCE_GENERATION]),
    ("planner", FORCE_GENERATION_ORG, C, [Role.PLANNER]),
    ("nld", "NLD", C, [Role.REPORTER]),
    ("sen", "SEN", C, [Role.REPORTER]),
]


def seed(
    make_user: Callable[[str, Organisation, Classification, list[Role], bool], object],
) -> list[object]:
    """Create the member-state organisations, the users and the 2018 registry (once)."""
    sync_registry(tuple(code for code, _ in MEMBER_STATES))  # the library's registry
    users = [
        make_user(name, Organisation.objects.get(code=org), level, roles, False)
        for name, org, level, roles in USERS
    ]
    load_registry()
    return users


def load_registry() -> None:
    """The 2018 scenario's requirements and pledges as DPO's records."""
    from bluehelmet.scenario.io import load_scenario

    s = load_scenario(BASE_SCENARIO)
    reference = dt.date.fromisoformat(str(s.meta.get("reference_date", "2018-06-30")))
    note = (
        "from the bundled 2018 scenario; the real date is not public (the scenario's "
        "reference date)"
    )
    with acting_as(AccessContext(FORCE_GENERATION_ORG, Classification.STRICTLY_CONFIDENTIAL)):
        Requirement.objects.bulk_create(
            [
                Requirement(
                    uid=r["id"],
                    mission=r["mission_id"],
                    unit_type=r["unit_type_id"],
                    count=int(r["count"]),
                    start=pd.Timestamp(r["start"]).date(),
                    end=pd.Timestamp(r["end"]).date(),
                    priority=r["priority"],
                    language="" if pd.isna(r["language"]) else str(r["language"]),
                    classification=r["classification"],
                    owner=r["owner"],
                    releasable_to=list(r["releasable_to"] or ()),
                    basis=r["basis"],
                    source=r["source"],
                )
                for r in s.requirements.to_dict("records")
                if r["owner"] == FORCE_GENERATION_ORG
            ]
        )
        pledges = [
            Pledge(uid=r["id"], created_by="demo", **pledge_values(r))
            for r in s.pledges.to_dict("records")
            if r["owner"] == FORCE_GENERATION_ORG
        ]
        Pledge.objects.bulk_create(pledges)
        levels = dict(zip(s.pledges["id"], s.pledges["pcrs_level"], strict=True))
        since = dict(
            zip(
                s.pledges["id"],
                s.pledges.get("level_since", pd.Series(pd.NaT, index=s.pledges.index)),
                strict=True,
            )
        )
        stages = []
        for p in Pledge.objects.filter(uid__in=[p.uid for p in pledges]):
            stages.append(
                PledgeStage(
                    pledge=p,
                    stage=Stage.REGISTERED.value,
                    on=reference,
                    date_known=False,
                    recorded_by="demo",
                    organisation=FORCE_GENERATION_ORG,
                    note=note,
                )
            )
            known = not pd.isna(since[p.uid])
            stages.append(
                PledgeStage(
                    pledge=p,
                    stage=levels[p.uid],
                    on=pd.Timestamp(since[p.uid]).date() if known else reference,
                    date_known=known,
                    recorded_by="demo",
                    organisation=FORCE_GENERATION_ORG,
                    note="level_since of the bundled 2018 scenario" if known else note,
                )
            )
        PledgeStage.objects.bulk_create(stages)
