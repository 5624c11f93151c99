"""The platform's one job runner: queues in PostgreSQL tables (no Redis), claimed with SKIP LOCKED.

A *kind* of job is a model with the queue fields ``status`` (``queued``, ``running``, ``done``,
``failed``), ``attempts``, ``created_at``, ``started_at``, ``lease_until``, ``finished_at`` and
``error``, and a function that runs one claimed job to its end (done or failed, never half
written). Today: report exports (:mod:`bluehelmet.web.reports.jobs`), large CSV uploads
(:mod:`bluehelmet.web.reports.upload`), the early-warning risk layer
(:mod:`bluehelmet.web.reports.risk`) and force plans (:mod:`bluehelmet.web.forcegen.planjobs`).

A worker claims the oldest queued job of a kind with ``SELECT ... FOR UPDATE SKIP LOCKED`` (so two
workers never take the same job) and holds it for a lease; a long job renews its lease with
:func:`heartbeat`. A job whose worker died (lease expired: a killed worker, a restarted server) is
claimed again and run from the start, so jobs survive a restart. ``bluehelmet serve`` runs one
worker thread; ``bluehelmet admin worker`` runs more, in other processes.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
#: Session setting that admits a job worker to every job of a queue under row-level security
#: (the plan queue, ``forcegen/0004``); set for one transaction by :func:`as_worker`.
WORKER_SETTING = "bluehelmet.job_worker"


def as_worker() -> None:
    """Declare the current transaction a job worker's (``SET LOCAL``; pages never do)."""
    with connection.cursor() as cur:
        cur.execute("SELECT set_config(%s, 'on', true)", [WORKER_SETTING])


@dataclass(frozen=True)
class JobKind:
    """A queue: its model (``app_label.Model``), run function (``module:function``) and lease."""

    name: str
    model_name: str
    run_path: str
    lease: timedelta

    @property
    def model(self) -> type[models.Model]:
        """The queue's model."""
        return apps.get_model(self.model_name)

    def run(self, job: Any) -> Any:
        """Run one claimed job of this kind."""
        module, function = self.run_path.split(":")
        runner: Callable[[Any], Any] = getattr(importlib.import_module(module), function)
        return runner(job)


#: Every kind of job, claimed in this order (quick exports before long plans).
KINDS = (
    JobKind(
        "export", "reports.ExportJob", "bluehelmet.web.reports.jobs:run", timedelta(minutes=10)
    ),
    JobKind(
        "upload", "reports.UploadJob", "bluehelmet.web.reports.upload:run", timedelta(minutes=10)
    ),
    JobKind("risk", "reports.RiskJob", "bluehelmet.web.reports.risk:run", timedelta(minutes=10)),
    JobKind(
        "plan", "forcegen.PlanJob", "bluehelmet.web.forcegen.planjobs:run", timedelta(minutes=2)
    ),
)


def claim(model: type[models.Model], lease: timedelta, now: datetime | None = None) -> Any:
    """Take the oldest job of ``model`` that is queued or whose lease expired (or ``None``)."""
    now = now or timezone.now()
    with transaction.atomic():
        as_worker()
        job: Any = (
            model._default_manager.select_for_update(skip_locked=True)
            .filter(Q(status=QUEUED) | Q(status=RUNNING, lease_until__lt=now))
            .order_by("created_at", "pk")
            .first()
        )
        if job is None:
            return None
        job.status, job.attempts = RUNNING, job.attempts + 1
        job.started_at, job.lease_until = now, now + lease
        job.save(update_fields=["status", "attempts", "started_at", "lease_until"])
    return job


def claim_next(
    kinds: tuple[JobKind, ...] = KINDS, now: datetime | None = None
) -> tuple[JobKind, Any] | None:
    """The next job of any kind, with its kind (or ``None`` when every queue is empty)."""
    for kind in kinds:
        job = claim(kind.model, kind.lease, now)
        if job is not None:
            return kind, job
    return None


def work(once: bool = False, idle_seconds: float = 1.0, kinds: tuple[JobKind, ...] = KINDS) -> int:
    """Claim and run jobs of every kind until stopped (or until none is left, with ``once``)."""
    done = 0
    while True:
        found = claim_next(kinds)
        if found is not None:
            kind, job = found
            kind.run(job)
            done += 1
        elif once:
            return done
        else:
            time.sleep(idle_seconds)


@contextmanager
def heartbeat(job: Any, lease: timedelta, every: float = 20.0) -> Iterator[None]:
    """Renew ``job``'s lease every ``every`` seconds while the block runs (own connection)."""
    stop = threading.Event()
    model = type(job)

    def beat() -> None:
        try:
            while not stop.wait(every):
                with transaction.atomic():
                    as_worker()
                    model._default_manager.filter(pk=job.pk, status=RUNNING).update(
                        lease_until=timezone.now() + lease
                    )
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"lease-{model.__name__}-{job.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
