"""Twenty planners start plans at once on the platform; worker processes share the queue.

Starts a private PostgreSQL (as ``serve`` does), seeds the demo, lets ``--planners`` planners post
the plan form at the same moment (Django's test client, through every middleware, one thread
each), then runs ``--workers`` worker processes until the queue is empty. Reports: requests
queued, jobs done/failed/claimed twice, the wall time until the last job finished, each job's
wait in the queue and run time; and, as the baseline in the same run, the same plan run once
directly in a worker's shoes (:func:`bluehelmet.web.forcegen.planjobs.run` on one job, nothing
else queued). The ratio wall / (planners x baseline / workers) is 1 when the queue adds nothing.
Usage::

    python benchmarks/forcegen_web_jobs.py [--planners 20] [--workers 2] [--horizon 3]
        [--missions MINUSMA]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

WORKER = (
    "import django; django.setup(); from bluehelmet.web.jobs import work; print(work(once=True))"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--planners", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--horizon", type=int, default=3)
    parser.add_argument("--missions", default="MINUSMA", help="comma-separated; empty = all")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bh-bench-jobs-"))
    folder.chmod(0o755)
    for key in ("DATABASE_URL", "BLUEHELMET_OWNER_DATABASE_URL"):
        os.environ.pop(key, None)
    os.environ["BLUEHELMET_ALLOWED_HOSTS"] = "testserver,localhost"
    from bluehelmet.web.runtime import platform, seed_demo

    with platform(folder):
        seed_demo(folder)
        run(args)


def run(args: argparse.Namespace) -> None:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client

    from bluehelmet.web.accounts.models import Membership, Organisation
    from bluehelmet.web.forcegen.models import PlanJob
    from bluehelmet.web.forcegen.planjobs import run as run_job

    dpo = Organisation.objects.get(code="UN-DPO")
    clients = []
    for n in range(args.planners):
        user = User.objects.create_user(f"bench-planner-{n}")
        Membership.objects.create(user=user, organisation=dpo, clearance=1, roles=["planner"])
        client = Client()
        client.force_login(user)
        clients.append(client)
    form = {
        "title": "bench",
        "as_of": dt.date.today().isoformat(),
        "start": "2018-07-01",
        "horizon": str(args.horizon),
        "kind": "plan",
        "missions": [m for m in args.missions.split(",") if m],
    }

    # Baseline: one plan job alone, run in this process as a worker would.
    clients[0].post("/forcegen/plans/start/", {**form, "title": "baseline"})
    job = PlanJob.objects.using("owner").get(title="baseline")  # the queue is under RLS
    from bluehelmet.web.forcegen.planjobs import base_scenario

    base_scenario()  # a worker reads the bundled scenario once; not part of a job
    t0 = time.perf_counter()
    run_job(job)
    baseline = time.perf_counter() - t0
    job.refresh_from_db()
    assert job.status == "done", job.error
    PlanJob.objects.using("owner").filter(pk=job.pk).update(status="done")

    barrier = threading.Barrier(args.planners)
    codes: list[int] = []

    def post(client: Client) -> None:
        barrier.wait()
        codes.append(client.post("/forcegen/plans/start/", form).status_code)
        connection.close()

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    posted = time.perf_counter() - t0
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bluehelmet.web.settings")
    procs = [
        subprocess.Popen([sys.executable, "-c", WORKER], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(args.workers)
    ]
    per_worker = [int(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
    wall = time.perf_counter() - t0
    jobs = list(PlanJob.objects.using("owner").filter(title="bench"))
    waits = [(j.started_at - j.created_at).total_seconds() for j in jobs if j.started_at]
    runs = [
        (j.finished_at - j.started_at).total_seconds()
        for j in jobs
        if j.finished_at and j.started_at
    ]
    ideal = args.planners * baseline / args.workers
    print(f"machine load (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"planners: {args.planners}; workers: {args.workers}; horizon {args.horizon} months; "
        f"missions: {args.missions or 'all'}"
    )
    print(f"requests answered 302 (queued): {codes.count(302)} of {len(codes)} in {posted:.1f} s")
    print(
        f"jobs: {len(jobs)}; done {sum(j.status == 'done' for j in jobs)}; failed "
        f"{sum(j.status == 'failed' for j in jobs)}; claimed twice "
        f"{sum(j.attempts > 1 for j in jobs)}; per worker {per_worker}"
    )
    print(f"baseline (one plan job alone): {baseline:.1f} s")
    print(
        f"wall until the last job finished: {wall:.1f} s; ideal (planners x baseline / "
        f"workers): {ideal:.1f} s; ratio {wall / ideal:.2f}"
    )
    print(
        f"queue wait: median {statistics.median(waits):.1f} s, max {max(waits):.1f} s; "
        f"run: median {statistics.median(runs):.1f} s, max {max(runs):.1f} s"
    )


if __name__ == "__main__":
    main()
