"""Denials: every 403 is one line in the log (who, what, why) and a row in the access log.

A refusal is expected behaviour, not an error: Django would log a ``PermissionDenied`` with its
whole traceback (``django.request``) and a CSRF failure on a line of its own
(``django.security.csrf``). :class:`DenialMiddleware` answers a ``PermissionDenied`` itself with
the ``403.html`` page and writes, for every 403 response whatever its cause, one line to the
``bluehelmet.access`` logger::

    denied user=analyst org=MINUSMA-JMAC clearance=confidential GET "/audit/" why="Only ..."

and appends a ``denied`` row to the access log (:mod:`bluehelmet.web.audit`) unless the view
recorded the denial itself. Django's own line for the response is suppressed, so a denial is
logged once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.db.transaction import TransactionManagementError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.views.defaults import permission_denied

from bluehelmet.web.audit.models import Action, record

logger = logging.getLogger("bluehelmet.access")
#: Longest reason kept in the log line (a reason is a sentence, not a document).
REASON_CHARS = 300


def _quoted(text: str) -> str:
    flat = " ".join(str(text).split())[:REASON_CHARS]
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def describe(request: HttpRequest, why: str) -> str:
    """The log line of a denial: who (user, organisation, clearance), what (method, path), why."""
    user = getattr(request, "user", None)
    name = user.get_username() if user is not None and user.is_authenticated else "-"
    reader = getattr(request, "reader", None)
    org = reader.organisation if reader is not None and name != "-" else "-"
    level = reader.clearance.label if reader is not None and name != "-" else "-"
    what = f"{request.method} {_quoted(request.get_full_path())}"
    return f"denied user={name} org={org} clearance={level} {what} why={_quoted(why)}"


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a 403 whose reason :class:`DenialMiddleware` logs."""
    request.denial_reason = f"CSRF check failed: {reason}"
    response: HttpResponse = permission_denied(request, PermissionDenied(request.denial_reason))
    return response


class DenialMiddleware:
    """Answer ``PermissionDenied`` without a traceback; log every 403 as one line.

    Placed after the reader middleware, so the denial is recorded inside the request's
    transaction and names the reader.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        """Log the request's 403 response, if it is one."""
        response = self.get_response(request)
        if response.status_code == 403:
            why = getattr(request, "denial_reason", "") or _body_reason(response)
            logger.warning(describe(request, why))
            if not getattr(request, "denial_recorded", False):
                _record(request, why)
            response._has_been_logged = True  # not by Django again
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """The 403 page for a ``PermissionDenied`` (Django would log its traceback)."""
        if not isinstance(exception, PermissionDenied):
            return None
        request.denial_reason = str(exception) or "permission denied"
        response: HttpResponse = permission_denied(request, exception)
        return response


def _record(request: HttpRequest, why: str) -> None:
    try:
        with transaction.atomic():  # a savepoint: a failed insert leaves the request's work
            record(request, Action.DENIED, request.path[:200], reason=why[:REASON_CHARS])
    except (DatabaseError, TransactionManagementError):
        logger.warning("denial not recorded in the access log: the request's transaction failed")


def _body_reason(response: HttpResponseBase) -> str:
    """A plain-text 403's body is its reason (e.g. the SMS webhook's refusal)."""
    if isinstance(response, HttpResponse) and response.get("Content-Type", "").startswith(
        "text/plain"
    ):
        return response.content.decode("utf-8", "replace")
    return response.reason_phrase
