"""Benchmark: the operations map and the lists with 100,000 reports, as the demo's JMAC analyst.

Starts a private PostgreSQL cluster (as ``bluehelmet serve --demo`` does), seeds the demo, adds
100,000 **illustrative** reports (random places in Mali's bounding box, random days of
2010-2018, one in five confidential and released to MINUSMA-JMAC, one in ten confidential and
not released to it: basis ``illustrative``, no real event), and requests through Django's full
middleware stack (the reader's transaction, RLS, the access log) as the analyst:

* ``/map/reports.geojson`` (more than 5,000 located reports: clustered on the server),
* ``/map/reports.geojson?cell=0.5`` and with a zoomed-in ``bbox``,
* ``/reports/`` (first page and its count), ``/incidents/``, ``/map/incidents.geojson``,

each the median of 5 requests, against the baseline in the same run: the same visible reports
sent as points (what a map without server-side clustering must do). Target: < 1 s each.

Usage::

    python benchmarks/web_map_100k.py [--reports 100000]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def _seed(n: int) -> None:
    import numpy as np

    from bluehelmet.web.reports.models import Report

    rng = np.random.default_rng(20261206)
    lon = rng.uniform(-12.0, 4.0, n)
    lat = rng.uniform(10.5, 24.5, n)
    day = rng.integers(0, 9 * 365, n)
    kind = rng.random(n)
    categories = ["attack_on_civilians", "ied", "armed_group_movement", "displacement"]
    rows = []
    for i in range(n):
        released = kind[i] < 0.2
        hidden = 0.2 <= kind[i] < 0.3
        rows.append(
            Report(
                uid=f"bench-{i:06d}",
                time=str(np.datetime64("2010-01-01") + int(day[i])),
                time_precision="day",
                longitude=float(lon[i]),
                latitude=float(lat[i]),
                category=categories[i % 4],
                source_type="patrol",
                reliability="C",
                credibility=3,
                mission="MINUSMA",
                classification="confidential" if released or hidden else "unclassified",
                owner="MINUSMA-JOC" if released or hidden else "UCDP",
                releasable_to=["MINUSMA-JMAC"] if released else [],
                basis="illustrative",
                source="illustrative benchmark record built by bluehelmet; no real event",
            )
        )
    # As the owner (the cluster's superuser): a bulk load, not a request.
    Report.objects.using("owner").bulk_create(rows, batch_size=5000)


def _time(client: object, url: str, runs: int = 5) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
        size = len(response.content)
    return statistics.median(times), size


def _points_baseline(reader: object) -> None:
    """The same visible located reports, every one sent as a point (no clustering)."""
    import json

    from django.db import transaction

    from bluehelmet.web.policy import set_reader
    from bluehelmet.web.reports.models import Report

    with transaction.atomic():
        set_reader(reader)  # type: ignore[arg-type]
        rows = (
            Report.objects.visible_to(reader)
            .filter(  # type: ignore[arg-type]
                longitude__isnull=False
            )
            .values_list("uid", "longitude", "latitude", "category", "time", "classification")
        )
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [r[1], r[2]]},
                        "properties": {
                            "id": r[0],
                            "category": r[3],
                            "time": r[4],
                            "classification": r[5],
                        },
                    }
                    for r in rows
                ],
            }
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bh-bench-"))
    folder.chmod(0o755)
    try:
        _run(folder, args.reports)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run(folder: Path, n: int) -> None:
    from bluehelmet.web.runtime import platform, seed_demo

    with platform(folder):
        import os

        os.environ.setdefault("BLUEHELMET_ALLOWED_HOSTS", "testserver")
        from django.conf import settings
        from django.contrib.auth.models import User
        from django.test import Client

        settings.ALLOWED_HOSTS.append("testserver")
        seed_demo(folder)
        start = time.perf_counter()
        _seed(n)
        print(f"seeded {n:,} illustrative reports in {time.perf_counter() - start:.1f} s")
        user = User.objects.get(username="analyst")
        client = Client()
        client.force_login(user)
        reader = user.memberships.get().reader
        start = time.perf_counter()
        for _ in range(5):
            _points_baseline(reader)
        baseline = (time.perf_counter() - start) / 5
        print(f"baseline, every visible report as a point: {baseline:.3f} s (mean of 5)")
        for url in [
            "/map/reports.geojson",
            "/map/reports.geojson?cell=0.5",
            "/map/reports.geojson?bbox=-1,15,1,17",
            "/reports/",
            "/incidents/",
            "/map/incidents.geojson",
            "/",
        ]:
            seconds, size = _time(client, url)
            print(
                f"{url:40s} {seconds:6.3f} s  {size / 1e3:8.1f} kB  "
                f"{'under' if seconds < 1 else 'OVER'} 1 s; baseline / this = "
                f"{baseline / seconds:5.1f}"
            )


if __name__ == "__main__":
    main()
