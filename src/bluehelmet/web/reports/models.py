"""Reports (staff reports and community alerts) under need-to-know.

Every row carries ``classification``, ``owner`` and ``releasable_to`` (the library's common record
columns). :meth:`ReportQuerySet.visible_to` is the only way views, counts, exports and the API
read reports; PostgreSQL row-level security applies the same rule again underneath
(migration ``0002``), so a forgotten filter returns nothing rather than everything.

Incidents (:class:`Incident`) are reports fused into one event by an analyst. An incident is a
derived product. It is owned by the organisation of the analyst who accepted it
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
from typing import Any

import pghistory
from django.contrib.postgres.fields import ArrayField
from django.db import models

from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.web.policy import visible_q

CLASSIFICATIONS = [(c.label, c.label.replace("_", " ")) for c in Classification]
CATEGORIES = [
    "attack_on_civilians",
    "attack_on_peacekeepers",
    "ied",
    "armed_group_movement",
    "displacement",
    "restriction_of_movement",
    "hate_speech",
    "other",
]
SOURCE_TYPES = [
    "patrol",
    "community_alert",
    "partner",
    "regional_organisation",
    "open_source",
    "event_file",
]


class ReportQuerySet(models.QuerySet["Report"]):
    """Reports, filtered by need-to-know."""

    def visible_to(self, reader: AccessContext) -> ReportQuerySet:
        """The reports ``reader`` may see (the library's rule compiled into the query)."""
        return self.filter(visible_q(reader))


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Report(models.Model):
    """One report, following the library's ``reports`` schema (model/schema/reports.csv)."""

    uid = models.CharField("id", max_length=80, unique=True)
    time = models.CharField(max_length=25)
    time_precision = models.CharField(max_length=6, default="day")
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    place_name = models.CharField(max_length=200, blank=True)
    place_precision_km = models.FloatField(null=True, blank=True)
    category = models.CharField(max_length=30, choices=[(c, c) for c in CATEGORIES])
    fatalities = models.PositiveIntegerField(null=True, blank=True)
    civilian_deaths = models.PositiveIntegerField(null=True, blank=True)
    source_type = models.CharField(max_length=25, choices=[(s, s) for s in SOURCE_TYPES])
    reliability = models.CharField(max_length=1, default="F")
    credibility = models.PositiveSmallIntegerField(default=6)
    mission = models.CharField(max_length=40, blank=True)
    description = models.TextField(blank=True)
    classification = models.CharField(
        max_length=30, choices=CLASSIFICATIONS, default=Classification.UNCLASSIFIED.label
    )
    owner = models.CharField(max_length=40)
    releasable_to = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    basis = models.CharField(max_length=12, default="real")
    source = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["owner", "classification"]),
            models.Index(fields=["category"]),
            models.Index(fields=["time"], name="reports_report_time_idx"),
        ]

    def __str__(self) -> str:
        return self.uid


class ReporterIdentity(models.Model):
    """A community reporter's name and phone, encrypted (see :mod:`bluehelmet.web.identity`).

    Readable in PostgreSQL only when the request's membership has the community-liaison role
    (RLS on ``bluehelmet.may_decrypt``) and then only through an audited decryption.
    """

    report = models.OneToOneField(
        Report, on_delete=models.PROTECT, primary_key=True, related_name="identity"
    )
    key_id = models.CharField(max_length=40)
    wrapped_key = models.BinaryField()
    ciphertext = models.BinaryField()


class InboundMessage(models.Model):
    """A message received from a data source, kept so that a gateway's retry is not a new alert."""

    provider = models.CharField(max_length=30)
    message_id = models.CharField(max_length=100)
    report_uid = models.CharField(max_length=80)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "message_id"], name="one_alert_per_provider_message"
            )
        ]


class Upload(models.Model):
    """A CSV upload of reports through the library's importer: its row accounting and rejects.

    Seen only by the user who uploaded it. ``rejects`` is the rejects CSV (formula-neutralised,
    without the protected ``reporter_contact`` column, which is never stored in clear).
    """

    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="uploads"
    )
    file_name = models.CharField(max_length=200)
    rows_read = models.PositiveIntegerField()
    accepted = models.PositiveIntegerField()
    repaired = models.PositiveIntegerField()
    rejected = models.PositiveIntegerField()
    added = models.PositiveIntegerField()
    present = models.PositiveIntegerField()
    warnings = models.JSONField(default=list, blank=True)
    rejects = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class Place(models.Model):
    """A gazetteer name (:func:`bluehelmet.intel.gazetteer.gazetteer`), searched by prefix.

    Public reference data (not under need-to-know), loaded once by migration ``0009``; ``rank``
    is the gazetteer's order (mission places, cities, GeoNames by population, UCDP places).
    """

    key = models.CharField(max_length=200)
    name = models.CharField(max_length=200)
    name_as_written = models.CharField(max_length=200)
    longitude = models.FloatField()
    latitude = models.FloatField()
    precision_km = models.FloatField()
    source = models.CharField(max_length=300)
    rank = models.PositiveIntegerField()

    class Meta:  # noqa: D106
        indexes = [
            models.Index(fields=["key"], name="place_key_prefix", opclasses=["varchar_pattern_ops"])
        ]


class Downgrade(models.Model):
    """A classification downgrade by an approver of the owning organisation.

    From ``strictly_confidential`` it waits for a second, different approver.
    """

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="downgrades")
    from_level = models.CharField(max_length=30)
    to_level = models.CharField(max_length=30)
    reason = models.TextField()
    requested_by = models.CharField(max_length=150)
    requested_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.CharField(max_length=150, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)


class MarkedQuerySet(models.QuerySet[models.Model]):
    """Rows that carry a marking (incidents, triage actions), filtered by need-to-know."""

    def visible_to(self, reader: AccessContext) -> MarkedQuerySet:
        """The rows ``reader`` may see (the same rule as reports)."""
        return self.filter(visible_q(reader))


class MarkedJob(models.Model):
    """A queued job under need-to-know, like every record (migration ``0010``).

    Owned by the requesting membership's organisation and marked with its clearance (the highest
    level the job's output may hold), filled in on the first save. Pages read jobs through
    ``visible_to`` (and their own user's); PostgreSQL applies the same rule underneath, and
    admits a declared job worker (:func:`bluehelmet.web.jobs.as_worker`) to read and update,
    never to insert or delete, every job.
    """

    classification = models.CharField(
        max_length=30, choices=CLASSIFICATIONS, default=Classification.UNCLASSIFIED.label
    )
    owner = models.CharField(max_length=40)
    releasable_to = ArrayField(models.CharField(max_length=40), default=list, blank=True)

    objects = MarkedQuerySet.as_manager()

    class Meta:  # noqa: D106
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Mark a new job with its membership's organisation and clearance, then save."""
        if not self.owner:
            reader = self.membership.reader
            self.owner, self.classification = reader.organisation, reader.clearance.label
        super().save(*args, **kwargs)


class ExportJob(MarkedJob):
    """An export run in the background by a worker, as the membership that asked for it."""

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"

    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="export_jobs"
    )
    status = models.CharField(max_length=10, default=QUEUED, db_index=True)
    layer = models.CharField(max_length=12, default="reports")  # reports or incidents
    fmt = models.CharField(max_length=8, default="csv")  # csv or geojson
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(null=True, blank=True)
    file_name = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)


class UploadJob(MarkedJob):
    """A large CSV upload, imported by a job worker as the membership that sent it.

    The file waits in the jobs folder (``stored``) until the import has committed; the import is
    one transaction, so a killed worker leaves nothing half-written and the job runs again from
    the start after its lease. When done, ``upload`` holds the row accounting.
    """

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"

    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="upload_jobs"
    )
    file_name = models.CharField(max_length=200)
    stored = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    status = models.CharField(max_length=10, default=QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    upload = models.OneToOneField(
        Upload, null=True, blank=True, on_delete=models.SET_NULL, related_name="job"
    )
    error = models.TextField(blank=True)


# -- Incidents: reports fused by an analyst, their links and their history -------------------

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
    derived_classification = models.CharField(
        max_length=30, choices=CLASSIFICATIONS, default=PUBLIC
    )
    derived_releasable_to = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MarkedQuerySet.as_manager()

    class Meta:  # noqa: D106
        indexes = [models.Index(fields=["owner", "classification"])]

    def __str__(self) -> str:
        return self.uid


class IncidentReport(models.Model):
    """A report's membership of an incident: one per report, owning organisation and level.

    ``level`` is the incident's derived classification. Within the owning organisation, every
    member cleared for that level sees the incident, so a conflict on ``(report, owner, level)``
    names only an incident the writer may see; a lower-cleared analyst never learns that a
    higher incident of their organisation holds the report (it may build its own, lower one).
    RLS shows a link only when the reader may see both the incident and the report.
    """

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="links")
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="incident_links")
    owner = models.CharField(max_length=40)
    level = models.CharField(max_length=30, choices=CLASSIFICATIONS, default=PUBLIC)

    class Meta:  # noqa: D106
        constraints = [
            models.UniqueConstraint(
                fields=["report", "owner", "level"], name="one_incident_per_report_owner_level"
            )
        ]


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
    request = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="approvals"
    )
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


# -- The early-warning risk layer: trained by a job, kept by the fingerprint of its inputs -----


class RiskLayer(models.Model):
    """The early-warning layer computed from one set of input reports (``key``: their digest).

    Marked with the highest classification of its inputs and owned by the organisation of the
    reader it was computed for, under the same row-level security as reports; whoever computes
    the same digest sees exactly those inputs.
    """

    key = models.CharField(max_length=64)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    cells = models.JSONField(default=list, blank=True)
    events = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    classification = models.CharField(max_length=30, choices=CLASSIFICATIONS, default=PUBLIC)
    owner = models.CharField(max_length=40)
    releasable_to = ArrayField(models.CharField(max_length=40), default=list, blank=True)

    objects = MarkedQuerySet.as_manager()

    class Meta:  # noqa: D106
        constraints = [
            models.UniqueConstraint(fields=["key", "owner"], name="one_risk_layer_per_input")
        ]


class RiskJob(MarkedJob):
    """Training the risk layer of a membership's window, run by a job worker."""

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"

    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="risk_jobs"
    )
    key = models.CharField(max_length=64, db_index=True)
    start = models.CharField(max_length=10, blank=True)
    end = models.CharField(max_length=10, blank=True)
    category = models.CharField(max_length=30, blank=True)
    status = models.CharField(max_length=10, default=QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
