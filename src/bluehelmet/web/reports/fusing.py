"""Triage decisions on incidents: proposals from the fusion engine, accept, split, merge.

Proposals come from the library's fusion engine (:func:`bluehelmet.intel.fusion.fuse`) run over
the reports the analyst may see (the queryset is already filtered by need-to-know; ``fuse``
applies the library's mask again) and not yet in an incident of the analyst's organisation.
Nothing is stored until an analyst accepts a proposal, or part of one. Accepting, splitting and
merging derive the incident's summary and its marking (:func:`derived_marking`) again from its
reports, so a split or a merge of a downgraded incident is marked as its reports are (the
downgrade is then asked for again). Only analysts of the owning organisation who may see every
report of an incident (its derived marking, under the library's rule) change it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import IntegrityError, transaction

from bluehelmet.intel.fusion import CATEGORIES, Rules, fuse, report_probability
from bluehelmet.intel.view import ReportTable
from bluehelmet.model.access import AccessContext
from bluehelmet.web.reports.models import (
    Incident,
    IncidentReport,
    Report,
    ReportQuerySet,
    TriageAction,
    derived_marking,
)

#: Report fields the fusion engine reads (``uid`` becomes the library's ``id``).
FUSION_FIELDS = [
    "uid",
    "time",
    "time_precision",
    "longitude",
    "latitude",
    "category",
    "fatalities",
    "civilian_deaths",
    "source_type",
    "reliability",
    "credibility",
    "classification",
    "owner",
    "releasable_to",
]
#: Above this many reports in the window, proposals ask for a narrower window.
MAX_FUSED = 50_000


class TriageError(Exception):
    """A triage request that cannot be carried out; the message says why and what to do."""


@dataclass(frozen=True)
class Proposal:
    """A group of reports the fusion engine links into one event."""

    reports: tuple[str, ...]
    first_time: str
    category: str
    confidence: float
    classification: str


def report_frame(reports: ReportQuerySet) -> pd.DataFrame:
    """``reports`` as the library's reports table (the columns fusion reads)."""
    rows = list(reports.values_list(*FUSION_FIELDS))
    table = pd.DataFrame.from_records(rows, columns=FUSION_FIELDS).rename(columns={"uid": "id"})
    table["releasable_to"] = pd.Series(
        [tuple(v) for v in table["releasable_to"]], index=table.index, dtype=object
    )
    for column in ("fatalities", "civilian_deaths"):
        table[column] = table[column].astype("Int64")
    return table


def untriaged(reports: ReportQuerySet, reader: AccessContext) -> ReportQuerySet:
    """The reports of ``reports`` not yet in an incident of the reader's organisation."""
    linked = IncidentReport.objects.filter(owner=reader.organisation).values("report_id")
    return reports.exclude(pk__in=linked)


def proposals(
    reports: ReportQuerySet, reader: AccessContext, rules: Rules | None = None
) -> list[Proposal]:
    """Groups of two or more untriaged reports that fusion links, newest first."""
    candidates = untriaged(reports, reader)
    if candidates.count() > MAX_FUSED:
        raise TriageError(
            f"more than {MAX_FUSED:,} reports in this window: choose a shorter "
            "time window or a category"
        )
    table = report_frame(candidates)
    if table.empty:
        return []
    # the queryset is already the reader's (RLS and visible_q); the library's gate again
    incidents = fuse(ReportTable(table, "platform triage").view(reader), rules).incidents
    found = incidents[incidents["reports"] >= 2]
    out = [
        Proposal(
            tuple(str(row["report_ids"]).split(";")),
            str(row["first_time"]),
            str(row["category"]),
            float(row["confidence"]),
            str(row["classification"]),
        )
        for row in found.to_dict("records")
    ]
    return sorted(out, key=lambda p: (p.first_time, p.reports), reverse=True)


def may_triage(incident: Incident, reader: AccessContext) -> bool:
    """Whether ``reader`` may change ``incident``: its owner, seeing every report it holds."""
    derived = pd.DataFrame(
        {
            "classification": [incident.derived_classification],
            "owner": [incident.owner],
            "releasable_to": [tuple(incident.derived_releasable_to)],
        }
    )
    return incident.owner == reader.organisation and bool(reader.policy.mask(derived).iloc[0])


def _summary(reports: Sequence[Report], owner: str) -> dict[str, object]:
    """Time span, place, category, casualties, confidence and marking of ``owner``'s incident."""
    times = sorted(r.time for r in reports)
    located = [r for r in reports if r.longitude is not None and r.latitude is not None]
    order = {c: i for i, c in enumerate(CATEGORIES)}
    grades = pd.DataFrame(
        {
            "reliability": [r.reliability for r in reports],
            "credibility": [str(r.credibility) for r in reports],
        }
    )
    probability = report_probability(grades)
    best: dict[tuple[str, str], float] = {}  # one witness per source: its best report
    for report, p in zip(reports, probability, strict=True):
        key = (report.owner, report.source_type)
        best[key] = max(best.get(key, 0.0), float(p))
    deaths = [r.fatalities for r in reports if r.fatalities is not None]
    civilians = [r.civilian_deaths for r in reports if r.civilian_deaths is not None]
    level, common = derived_marking(reports)
    released = [o for o in common if o != owner]  # the owner sees its own products anyway
    return {
        "first_time": times[0],
        "last_time": times[-1],
        "longitude": float(np.mean([r.longitude for r in located])) if located else None,
        "latitude": float(np.mean([r.latitude for r in located])) if located else None,
        "category": min((r.category for r in reports), key=lambda c: order.get(c, len(order))),
        "fatalities": max(deaths) if deaths else None,
        "civilian_deaths": max(civilians) if civilians else None,
        "confidence": 1 - float(np.prod([1 - min(p, 0.999) for p in best.values()])),
        "classification": level,
        "releasable_to": released,
        "derived_classification": level,
        "derived_releasable_to": released,
    }


def _refresh(incident: Incident, reports: Sequence[Report]) -> None:
    """Derive ``incident``'s summary and marking from ``reports`` again, and save it."""
    for name, value in _summary(reports, incident.owner).items():
        setattr(incident, name, value)
    incident.save()


def _visible_reports(reader: AccessContext, uids: Sequence[str]) -> list[Report]:
    wanted = sorted(set(uids))
    if not wanted:
        raise TriageError("choose at least one report")
    found = list(Report.objects.visible_to(reader).filter(uid__in=wanted).order_by("time", "uid"))
    if len(found) != len(wanted):  # hidden and missing alike, and neither named
        raise TriageError("a chosen report does not exist or is not visible to you")
    return found


def record_action(
    incident: Incident,
    action: str,
    reason: str,
    by: str,
    reports: Sequence[str] = (),
    **extra: object,
) -> TriageAction:
    """Append one decision to ``incident``'s history, marked as the incident is now."""
    return TriageAction.objects.create(
        incident=incident,
        action=action,
        reason=reason,
        reports=list(reports),
        by=by,
        classification=incident.classification,
        owner=incident.owner,
        releasable_to=list(incident.releasable_to),
        **extra,
    )


#: A link conflicts only with an incident of the same organisation and level, which the writer
#: may see (see :class:`IncidentReport`), so the message reveals nothing hidden.
IN_ANOTHER = (
    "a chosen report is already in an incident of your organisation at this classification: "
    "split or merge that incident instead"
)


def _link(incident: Incident, reports: Sequence[Report]) -> None:
    level = incident.derived_classification
    try:
        with transaction.atomic():
            IncidentReport.objects.bulk_create(
                [
                    IncidentReport(incident=incident, report=r, owner=incident.owner, level=level)
                    for r in reports
                ]
            )
    except IntegrityError:
        raise TriageError(IN_ANOTHER) from None


def _relevel(*incidents: Incident) -> None:
    """Give the links of ``incidents`` their incident's derived level again (after a change)."""
    try:
        with transaction.atomic():
            for incident in incidents:
                IncidentReport.objects.filter(incident=incident).update(
                    level=incident.derived_classification
                )
    except IntegrityError:
        raise TriageError(IN_ANOTHER) from None


def accept(
    reader: AccessContext, by: str, uids: Sequence[str], reason: str, title: str = ""
) -> Incident:
    """Make an incident of the reports ``uids`` (a proposal, or part of one)."""
    reports = _visible_reports(reader, uids)
    with transaction.atomic():
        incident = Incident(
            uid=f"inc-{uuid.uuid4().hex[:10]}",
            owner=reader.organisation,
            created_by=by,
            title=title
            or f"{reports[0].category} at {reports[0].place_name or reports[0].time}"[:200],
        )
        _refresh(incident, reports)
        _link(incident, reports)
        record_action(incident, TriageAction.ACCEPT, reason, by, [r.uid for r in reports])
    return incident


def reports_of(incident: Incident, reader: AccessContext) -> list[Report]:
    """The reports of ``incident`` that ``reader`` may see (RLS filters the links again)."""
    return list(
        Report.objects.visible_to(reader)
        .filter(incident_links__incident=incident)
        .order_by("time", "uid")
    )


def _check(incident: Incident, reader: AccessContext) -> None:
    if incident.status != Incident.OPEN:
        raise TriageError(f"{incident.uid} was merged into {incident.merged_into}; change that")
    if not may_triage(incident, reader):
        raise TriageError(
            "only analysts of the owning organisation who may see every report "
            "of the incident change it"
        )


def split(
    incident: Incident, reader: AccessContext, by: str, uids: Sequence[str], reason: str
) -> Incident:
    """Move the reports ``uids`` of ``incident`` into a new incident; returns the new one."""
    _check(incident, reader)
    current = reports_of(incident, reader)
    moving = [r for r in current if r.uid in set(uids)]
    staying = [r for r in current if r.uid not in set(uids)]
    if not moving or not staying or len(moving) != len(set(uids)):
        raise TriageError("choose some, not all, of the incident's own reports to split off")
    with transaction.atomic():
        new = Incident(
            uid=f"inc-{uuid.uuid4().hex[:10]}",
            owner=incident.owner,
            created_by=by,
            title=f"{incident.title} (split)"[:200],
        )
        _refresh(new, moving)
        IncidentReport.objects.filter(incident=incident, report__in=moving).update(incident=new)
        _refresh(incident, staying)
        _relevel(new, incident)
        moved = [r.uid for r in moving]
        record_action(incident, TriageAction.SPLIT, reason, by, moved, other=new.uid)
        record_action(new, TriageAction.SPLIT, reason, by, moved, other=incident.uid)
    return new


def merge(
    target: Incident, other: Incident, reader: AccessContext, by: str, reason: str
) -> Incident:
    """Move every report of ``other`` into ``target``; ``other`` is kept, marked merged."""
    if target.pk == other.pk:
        raise TriageError("choose another incident to merge")
    _check(target, reader)
    _check(other, reader)
    with transaction.atomic():
        moved = reports_of(other, reader)
        IncidentReport.objects.filter(incident=other).update(incident=target)
        _refresh(target, reports_of(target, reader))
        _relevel(target)
        other.status, other.merged_into = Incident.MERGED, target.uid
        other.save(update_fields=["status", "merged_into"])
        uids = [r.uid for r in moved]
        record_action(target, TriageAction.MERGE, reason, by, uids, other=other.uid)
        record_action(other, TriageAction.MERGE, reason, by, uids, other=target.uid)
    return target
