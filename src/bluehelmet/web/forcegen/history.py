"""The pledge registry as it stood on a date, rebuilt from its history.

A pledge's offer (count, caveats, availability, rotation, languages, women's share ...) is kept
current in ``forcegen_pledge``; django-pghistory keeps every version in ``forcegen_pledgeevent``
(a row per insert and update, stamped ``pgh_created_at`` by the database). Its readiness is a
list of dated stages (:class:`~bluehelmet.web.forcegen.models.PledgeStage`). The registry on a
date ``D`` (the end of that day, UTC) is:

* every pledge **registered** on or before ``D`` (its ``registered`` stage) and not
  **withdrawn** on or before ``D`` (a pledge withdrawn later is in, as it was);
* each with **every field of its offer as it stood on** ``D``: its latest version recorded on or
  before ``D``. A pledge whose record was entered after ``D`` with an earlier registration date
  (a registry loaded or imported with its real dates, such as the demo's 2018 registry) has no
  version that early; its first version, as entered, stands for it;
* at its **PCRS level on** ``D`` (the latest of L1-RDL dated on or before ``D``).

Need-to-know applies twice: the pledge must be visible to the reader now (its current
``classification``, ``owner`` and ``releasable_to``), and the version used must have been
visible to the reader then (the version's own columns; the event table has the same RLS). The
rows carry the current need-to-know columns, so the owner's latest decision marks what is made
from them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from django.apps import apps
from django.db.models import Exists, OuterRef, QuerySet

from bluehelmet.model.access import AccessContext
from bluehelmet.web.forcegen.models import Pledge, PledgeStage, Stage
from bluehelmet.web.policy import visible_q

#: Fields of the offer taken from the version of the pledge in force on the date.
OFFER_FIELDS = (
    "contributor",
    "unit_type",
    "count",
    "available_from",
    "available_until",
    "rotation_months",
    "women_share",
    "excluded_missions",
    "excluded_regions",
    "languages",
    "national_restrictions",
    "declared_level",
    "basis",
    "source",
)


def event_model() -> Any:
    """The model of the pledges' versions (django-pghistory's ``PledgeEvent``)."""
    return apps.get_model("forcegen", "PledgeEvent")


def end_of(day: dt.date) -> dt.datetime:
    """The first instant after ``day`` (UTC): versions stamped before it were in force on it."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)


def _stage_on_or_before(stage: Stage, day: dt.date) -> Exists:
    return Exists(PledgeStage.objects.filter(pledge=OuterRef("pk"), stage=stage.value, on__lte=day))


def registered_on(pledges: QuerySet[Pledge], day: dt.date) -> QuerySet[Pledge]:
    """The pledges of ``pledges`` registered on or before ``day`` and not withdrawn by then."""
    return pledges.filter(_stage_on_or_before(Stage.REGISTERED, day)).exclude(
        _stage_on_or_before(Stage.WITHDRAWN, day)
    )


def versions_on(pledges: QuerySet[Pledge], reader: AccessContext, day: dt.date) -> dict[int, Any]:
    """For each pledge, its version (a ``PledgeEvent``) in force on ``day`` that ``reader`` sees.

    The latest version stamped before the end of ``day``; for a pledge entered later, its first
    version. A pledge whose version is not visible to ``reader`` has no entry.
    """
    model = event_model()
    events = model.objects.filter(pgh_obj__in=pledges.values("pk"))
    ordered = ("pgh_obj_id", "-pgh_created_at", "-pgh_id")
    then = events.filter(pgh_created_at__lt=end_of(day)).order_by(*ordered).distinct("pgh_obj_id")
    found = {e.pgh_obj_id: e for e in then}
    first = (
        events.exclude(pgh_obj_id__in=list(found))
        .order_by("pgh_obj_id", "pgh_created_at", "pgh_id")
        .distinct("pgh_obj_id")
    )
    found.update({e.pgh_obj_id: e for e in first})
    # The version must have been visible to the reader (RLS on the event table says so too).
    seen = set(
        model.objects.filter(pgh_id__in=[e.pgh_id for e in found.values()])
        .filter(visible_q(reader))
        .values_list("pgh_id", flat=True)
    )
    return {pk: e for pk, e in found.items() if e.pgh_id in seen}


def registry_on(reader: AccessContext, day: dt.date) -> pd.DataFrame:
    """The registry on ``day`` as ``reader`` may see it, in the library's ``pledges`` columns.

    Run inside a transaction where :func:`~bluehelmet.web.policy.set_reader` told PostgreSQL who
    reads. ``pcrs_level`` is empty for a pledge not verified at L1 by then.
    """
    from bluehelmet.web.forcegen.registry import pledge_frame

    pledges = registered_on(Pledge.objects.visible_to(reader), day)
    versions = versions_on(pledges, reader, day)
    return pledge_frame(pledges.filter(pk__in=list(versions)), day, versions=versions)


def changes(versions: list[Any]) -> list[dict[str, Any]]:
    """What each version of a pledge changed: ``when``, ``label`` and ``fields`` (old -> new).

    ``versions`` in the order they were recorded; the first lists the offer as registered.
    """
    shown = (*OFFER_FIELDS, "classification", "owner", "releasable_to", "answers_id")
    out: list[dict[str, Any]] = []
    before: Any = None
    for v in versions:
        fields = []
        for name in shown:
            new = getattr(v, name)
            old = getattr(before, name) if before is not None else None
            if (before is None and _text(new)) or (before is not None and new != old):
                fields.append({"field": name, "old": _text(old), "new": _text(new)})
        out.append({"when": v.pgh_created_at, "label": v.pgh_label, "fields": fields})
        before = v
    return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(str(x) for x in value)
    return str(value)
