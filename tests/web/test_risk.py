"""The early-warning risk layer is trained by the job worker and kept by its inputs' digest."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from tests.web.conftest import member, unique

pytestmark = pytest.mark.usefixtures("platform")

#: The demo's UCDP events of 1995-2001 (11 events in five years): a small model to train.
WINDOW = "?from=1995&to=2001"


def _client(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_the_fingerprint_of_no_reports_is_the_digest_of_nothing() -> None:
    from bluehelmet.web.reports.models import Report
    from bluehelmet.web.reports.risk import VERSION, fingerprint

    empty = fingerprint(Report.objects.filter(pk=-1))
    inner = hashlib.sha256(b"").hexdigest()
    assert empty == hashlib.sha256(f"{VERSION}|{inner}".encode()).hexdigest()


def test_the_risk_layer_is_trained_by_a_job_never_on_the_request() -> None:
    from django.db import transaction

    from bluehelmet.model.access import AccessContext, Classification
    from bluehelmet.web.jobs import as_worker
    from bluehelmet.web.policy import acting_as
    from bluehelmet.web.reports import risk
    from bluehelmet.web.reports.models import Report, RiskJob, RiskLayer

    org = unique("SEC")
    user = member(org, 1, ["analyst"])
    client = _client(user)
    url = f"/map/risk.geojson{WINDOW}"
    first = client.get(url).json()
    assert first["pending"] is True and first["features"] == [] and first["year"] is None
    jobs = RiskJob.objects.using("owner").filter(membership__user=user)
    assert client.get(url).json()["pending"] and jobs.count() == 1  # queued once
    layers = RiskLayer.objects.using("owner").filter(owner=org)
    assert not layers.exists()  # nothing was trained on the request

    with transaction.atomic():
        as_worker()  # what the worker does with the claimed job
        job = RiskJob.objects.get(membership__user=user)
    done = risk.run(job)
    assert done.status == "done", done.error
    ready = client.get(url).json()
    assert ready["pending"] is False and ready["year"] == 2002
    assert ready["classification"] == "unclassified"  # the window holds public events only
    values = [f["properties"]["risk"] for f in ready["features"]]
    assert 0 < len(values) <= risk.RISK_CELLS and all(0 <= v <= 1 for v in values)
    assert values == sorted(values, reverse=True)
    layer = layers.get()
    assert layer.events > 0 and layer.year == 2002

    # a new report in the window changes the inputs: pending again, still no training here
    with transaction.atomic(), acting_as(AccessContext(org, Classification.CONFIDENTIAL)):
        Report.objects.create(
            uid=unique("r"),
            time="1999-05-01",
            category="ied",
            source_type="patrol",
            source="test",
            classification="confidential",
            owner=org,
            longitude=-3.0,
            latitude=16.0,
        )
    changed = client.get(url).json()
    assert changed["pending"] is True and changed["classification"] == "confidential"
    assert jobs.count() == 2 and layers.count() == 1
    # another organisation's reader never sees this layer (RLS on the layer table)
    stranger = member(unique("SEC"), 1, ["analyst"])
    assert _client(stranger).get(url).json()["pending"] is True
    # leave no training behind for the workers of later tests
    RiskJob.objects.using("owner").filter(
        membership__user__in=[user, stranger], status="queued"
    ).update(status="failed", error="left by a test")
