"""The force-generation workspace: pledges, their readiness stages, requirements, plans, requests.

Every record table carries ``classification``, ``owner`` and ``releasable_to`` (the library's
common record columns) and is read only through ``visible_to(reader)``, the platform's one
need-to-know rule (:func:`bluehelmet.web.policy.visible_q`); PostgreSQL row-level security applies
the same rule underneath (migration ``0002``).

* A **pledge** is owned by the member state that registered it (``owner`` = ``contributor``),
  confidential and released to the UN's force-generation service (``UN-DPO``) by default. Pledges
  DPO itself recorded (the 2018 registry) are owned by ``UN-DPO`` and released to nobody, or to
  the member state concerned: "what DPO released to it".
* Its readiness is a list of dated **stages** (:class:`PledgeStage`), insert-only: registered by
  the member state, then recorded by DPO force generation (L1 verified, assessment visit, L2, L3,
  RDL), and at last, perhaps, ``withdrawn`` (by its owner or DPO). The PCRS level the planner
  uses is the latest of L1-RDL on or before the planning date; every other field of the offer
  as it stood on that date comes from its history (:mod:`bluehelmet.web.forcegen.history`).
* **Requirements** per mission are kept by planners; the force in place (**deployments**) comes
  from the UN's monthly contribution files (:func:`bluehelmet.io.un_monthly.read_un_monthly`).
* A **plan job** is a queued plan run by a worker (:mod:`bluehelmet.web.jobs`); its outputs are
  files. A **request** is one line of a published capability requirements note, addressed to a
  member state (released to it) or to every recipient.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import pghistory
from django.contrib.postgres.fields import ArrayField
from django.db import models

from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.web.policy import visible_q

#: The organisation whose force-generation officers verify pledges and record their stages.
FORCE_GENERATION_ORG = "UN-DPO"
CLASSIFICATIONS = [(c.label, c.label.replace("_", " ")) for c in Classification]
CONFIDENTIAL = Classification.CONFIDENTIAL.label


class Stage(StrEnum):
    """Steps of a pledge through the PCRS, in order."""

    REGISTERED = "registered"
    L1 = "L1"
    ASSESSMENT_VISIT = "assessment_visit"
    L2 = "L2"
    L3 = "L3"
    RDL = "RDL"
    #: The offer is withdrawn (by its owner or DPO force generation): not planned on from then.
    WITHDRAWN = "withdrawn"


#: The stages that are PCRS levels (the library's ``pledges.pcrs_level``).
PCRS_LEVELS = (Stage.L1, Stage.L2, Stage.L3, Stage.RDL)


class VisibleQuerySet(models.QuerySet[Any]):
    """Records filtered by need-to-know."""

    def visible_to(self, reader: AccessContext) -> VisibleQuerySet:
        """The records ``reader`` may see (the library's rule compiled into the query)."""
        return self.filter(visible_q(reader))


class Record(models.Model):
    """The need-to-know columns every record table has."""

    classification = models.CharField(max_length=30, choices=CLASSIFICATIONS, default=CONFIDENTIAL)
    owner = models.CharField(max_length=40)
    releasable_to = ArrayField(models.CharField(max_length=40), default=list, blank=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        abstract = True


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Pledge(Record):
    """A pledge in the registry (the library's ``pledges`` schema, level kept as stages)."""

    uid = models.CharField("id", max_length=80, unique=True)
    contributor = models.CharField(max_length=40)
    unit_type = models.CharField(max_length=40)
    count = models.PositiveIntegerField(default=1)
    available_from = models.DateField()
    available_until = models.DateField(null=True, blank=True)
    rotation_months = models.PositiveSmallIntegerField(default=12)
    women_share = models.FloatField(default=0.0)
    excluded_missions = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    excluded_regions = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    languages = ArrayField(models.CharField(max_length=8), default=list, blank=True)
    national_restrictions = models.TextField(blank=True)
    #: The level the member state declared when it registered (DPO verifies it).
    declared_level = models.CharField(max_length=4, blank=True)
    basis = models.CharField(max_length=12, default="real")
    source = models.TextField()
    answers = models.ForeignKey(
        "RequestLine", null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["owner", "classification"]),
            models.Index(fields=["unit_type"]),
        ]

    def __str__(self) -> str:
        return self.uid


class PledgeStage(models.Model):
    """One dated step of a pledge (insert-only; its RLS follows the pledge's)."""

    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="stages")
    stage = models.CharField(max_length=20, choices=[(s.value, s.value) for s in Stage])
    on = models.DateField()
    #: False when the real date is not known (``on`` is then a stand-in, e.g. the date of the
    #: registry a pledge was loaded from); the library's ``level_since`` stays empty.
    date_known = models.BooleanField(default=True)
    recorded_by = models.CharField(max_length=150)
    organisation = models.CharField(max_length=40)
    note = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "recorded_at", "pk"]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Requirement(Record):
    """A statement of requirement of a mission (the library's ``requirements`` schema)."""

    uid = models.CharField("id", max_length=80, unique=True)
    mission = models.CharField(max_length=40)
    unit_type = models.CharField(max_length=40)
    count = models.PositiveIntegerField(default=1)
    start = models.DateField()
    end = models.DateField()
    priority = models.CharField(max_length=10, default="normal")
    language = models.CharField(max_length=4, blank=True)
    basis = models.CharField(max_length=12, default="real")
    source = models.TextField()

    def __str__(self) -> str:
        return self.uid


class Deployment(Record):
    """Personnel in place (the library's ``deployments`` schema), from the UN monthly files."""

    uid = models.CharField("id", max_length=120, unique=True)
    mission = models.CharField(max_length=40)
    contributor = models.CharField(max_length=40)
    personnel_type = models.CharField(max_length=30)
    date = models.DateField()
    women = models.PositiveIntegerField(default=0)
    men = models.PositiveIntegerField(default=0)
    basis = models.CharField(max_length=12, default="real")
    source = models.TextField()


class PlanJob(Record):
    """A plan (or sweep) queued by a planner and run by a worker (:mod:`bluehelmet.web.jobs`).

    Owned by the requester's organisation and read by pages through ``visible_to``, with the
    same row-level security underneath as every record table; a job worker (the session setting
    :data:`bluehelmet.web.jobs.WORKER_SETTING`, migration ``0004``) is admitted explicitly to
    find and update every job. The worker runs the plan as the requesting membership, read again
    at run time, so the registry is read under RLS as that reader.
    """

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    PLAN, SWEEP = "plan", "sweep"

    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="plan_jobs"
    )
    kind = models.CharField(max_length=10, default=PLAN)
    title = models.CharField(max_length=200, blank=True)
    as_of = models.DateField()
    #: First month planned (empty: the bundled scenario's ``planning_start``).
    start = models.DateField(null=True, blank=True)
    horizon = models.PositiveSmallIntegerField(default=12)
    missions = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    time_limit = models.FloatField(null=True, blank=True)
    with_brief = models.BooleanField(default=False)
    sweep_parameter = models.CharField(max_length=40, blank=True)
    sweep_values = ArrayField(models.FloatField(), default=list, blank=True)
    status = models.CharField(max_length=10, default=QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    folder = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    chosen = models.BooleanField(default=False)
    reasons = models.TextField(blank=True)
    chosen_by = models.CharField(max_length=150, blank=True)
    chosen_at = models.DateTimeField(null=True, blank=True)


class RequestLine(Record):
    """One line of a published capability requirements note, as a member state reads it."""

    plan = models.ForeignKey(PlanJob, on_delete=models.PROTECT, related_name="requests")
    mission = models.CharField(max_length=40)
    unit_type = models.CharField(max_length=40)
    units = models.PositiveIntegerField()
    unit_months = models.FloatField()
    first_month = models.CharField(max_length=7, blank=True)
    priority = models.CharField(max_length=10, blank=True)
    specification = models.TextField(blank=True)
    addressed_to = models.CharField(max_length=40, blank=True)
    published_by = models.CharField(max_length=150)
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["mission", "unit_type", "addressed_to", "pk"]
