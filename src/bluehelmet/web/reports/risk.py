"""The early-warning risk layer: trained by the job worker, never in a request.

Training the library's model (:func:`bluehelmet.intel.early_warning.predict_risk`, after fusing
the reader's reports into incidents) takes seconds, so a request never does it. A request
computes, in PostgreSQL, the **fingerprint** of its inputs (:func:`fingerprint`: a SHA-256 over
the fusion fields of the reports the reader may see in the window) and answers with the stored
:class:`~bluehelmet.web.reports.models.RiskLayer` of that fingerprint, or queues a
:class:`~bluehelmet.web.reports.models.RiskJob` (one per fingerprint and organisation) and
answers "pending". The job runs on the platform's one job runner (:mod:`bluehelmet.web.jobs`)
as the membership that asked, computes the same fingerprint, trains and stores the layer. The
demo queues its analysts' layers when it is seeded (``bluehelmet serve --demo``), so they are
ready before anyone opens the map.

A layer is marked with the highest classification of its inputs and owned by the reader's
organisation, under the same row-level security as reports.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pandas as pd
from django.db import transaction
from django.db.models import BinaryField, F, Func, TextField, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.web import jobs as queue
from bluehelmet.web.accounts.models import Membership
from bluehelmet.web.policy import set_reader
from bluehelmet.web.reports.fusing import FUSION_FIELDS, report_frame
from bluehelmet.web.reports.models import Report, ReportQuerySet, RiskJob, RiskLayer
from bluehelmet.web.reports.window import Window

#: Cells kept per layer (the highest risks).
RISK_CELLS = 200
#: Version of the computation: a change of model or features gives new fingerprints.
VERSION = "risk-v1"
LEASE = timedelta(minutes=10)
#: Runs of a job whose worker died before it is failed instead of run again.
MAX_ATTEMPTS = 3


def fingerprint(reports: ReportQuerySet) -> str:
    """SHA-256 (hex) of the fusion fields of ``reports`` in ``uid`` order, computed in SQL."""
    from django.contrib.postgres.aggregates import StringAgg

    text_field = TextField()
    parts: list[Any] = []
    for name in FUSION_FIELDS:
        cell = Coalesce(Cast(F(name), text_field), Value(""), output_field=text_field)
        parts += [cell, Value("|", output_field=text_field)]
    row = Concat(*parts, output_field=text_field)
    text = StringAgg(
        row, delimiter="\n", order_by="uid", default=Value(""), output_field=text_field
    )
    digest = Func(
        Func(
            Func(text, Value("UTF8"), function="convert_to", output_field=BinaryField()),
            function="sha256",
            output_field=BinaryField(),
        ),
        Value("hex"),
        function="encode",
        output_field=text_field,
    )
    found = reports.order_by().aggregate(digest=digest)["digest"]
    return hashlib.sha256(f"{VERSION}|{found}".encode()).hexdigest()


def layer_for(
    reports: ReportQuerySet, window: Window, membership: Membership
) -> tuple[RiskLayer | None, RiskJob | None]:
    """The stored layer of ``reports`` (the reader's, in ``window``), else its job (queued now).

    Returns ``(layer, None)`` when the layer is ready, ``(None, job)`` otherwise; a job that
    failed is returned as it is (not queued again) so its message can be shown.
    """
    reader = membership.reader
    key = fingerprint(reports)
    layer = RiskLayer.objects.visible_to(reader).filter(key=key, owner=reader.organisation).first()
    if layer is not None:
        return layer, None
    mine = RiskJob.objects.visible_to(reader).filter(
        key=key, membership__organisation=membership.organisation
    )
    job = mine.order_by("-created_at", "-pk").first()
    if job is None or job.status == RiskJob.DONE:  # done, yet no layer: the data moved on
        job = RiskJob.objects.create(
            membership=membership,
            key=key,
            start=window.start or "",
            end=window.end or "",
            category=window.category or "",
        )
    return None, job


def compute(
    reports: ReportQuerySet, reader: AccessContext
) -> tuple[int | None, pd.DataFrame, Classification, int]:
    """Fuse ``reports``, train the model; return ``(year, top cells, marking, events)``.

    ``year`` is ``None`` (and no cell is returned) when the incidents span fewer than three
    years: too little history to train on, so no layer rather than noise.
    """
    from bluehelmet.intel.early_warning import predict_risk, risk_inputs
    from bluehelmet.intel.grid import gid_of
    from bluehelmet.intel.hotspots import study_area
    from bluehelmet.intel.view import ReportTable

    view = ReportTable(report_frame(reports), "platform risk layer").view(reader)
    empty = pd.DataFrame(columns=["gid", "longitude", "latitude", "risk"])
    events = risk_inputs(view)
    if events.empty or events["year"].nunique() < 3:
        return None, empty, view.marking, len(events)
    year = int(events["year"].max()) + 1
    gids = gid_of(events["longitude"].to_numpy(float), events["latitude"].to_numpy(float))
    cells = pd.DataFrame({"gid": study_area(gids[gids > 0], margin=4)})
    risk = predict_risk(events, year, cells=cells)
    top = risk.nlargest(RISK_CELLS, "risk").reset_index(drop=True)
    return year, top, view.marking, len(events)


def run(job: RiskJob) -> RiskJob:
    """Train the layer of a claimed job as its membership and store it (done or failed)."""
    if job.attempts > MAX_ATTEMPTS:
        job.status, job.finished_at = RiskJob.FAILED, timezone.now()
        job.error = f"the training was interrupted {job.attempts - 1} times; open the map again"
        queue.save_as_worker(job, "status", "finished_at", "error")
        return job
    try:
        with transaction.atomic():
            reader = job.membership.reader
            set_reader(reader)
            queue.as_worker()  # the job's status is the worker's to write (RLS, reports/0010)
            window = Window(job.start or None, job.end or None, job.category or None)
            reports = window.apply(Report.objects.visible_to(reader))
            key = fingerprint(reports)
            year, top, marking, events = compute(reports, reader)
            RiskLayer.objects.get_or_create(
                key=key,
                owner=reader.organisation,
                defaults={
                    "year": year,
                    "events": events,
                    "classification": marking.label,
                    "cells": [
                        {
                            "gid": int(c["gid"]),
                            "longitude": float(c["longitude"]),
                            "latitude": float(c["latitude"]),
                            "risk": round(float(c["risk"]), 4),
                        }
                        for c in top.to_dict("records")
                    ],
                },
            )
            job.status, job.finished_at = RiskJob.DONE, timezone.now()
            job.save(update_fields=["status", "finished_at"])
    except Exception as exc:  # the job records why; the worker goes on with the next one
        job.status, job.error = RiskJob.FAILED, f"{type(exc).__name__}: {exc}"
        job.finished_at = timezone.now()
        queue.save_as_worker(job, "status", "error", "finished_at")
    return job


def claim(now: timezone.datetime | None = None) -> RiskJob | None:
    """Take the oldest risk job that is queued or whose worker's lease expired (or ``None``)."""
    job: RiskJob | None = queue.claim(RiskJob, LEASE, now)
    return job


def queue_for(membership: Membership) -> RiskJob | None:
    """Queue the layer of ``membership``'s whole history (the map's first view), if not stored."""
    with transaction.atomic():
        set_reader(membership.reader)
        reports = Report.objects.visible_to(membership.reader)
        _layer, job = layer_for(reports, Window(), membership)
    return job
