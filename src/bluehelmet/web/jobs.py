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

A worker that is stopped (:meth:`Worker.stop`, or Ctrl-C/SIGTERM interrupting :func:`work`)
claims nothing more and gives its running job back to the queue (:func:`release`: queued again,
the interrupted run not counted as an attempt), so a stop never loses a job nor leaves it
claimed until its lease runs out.

Every queue is under row-level security like the records (``forcegen/0004``, ``reports/0010``):
pages see the jobs their reader may see, and a transaction that declared itself a job worker
(:func:`as_worker`) reads and updates every job (:func:`worker_rls_sql`), never inserts or
deletes one.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.db import DatabaseError, connection, models, transaction
from django.db.models import F, Q
from django.utils import timezone

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
#: Session setting that admits a job worker to every job of a queue under row-level security
#: (the plan queue, ``forcegen/0004``); set for one transaction by :func:`as_worker`.
WORKER_SETTING = "bluehelmet.job_worker"


def as_worker() -> None:
    """Declare the current transaction a job worker's (``SET LOCAL``; pages never do)."""
    with connection.cursor() as cur:
        cur.execute("SELECT set_config(%s, 'on', true)", [WORKER_SETTING])


_WORKER = f"(current_setting('{WORKER_SETTING}', true) = 'on')"


def worker_rls_sql(table: str) -> list[str]:
    """Policies that admit a declared job worker to read and update every job of ``table``.

    Added to the need-to-know policies (:func:`bluehelmet.web.policy.rls_sql`); there is no
    worker policy for INSERT or DELETE, so a worker never creates or removes a job.
    """
    return [
        f"CREATE POLICY job_worker_select ON {table} FOR SELECT USING {_WORKER}",
        f"CREATE POLICY job_worker_update ON {table} FOR UPDATE USING {_WORKER} "
        f"WITH CHECK {_WORKER}",
    ]


def worker_rls_reverse_sql(table: str) -> list[str]:
    """Statements that undo :func:`worker_rls_sql`."""
    return [
        f"DROP POLICY IF EXISTS job_worker_select ON {table}",
        f"DROP POLICY IF EXISTS job_worker_update ON {table}",
    ]


def save_as_worker(job: Any, *fields: str) -> None:
    """Save ``fields`` of ``job`` in a transaction of its own, as a job worker.

    A job's status is written as the worker (not as the requester the job runs as), so that a
    clearance withdrawn while the job ran cannot leave it ``running``.
    """
    with transaction.atomic():
        as_worker()
        job.save(update_fields=list(fields))


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


def release(job: Any) -> bool:
    """Give a claimed job back to its queue: queued again, this run not counted as an attempt.

    Only while the job is still ``running`` under this claim (same ``attempts``): a job that
    finished meanwhile, or was claimed again after its lease, is left alone. Waits at most
    :data:`RELEASE_LOCK_TIMEOUT` for the job's row (else the lease brings the job back later).
    Returns whether the job was given back.
    """
    model = type(job)
    with transaction.atomic():
        as_worker()
        with connection.cursor() as cur:
            cur.execute("SELECT set_config('lock_timeout', %s, true)", [RELEASE_LOCK_TIMEOUT])
        changed = model._default_manager.filter(
            pk=job.pk, status=RUNNING, attempts=job.attempts
        ).update(status=QUEUED, attempts=F("attempts") - 1, started_at=None, lease_until=None)
    return bool(changed)


#: How long :func:`release` waits for a job's row lock.
RELEASE_LOCK_TIMEOUT = "5s"


def _release_after_interrupt(job: Any) -> None:
    """:func:`release` after the worker's own thread was interrupted mid-job."""
    for _ in range(2):  # the interrupt may have left the connection unusable: reconnect once
        try:
            release(job)
            return
        except DatabaseError:
            connection.close()


class Worker:
    """A job worker: claims and runs jobs of every kind until stopped.

    :meth:`run` works in the calling thread (``bluehelmet admin worker``), :meth:`start` in a
    thread of its own (``bluehelmet serve``). :meth:`stop` stops it from another thread.
    """

    def __init__(self, kinds: tuple[JobKind, ...] = KINDS, idle_seconds: float = 1.0) -> None:
        self.kinds = kinds
        self.idle_seconds = idle_seconds
        #: Set to stop claiming jobs.
        self.stopping = threading.Event()
        #: The job being run (``None`` between jobs).
        self.current: Any = None
        self.thread: threading.Thread | None = None

    def run(self, once: bool = False) -> int:
        """Claim and run jobs until stopped (or until none is left, with ``once``); the count.

        Interrupted mid-job in this thread (Ctrl-C, or SIGTERM turned into ``KeyboardInterrupt``)
        the job is given back to its queue (:func:`release`) before the interrupt goes on.
        """
        done = 0
        while not self.stopping.is_set():
            found = claim_next(self.kinds)
            if found is None:
                if once:
                    break
                self.stopping.wait(self.idle_seconds)
                continue
            kind, self.current = found
            if self.stopping.is_set():  # stopped while claiming: not run, given back at once
                release(self.current)
                self.current = None
                break
            try:
                kind.run(self.current)
            except (KeyboardInterrupt, SystemExit):
                _release_after_interrupt(self.current)
                raise
            finally:
                self.current = None
            done += 1
        return done

    def start(self) -> Worker:
        """Run the worker in a daemon thread (with its own database connection)."""

        def loop() -> None:
            try:
                self.run()
            finally:
                connection.close()

        self.thread = threading.Thread(target=loop, name="bluehelmet-jobs", daemon=True)
        self.thread.start()
        return self

    def stop(self, grace: float) -> Any:
        """Stop claiming; wait up to ``grace`` seconds for the running job, else give it back.

        Returns the job given back to its queue, or ``None``. A job still running after the
        grace keeps running in its daemon thread until the process exits (its transaction is
        then rolled back); given back, it is run again from the start by the next worker.
        """
        self.stopping.set()
        if self.thread is None:
            return None
        self.thread.join(grace)
        job = self.current
        if not self.thread.is_alive() or job is None:
            return None
        try:
            return job if release(job) else None
        except DatabaseError:  # its row stayed locked: the lease brings the job back later
            return None


def work(once: bool = False, idle_seconds: float = 1.0, kinds: tuple[JobKind, ...] = KINDS) -> int:
    """Claim and run jobs of every kind until stopped (or until none is left, with ``once``)."""
    return Worker(kinds, idle_seconds).run(once)


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
