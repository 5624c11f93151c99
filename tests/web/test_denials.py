"""A denial (403) is one log line (who, what, why) and one access-log row, never a traceback;
``/favicon.ico`` is served."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.conftest import member, unique


@pytest.fixture
def caplog(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """``caplog``, also fed by ``bluehelmet.access`` (which does not propagate to the root)."""
    access = logging.getLogger("bluehelmet.access")
    access.addHandler(caplog.handler)
    yield caplog
    access.removeHandler(caplog.handler)


def _lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith(("bluehelmet.access", "django"))]


def test_a_permission_denied_is_one_line_without_traceback(
    platform: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    from django.test import Client

    from bluehelmet.web.audit.models import AccessLog

    org = unique("DEN")
    user = member(org, 1, ["analyst"])
    client = Client()
    client.force_login(user)
    with caplog.at_level(logging.INFO):
        page = client.get("/audit/?username=x")
    assert page.status_code == 403
    assert "Only auditors may search the access log." in page.content.decode()  # the 403 page
    (line,) = _lines(caplog)  # Django's own "Forbidden" line with its traceback is gone
    assert line.name == "bluehelmet.access" and line.exc_info is None
    assert line.getMessage() == (
        f'denied user={user.username} org={org} clearance=confidential GET "/audit/?username=x" '
        'why="Only auditors may search the access log."'
    )
    rows = AccessLog.objects.filter(username=user.username, action="denied")
    assert list(rows.values_list("target", flat=True)) == ["audit"]  # recorded once, by the view


def test_a_csrf_failure_is_one_line_naming_the_reason(
    platform: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    from django.test import Client

    from bluehelmet.web.audit.models import AccessLog

    denials = AccessLog.objects.filter(action="denied", target="/alert/")
    before = denials.count()
    with caplog.at_level(logging.INFO):
        page = Client(enforce_csrf_checks=True).post("/alert/", {"text": "x"})
    assert page.status_code == 403
    (line,) = _lines(caplog)  # not also django.security.csrf's line
    assert line.getMessage().startswith(
        'denied user=- org=- clearance=- POST "/alert/" why="CSRF check failed: '
    )
    assert denials.count() == before + 1  # no view recorded it: the middleware did, with why
    assert denials.first().detail["reason"].startswith("CSRF check failed: ")


def test_the_favicon_is_served(platform: dict[str, Any]) -> None:
    from django.test import Client

    icon = Client().get("/favicon.ico")
    assert icon.status_code == 200
    body = b"".join(icon.streaming_content) if icon.streaming else icon.content
    assert body[:4] == b"\x00\x00\x01\x00" and len(body) < 10_000  # an ICO file, small
    assert icon["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
