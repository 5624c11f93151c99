"""Twenty planners start plans at once; two worker processes share the queue (no timing asserted).

Every job is run exactly once (none lost, none run twice), each finishes, and each gives the
plan that ``bluehelmet plan`` gives on the scenario the job planned on. The timed version is
``benchmarks/forcegen_web_jobs.py``.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.web.conftest import member, unique

pytestmark = [pytest.mark.usefixtures("platform"), pytest.mark.slow]

PLANNERS = 20
WORKERS = 2
#: A worker process, as ``bluehelmet admin worker --once`` runs one (without migrating again).
WORKER = (
    "import django; django.setup(); from bluehelmet.web.jobs import work; print(work(once=True))"
)


def start_plans(n: int, form: dict[str, Any]) -> list[int]:
    """``n`` planners post the start form at the same moment; returns the job ids."""
    from django.db import connection
    from django.test import Client

    clients = []
    for _ in range(n):
        client = Client()
        client.force_login(member("UN-DPO", 1, ["planner"], kind="un_hq"))
        clients.append(client)
    barrier = threading.Barrier(n)
    ids: list[int] = []
    errors: list[str] = []

    def post(client: Any) -> None:
        try:
            barrier.wait()
            response = client.post("/forcegen/plans/start/", form)
            if response.status_code != 302:
                errors.append(response.content.decode()[:300])
            else:
                ids.append(int(str(response["Location"]).rstrip("/").split("/")[-1]))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return ids


def run_workers(n: int) -> list[str]:
    """``n`` worker processes, started together, each running until the queue is empty."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bluehelmet.web.settings")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(n)
    ]
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=1200)
        assert proc.returncode == 0, err[-2000:]
        outputs.append(out.strip().splitlines()[-1])
    return outputs


def cli_plan(scenario: Path, out: Path, horizon: int) -> None:
    """``bluehelmet plan`` on a job's scenario, with the job's options."""
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("bluehelmet")),
            "plan",
            str(scenario),
            "--out",
            str(out),
            "--horizon",
            str(horizon),
            "--time-limit",
            "0",
            "--no-smart-pledging",
            "--no-sensitivities",
            "--org",
            "UN-DPO",
            "--clearance",
            "confidential",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:] + done.stdout[-2000:]


def plan_tables(folder: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A plan folder's tours (sorted) and summary."""
    import json

    tours = pd.read_csv(folder / "plan.csv")
    tours = tours.sort_values(list(tours.columns)).reset_index(drop=True)
    return tours, json.loads((folder / "summary.json").read_text())


def test_twenty_planners_at_once_none_lost_each_as_the_cli(tmp_path: Path) -> None:
    from bluehelmet.web.forcegen.models import PlanJob
    from bluehelmet.web.forcegen.planjobs import output_dir

    title = unique("load")
    ids = start_plans(
        PLANNERS,
        {
            "title": title,
            "as_of": dt.date.today().isoformat(),
            "start": "2018-07-01",
            "horizon": "2",
            "missions": ["MINUSMA"],
            "kind": "plan",
        },
    )
    assert len(set(ids)) == PLANNERS  # every request queued one job
    assert PlanJob.objects.using("owner").filter(title=title, status="queued").count() == PLANNERS
    counts = run_workers(WORKERS)
    jobs = list(PlanJob.objects.using("owner").filter(title=title))
    assert sorted(j.pk for j in jobs) == sorted(ids)
    assert [j.status for j in jobs] == ["done"] * PLANNERS, [j.error for j in jobs]
    assert [j.attempts for j in jobs] == [1] * PLANNERS  # none claimed twice
    assert sum(int(c) for c in counts) >= PLANNERS  # the two workers shared them

    reference = tmp_path / "cli"
    cli_plan(output_dir(jobs[0]) / "scenario", reference, 2)
    tours, summary = plan_tables(reference)
    for job in jobs:
        job_tours, job_summary = plan_tables(output_dir(job) / "plan")
        pd.testing.assert_frame_equal(job_tours, tours)
        for key in (
            "objective",
            "total_cost_usd",
            "units_deployed",
            "status",
            "unmet_requirement_months",
        ):
            assert job_summary[key] == summary[key], key
        assert (output_dir(job) / "scenario" / "pledges.csv").read_bytes() == (
            output_dir(jobs[0]) / "scenario" / "pledges.csv"
        ).read_bytes()


def test_a_plan_whose_worker_died_is_run_again() -> None:
    """A job left running by a killed worker (lease expired) is claimed again and finishes."""
    from django.utils import timezone

    from bluehelmet.web import jobs
    from bluehelmet.web.forcegen.models import PlanJob

    planner = member("UN-DPO", 1, ["planner"], kind="un_hq")
    job = PlanJob.objects.using("owner").create(
        membership=planner.memberships.get(),
        owner="UN-DPO",
        as_of=dt.date.today(),
        start=dt.date(2018, 7, 1),
        horizon=1,
        missions=["MINUSMA"],
        title=unique("dead"),
    )
    kind = next(k for k in jobs.KINDS if k.name == "plan")
    claimed = jobs.claim(PlanJob, kind.lease)
    assert claimed is not None and claimed.pk == job.pk  # ... and its worker is killed
    assert jobs.claim(PlanJob, kind.lease) is None  # leased: nobody else takes it yet
    later = timezone.now() + kind.lease + dt.timedelta(seconds=1)
    again = jobs.claim(PlanJob, kind.lease, now=later)
    assert again is not None and again.pk == job.pk and again.attempts == 2
    kind.run(again)
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 2, job.error
