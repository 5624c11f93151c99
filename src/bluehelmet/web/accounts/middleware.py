"""Per-request reader: the active membership, set on the request and inside PostgreSQL.

Each request runs in one transaction in which the reader's settings
(:func:`bluehelmet.web.policy.reader_settings`) are set with ``set_config(..., true)``
(transaction-local), so the RLS policies see the same reader as the ORM filter and nothing leaks
to the next request on the connection. A signed-in session idle for longer than
``SESSION_IDLE_SECONDS`` is ended, and pages for signed-in users are sent with
``Cache-Control: no-store``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from bluehelmet.model.access import AccessContext
from bluehelmet.web.accounts.models import Membership, Role
from bluehelmet.web.policy import set_reader

SESSION_KEY = "bluehelmet_membership"
LAST_SEEN = "bluehelmet_last_seen"
#: Seconds between updates of the last-seen time (an idle session may end up to this much early).
LAST_SEEN_STEP = 60


def active_membership(request: HttpRequest) -> Membership | None:
    """The membership the user reads as (the session's choice, else their first)."""
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = Membership.objects.select_related("organisation", "user").filter(user=user)
    chosen = request.session.get(SESSION_KEY)
    if chosen is not None and (found := memberships.filter(pk=chosen).first()) is not None:
        return found
    return memberships.order_by("pk").first()


class ReaderMiddleware:
    """Wrap each request in a transaction carrying its reader into PostgreSQL."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Run the request as its reader; end idle sessions; keep signed-in pages uncached."""
        if request.user.is_authenticated:
            now = int(time.time())
            seen = int(request.session.get(LAST_SEEN, 0)) or now
            if now - seen > settings.SESSION_IDLE_SECONDS:
                logout(request)
            elif now - seen >= LAST_SEEN_STEP or LAST_SEEN not in request.session:
                request.session[LAST_SEEN] = now  # a session write, so not on every request
        response = self._as_reader(request)
        if request.user.is_authenticated:
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    def _as_reader(self, request: HttpRequest) -> HttpResponse:
        with transaction.atomic():
            membership = active_membership(request)
            reader = membership.reader if membership is not None else AccessContext.public()
            request.membership = membership
            request.reader = reader
            may_decrypt = membership is not None and membership.has_role(Role.COMMUNITY_LIAISON)
            set_reader(reader, may_decrypt=may_decrypt)
            return self.get_response(request)


def reader_context(request: HttpRequest) -> dict[str, Any]:
    """Template context: the reader and membership of the request."""
    return {
        "reader": getattr(request, "reader", None),
        "membership": getattr(request, "membership", None),
    }


def has_role(request: HttpRequest, role: Role) -> bool:
    """Whether the request's active membership has ``role``."""
    membership: Membership | None = getattr(request, "membership", None)
    return membership is not None and membership.has_role(role)
