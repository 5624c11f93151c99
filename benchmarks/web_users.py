"""Concurrent users against a running platform: mixed reads, report posts and alert posts.

Used by ``benchmarks/web_load.py`` (50 users for minutes, with latencies) and by
``tests/web/test_load.py`` (a few users for seconds: no error, every alert stored exactly once;
the test asserts no timing). Each
virtual user signs in once as one of the demo users (password only; two sign-ins at a time, so
the Argon2 hashing is not part of the timed mix), and when every user has signed in, each loops
until the deadline:
60 % page reads (home, list, second list page, API, map layer, a report), 20 % staff reports
(the form, then its POST), 20 % public alerts (the form, then its POST with the form's
idempotency key; one alert in five is posted a second time with the same key, as a phone whose
answer was lost would), with a think time between actions. Only loopback addresses are used.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field

import httpx

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ALERT_KEY = re.compile(r'name="key" value="([0-9a-f]{32})"')
READS = ["/", "/reports/", "/reports/?page=2", "/api/reports?limit=50", "/map/reports.geojson"]


@dataclass
class LoadResult:
    """What the users did and how long each request took (seconds), by kind."""

    latencies: dict[str, list[float]] = field(
        default_factory=lambda: {"page": [], "report_post": [], "alert_post": []}
    )
    errors: list[str] = field(default_factory=list)
    alerts: dict[str, int] = field(default_factory=dict)  # text -> POSTs (2 when resent)
    reports: list[str] = field(default_factory=list)  # descriptions of staff reports posted

    @property
    def requests(self) -> int:
        """Number of requests made (sign-ins excluded)."""
        return sum(len(v) for v in self.latencies.values())

    def percentile(self, kind: str, q: float) -> float:
        """The ``q`` quantile (0-1) of the latencies of ``kind`` (nearest rank)."""
        values = sorted(self.latencies[kind])
        if not values:
            return float("nan")
        return values[min(len(values) - 1, max(0, int(round(q * len(values) + 0.5)) - 1))]


async def _timed(
    result: LoadResult,
    kind: str,
    call: Awaitable[httpx.Response],
    expect: tuple[int, ...],
    what: str,
) -> httpx.Response | None:
    start = time.perf_counter()
    try:
        response = await call
    except httpx.HTTPError as exc:
        result.errors.append(f"{what}: {type(exc).__name__}: {exc}")
        return None
    result.latencies[kind].append(time.perf_counter() - start)
    if response.status_code not in expect:
        result.errors.append(f"{what}: HTTP {response.status_code}")
        return None
    return response


def _token(page: httpx.Response | None) -> str:
    found = CSRF.search(page.text) if page is not None else None
    return found.group(1) if found else ""


async def _login(client: httpx.AsyncClient, username: str, password: str) -> None:
    page = await client.get("/login/")
    done = await client.post(
        "/login/",
        data={"csrfmiddlewaretoken": _token(page), "username": username, "password": password},
    )
    if done.status_code != 302:
        raise RuntimeError(f"sign-in of {username} failed (HTTP {done.status_code})")


async def _read(
    client: httpx.AsyncClient, result: LoadResult, rng: random.Random, details: list[str]
) -> None:
    path = rng.choice(READS + [f"/reports/{rng.choice(details)}/"] if details else READS)
    await _timed(result, "page", client.get(path), (200,), f"GET {path}")


async def _report(
    client: httpx.AsyncClient, result: LoadResult, rng: random.Random, marker: str, n: int
) -> None:
    form = await _timed(result, "page", client.get("/reports/new/"), (200,), "GET report form")
    if form is None:
        return
    text = f"{marker} report {n}"
    data = {
        "csrfmiddlewaretoken": _token(form),
        "time": "2018-06-01T12:00",
        "time_precision": "hour",
        "place_name": "Gao",
        "longitude": "-0.04",
        "latitude": "16.27",
        "category": rng.choice(["ied", "displacement", "other"]),
        "source_type": "patrol",
        "reliability": "C",
        "credibility": "3",
        "description": text,
        "classification": "confidential",
        "releasable_to": "",
    }
    if (
        await _timed(
            result, "report_post", client.post("/reports/new/", data=data), (302,), "POST report"
        )
        is not None
    ):
        result.reports.append(text)


async def _alert(
    public: httpx.AsyncClient, result: LoadResult, rng: random.Random, marker: str, n: int
) -> None:
    form = await _timed(result, "page", public.get("/alert/"), (200,), "GET alert form")
    key = ALERT_KEY.search(form.text) if form is not None else None
    if form is None or key is None:
        if form is not None:
            result.errors.append("alert form without an idempotency key")
        return
    text = f"{marker} alert {n}"
    data = {
        "csrfmiddlewaretoken": _token(form),
        "text": text,
        "place_name": "Ménaka",
        "category": "other",
        "name": "",
        "phone": "",
        "key": key.group(1),
    }
    for _ in range(2 if rng.random() < 0.2 else 1):
        if (
            await _timed(
                result, "alert_post", public.post("/alert/", data=data), (200,), "POST alert"
            )
            is None
        ):
            return
        result.alerts[text] = result.alerts.get(text, 0) + 1


async def _user(
    index: int,
    base: str,
    credentials: tuple[str, str],
    seconds: float,
    marker: str,
    result: LoadResult,
    think: tuple[float, float],
    seed: int,
    signing_in: asyncio.Semaphore,
    signed_in: asyncio.Barrier,
) -> None:
    rng = random.Random(seed * 1000 + index)
    limits = httpx.Limits(max_connections=2)
    async with (
        httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as staff,
        httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as public,
    ):
        async with signing_in:  # once per user, two at a time (Argon2 is slow on purpose)
            await _login(staff, *credentials)
        api = await staff.get("/api/reports?limit=20")
        details = [r["id"] for r in api.json()["results"]] if api.status_code == 200 else []
        await signed_in.wait()  # the timed mix starts when every user has signed in
        deadline = time.monotonic() + seconds
        n = 0
        await asyncio.sleep(rng.uniform(0, think[1]))  # users do not start in step
        while time.monotonic() < deadline:
            n += 1
            draw = rng.random()
            if draw < 0.6:
                await _read(staff, result, rng, details)
            elif draw < 0.8:
                await _report(staff, result, rng, marker, index * 100_000 + n)
            else:
                await _alert(public, result, rng, marker, index * 100_000 + n)
            await asyncio.sleep(rng.uniform(*think))


def run_load(
    base: str,
    credentials: list[tuple[str, str]],
    users: int,
    seconds: float,
    marker: str,
    think: tuple[float, float] = (1.0, 3.0),
    seed: int = 1,
) -> LoadResult:
    """Run ``users`` virtual users against ``base`` for ``seconds`` each; return what happened.

    ``credentials`` are (user name, password) pairs of users who may write reports, used in
    turn. ``marker`` starts the text of every report and alert posted (to find them after).
    """
    result = LoadResult()

    async def main() -> None:
        signing_in, signed_in = asyncio.Semaphore(2), asyncio.Barrier(users)
        await asyncio.gather(
            *(
                _user(
                    i,
                    base,
                    credentials[i % len(credentials)],
                    seconds,
                    marker,
                    result,
                    think,
                    seed,
                    signing_in,
                    signed_in,
                )
                for i in range(users)
            )
        )

    asyncio.run(main())
    return result
