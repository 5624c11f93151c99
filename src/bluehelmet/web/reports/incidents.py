"""Incidents: reports fused into one event by an analyst, their links and their history.

An incident is a derived product. It is owned by the organisation of the analyst who accepted it
and carries the **highest classification of its reports** and the **narrowest releasability**
(the organisations that every classified report is owned by or released to; see
:func:`derived_marking`), so a reader who may see an incident under the one need-to-know rule
(:func:`bluehelmet.web.policy.visible_q`, and RLS underneath) may see every report it was built
from. An approver of the owning organisation may downgrade it (explicit and audited); from then
on a reader may see the incident but not all its reports, so the reports of an incident are only
ever read through the link table, which RLS filters by the report's visibility: counts never
include a report the reader may not see.

Every triage decision (accept, split, merge, downgrade) is a :class:`TriageAction` row with the
analyst's reason, marked with the incident's classification at the time, so the history of an
incident is shown to exactly those cleared for each step. Rows are never changed or deleted
(a trigger refuses it; migration ``0005``).
"""

from __future__ import annotations

from collections.abc import Iterable

import pghistory
from django.contrib.postgres.fields import ArrayField
from django.db import models

from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.web.policy import visible_q
from bluehelmet.web.reports.models import CATEGORIES, CLASSIFICATIONS, Report

PUBLIC = Classification.UNCLASSIFIED.label


def derived_marking(reports: Iterable[Report]) -> tuple[str, list[str]]:
    """The marking of a product derived from ``reports``: highest level, narrowest release.

    The release list is the set of organisations that own, or are named in the
    ``releasable_to`` of, **every** classified report (unclassified reports restrict nothing).
    Whoever acts for one of them, or for the product's owner (who could see every report when
    deriving it), can see every report, clearance permitting.
    """
    level = Classification.UNCLASSIFIED
    common: set[str] | None = None
    for report in reports:
        current = Classification.parse(report.classification)
        level = max(level, current)
        if current is not Classification.UNCLASSIFIED:
            allowed = {report.owner, *report.releasable_to}
            common = allowed if common is None else common & allowed
    return level.label, sorted(common or ())


class MarkedQuerySet(models.QuerySet[models.Model]):
    """Rows that carry a marking (incidents, triage actions), filtered by need-to-know."""

    def visible_to(self, reader: AccessContext) -> MarkedQuerySet:
        """The rows ``reader`` may see (the same rule as reports)."""
        return self.filter(visible_q(reader))


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Incident(models.Model):
    """One event, fused from reports; the columns follow the library's ``incidents`` entity."""

    OPEN, MERGED = "open", "merged"

    uid = models.CharField("id", max_length=40, unique=True)
    title = models.CharField(max_length=200)
    first_time = models.CharField(max_length=25, db_index=True)
    last_time = models.CharField(max_length=25)
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    category = models.CharField(max_length=30, choices=[(c, c) for c in CATEGORIES])
    fatalities = models.PositiveIntegerField(null=True, blank=True)
    civilian_deaths = models.PositiveIntegerField(null=True, blank=True)
    confidence = models.FloatField(default=0.0)
    status = models.CharField(max_length=10, default=OPEN, db_index=True)
    merged_into = models.CharField(max_length=40, blank=True)
    classification = models.CharField(max_length=30, choices=CLASSIFICATIONS, default=PUBLIC)
    owner = models.CharField(max_length=40)
    releasable_to = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    #: The marking derived from the reports (before any downgrade): who may triage it.
    derived_classification = models.CharField(max_length=30, choices=CLASSIFICATIONS,
                                              default=PUBLIC)
    derived_releasable_to = ArrayField(models.CharField(max_length=40), default=list,
                                       blank=True)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MarkedQuerySet.as_manager()

    class Meta:  # noqa: D106
        indexes = [models.Index(fields=["owner", "classification"])]

    def __str__(self) -> str:
        return self.uid


class IncidentReport(models.Model):
    """A report's membership of an incident (one incident per report and owning organisation).

    RLS shows a link only when the reader may see both the incident and the report.
    """

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="links")
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="incident_links")
    owner = models.CharField(max_length=40)

    class Meta:  # noqa: D106
        constraints = [models.UniqueConstraint(fields=["report", "owner"],
                                               name="one_incident_per_report_and_owner")]


class TriageAction(models.Model):
    """One triage decision with its reason; marked like the incident was at that moment."""

    ACCEPT, SPLIT, MERGE = "accept", "split", "merge"
    DOWNGRADE_REQUEST, DOWNGRADE = "downgrade_request", "downgrade"

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="actions")
    action = models.CharField(max_length=20)
    reason = models.TextField()
    reports = ArrayField(models.CharField(max_length=80), default=list, blank=True)
    other = models.CharField(max_length=40, blank=True)
    to_level = models.CharField(max_length=30, blank=True)
    request = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="approvals")
    by = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True)
    classification = models.CharField(max_length=30, choices=CLASSIFICATIONS, default=PUBLIC)
    owner = models.CharField(max_length=40)
    releasable_to = ArrayField(models.CharField(max_length=40), default=list, blank=True)

    objects = MarkedQuerySet.as_manager()

    class Meta:  # noqa: D106
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.incident_id}"
