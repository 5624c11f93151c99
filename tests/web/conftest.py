"""Platform tests: one private PostgreSQL cluster (initdb + pg_ctl in a temp folder) per session.

Also one waitress server per session and one Chromium per browser module (each test opens its
own contexts), and :func:`login` for the browser walks. Skipped, with the reason, when Django, the
PostgreSQL server binaries, Playwright or Debian's chromium are not installed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("django")

CHROMIUM = Path("/usr/bin/chromium")
#: How long a browser step may wait for the page's state (an element, a text, a URL) before
#: the test fails: the walks wait on state, never for a fixed time, and this bound only ends a
#: hung test (generous: the CI machine is busy; Playwright's defaults are 5 s and 30 s).
BROWSER_WAIT_MS = 180_000
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _bindir_or_skip() -> None:
    from bluehelmet.web.pgcluster import ClusterError, find_bindir

    try:
        find_bindir()
    except ClusterError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def platform() -> Iterator[dict[str, Any]]:
    """Configured Django on a migrated private cluster, seeded with the demo."""
    _bindir_or_skip()
    from bluehelmet.web.runtime import platform as start
    from bluehelmet.web.runtime import seed_demo

    folder = Path(tempfile.mkdtemp(prefix="bh-web-"))
    folder.chmod(0o755)  # the unprivileged server user must reach it when tests run as root
    saved = dict(os.environ)
    for key in (
        "DATABASE_URL",
        "BLUEHELMET_OWNER_DATABASE_URL",
        "BLUEHELMET_IDENTITY_KEY_FILE",
        "BLUEHELMET_SECRET_KEY",
        "BLUEHELMET_SECRET_KEY_FILE",
        "BLUEHELMET_TWILIO_AUTH_TOKEN_FILE",
    ):
        os.environ.pop(key, None)
    os.environ["BLUEHELMET_ALLOWED_HOSTS"] = "localhost,127.0.0.1,testserver"
    os.environ["BLUEHELMET_ALERT_RATE"] = "1000/m"
    try:
        with start(folder) as cluster:
            from django.test.utils import setup_test_environment

            setup_test_environment()  # responses keep their template context
            users = {u["username"]: u for u in seed_demo(folder)}
            yield {"folder": folder, "cluster": cluster, "users": users}
    finally:
        os.environ.clear()
        os.environ.update(saved)
        shutil.rmtree(folder, ignore_errors=True)


def unique(prefix: str) -> str:
    """A fresh name, so that tests sharing the database do not collide."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def member(
    org_code: str,
    clearance: int,
    roles: list[str],
    kind: str = "section",
    parent: str | None = None,
) -> Any:
    """A new user with one membership in ``org_code`` (created when missing)."""
    from django.contrib.auth.models import User

    from bluehelmet.web.accounts.models import Membership, Organisation

    above = Organisation.objects.filter(code=parent).first() if parent else None
    org, _ = Organisation.objects.get_or_create(
        code=org_code, defaults={"name": org_code, "kind": kind, "parent": above}
    )
    user = User.objects.create_user(unique("u"))  # no password: no Argon2 hashing (tests log in
    # with force_login; the tests of passwords set one)
    Membership.objects.create(user=user, organisation=org, clearance=clearance, roles=roles)
    return user


@contextmanager
def serving(worker: bool = False) -> Iterator[str]:
    """The platform under waitress (4 threads) as ``serve`` runs it; with ``worker``, one job
    worker thread beside it. Yields the base URL."""
    import waitress
    from django.db import connection

    from bluehelmet.web.jobs import work
    from bluehelmet.web.wsgi import application

    httpd = waitress.create_server(application, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=httpd.run, daemon=True).start()
    stop = threading.Event()

    def jobs() -> None:
        while not stop.is_set():
            if not work(once=True):
                time.sleep(0.3)
        connection.close()

    thread = threading.Thread(target=jobs, daemon=True)
    if worker:
        thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.effective_port}"
    finally:
        stop.set()
        if worker:
            thread.join(timeout=300)
        httpd.close()


@pytest.fixture(scope="session")
def server(platform: dict[str, Any]) -> Iterator[str]:
    """The platform under waitress, without a job worker (shared by the session's tests)."""
    with serving() as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright, once per module; tests open their own contexts.

    Per module, not per session: Playwright's sync API keeps an event loop running while it is
    open, and the load test (``asyncio.run``) needs none running.
    """
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # ORM checks run beside Playwright's loop
    try:
        sync_api.expect.set_options(timeout=BROWSER_WAIT_MS)
        with sync_api.sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def new_context(browser: Any, **options: Any) -> Any:
    """A browser context whose steps wait up to :data:`BROWSER_WAIT_MS` for the page's state."""
    context = browser.new_context(**options)
    context.set_default_timeout(BROWSER_WAIT_MS)
    return context


def next_totp(username: str) -> str:
    """The user's authenticator code, as their phone shows it, for a step the server accepts.

    The server refuses a code of a time step it has already accepted (``last_t``: a replayed
    code), and follows the phone's measured drift. A user signing in twice within one 30-s step
    waits for the next code; so does this (a wait on the code's step, not a fixed time).
    """
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for _ in range(100):  # at most about three steps of 30 s
        device = TOTPDevice.objects.get(user__username=username)
        code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        if code.t() > device.last_t:  # the step of the code a phone shows now
            return f"{code.token():0{device.digits}d}"
        time.sleep(1)
    raise AssertionError(f"no new authenticator code for {username}")


def login(browser: Any, server: str, user: dict[str, str], **context: Any) -> Any:
    """A page in a new browser context, signed in as a demo user (with TOTP if it has one).

    ``context`` goes to ``browser.new_context`` (e.g. ``viewport`` for screenshots).
    """
    page = new_context(browser, **context).new_page()
    page.goto(f"{server}/login/")
    page.fill("#id_username", user["username"])
    page.fill("#id_password", user["password"])
    if user.get("totp_uri"):
        page.fill("#id_otp_token", next_totp(user["username"]))
    page.click("button[type=submit]")
    from playwright.sync_api import expect

    refused = page.get_by_role("alert")  # the login page's error, if any
    expect(page.get_by_test_id("who").or_(refused)).to_be_visible()
    assert not refused.count(), f"{user['username']} was refused: {refused.inner_text()}"
    page.wait_for_url(f"{server}/")
    return page
