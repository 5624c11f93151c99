"""Reports (staff reports and community alerts) under need-to-know.

Every row carries ``classification``, ``owner`` and ``releasable_to`` (the library's common record
columns). :meth:`ReportQuerySet.visible_to` is the only way views, counts, exports and the API
read reports; PostgreSQL row-level security applies the same rule again underneath
(migration ``0002``), so a forgotten filter returns nothing rather than everything.
"""

from __future__ import annotations

import pghistory
from django.contrib.postgres.fields import ArrayField
from django.db import models

from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.web.policy import visible_q

CLASSIFICATIONS = [(c.label, c.label.replace("_", " ")) for c in Classification]
CATEGORIES = ["attack_on_civilians", "attack_on_peacekeepers", "ied", "armed_group_movement",
              "displacement", "restriction_of_movement", "hate_speech", "other"]
SOURCE_TYPES = ["patrol", "community_alert", "partner", "regional_organisation", "open_source",
                "event_file"]


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
    classification = models.CharField(max_length=30, choices=CLASSIFICATIONS,
                                      default=Classification.UNCLASSIFIED.label)
    owner = models.CharField(max_length=40)
    releasable_to = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    basis = models.CharField(max_length=12, default="real")
    source = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["owner", "classification"]),
                   models.Index(fields=["category"])]

    def __str__(self) -> str:
        return self.uid


class ReporterIdentity(models.Model):
    """A community reporter's name and phone, encrypted (see :mod:`bluehelmet.web.identity`).

    Readable in PostgreSQL only when the request's membership has the community-liaison role
    (RLS on ``bluehelmet.may_decrypt``) and then only through an audited decryption.
    """

    report = models.OneToOneField(Report, on_delete=models.PROTECT, primary_key=True,
                                  related_name="identity")
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
        constraints = [models.UniqueConstraint(fields=["provider", "message_id"],
                                               name="one_alert_per_provider_message")]


class Upload(models.Model):
    """A CSV upload of reports through the library's importer: its row accounting and rejects.

    Seen only by the user who uploaded it. ``rejects`` is the rejects CSV (formula-neutralised,
    without the protected ``reporter_contact`` column, which is never stored in clear).
    """

    membership = models.ForeignKey("accounts.Membership", on_delete=models.CASCADE,
                                   related_name="uploads")
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


class ExportJob(models.Model):
    """An export run in the background by a worker, as the membership that asked for it."""

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"

    membership = models.ForeignKey("accounts.Membership", on_delete=models.CASCADE,
                                   related_name="export_jobs")
    status = models.CharField(max_length=10, default=QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(null=True, blank=True)
    file_name = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
