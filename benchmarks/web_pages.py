"""Where a page's time goes: queries and time per page of the load mix, one user, in-process.

Seeds the demo on a private PostgreSQL cluster (a temporary folder), signs in as a demo user and
requests each page of ``benchmarks/web_users.py``'s mix through Django's whole stack (middleware,
reader transaction, RLS, access log, templates): the number of SQL statements (Django's
``connection.queries``) and the median time of ``--repeat`` requests. ``--profile PATH`` also
prints the functions with the most cumulative time over all pages (cProfile). Loopback only.

Usage::

    python benchmarks/web_pages.py [--user analyst] [--repeat 20] [--profile /tmp/pages.prof]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGES = [
    "/",
    "/reports/",
    "/reports/?page=2",
    "/api/reports?limit=50",
    "/map/reports.geojson",
    "/reports/new/",
    "/alert/",
]


def main() -> None:
    """Print one line per page: statements, median ms."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--user", default="analyst")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--profile", type=Path, default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bh-pages-"))
    folder.chmod(0o755)
    for key in [k for k in os.environ if k.startswith(("DATABASE_URL", "BLUEHELMET_"))]:
        del os.environ[key]
    os.environ["BLUEHELMET_ALLOWED_HOSTS"] = "127.0.0.1"
    from bluehelmet.web.runtime import platform, seed_demo

    try:
        with platform(folder):
            seed_demo(folder)
            _measure(args.user, args.repeat, args.profile)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _measure(username: str, repeat: int, profile: Path | None) -> None:
    import cProfile
    import pstats

    from django.contrib.auth.models import User
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=username))
    uid = client.get("/api/reports?limit=1").json()["results"][0]["id"]
    pages = [*PAGES, f"/reports/{uid}/"]
    profiler = cProfile.Profile() if profile else None
    print(f"{'page':32} {'statements':>10} {'median ms':>10}  (user {username}, {repeat} requests)")
    for page in pages:
        client.get(page)  # warm caches (templates, imports)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page).status_code == 200, page
        times = []
        for _ in range(repeat):
            reset_queries()
            start = time.perf_counter()
            if profiler is not None:
                profiler.enable()
            client.get(page)
            if profiler is not None:
                profiler.disable()
            times.append(time.perf_counter() - start)
        print(f"{page:32} {len(captured):>10} {statistics.median(times) * 1000:>10.1f}")
    if profiler is not None and profile is not None:
        profiler.dump_stats(str(profile))
        pstats.Stats(str(profile)).sort_stats("cumulative").print_stats(40)
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
