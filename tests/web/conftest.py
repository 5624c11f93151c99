"""Platform tests: one private PostgreSQL cluster (initdb + pg_ctl in a temp folder) per session.

Skipped, with the reason, when Django or the PostgreSQL server binaries are not installed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("django")


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
