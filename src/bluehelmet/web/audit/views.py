"""The auditor's search over the access log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bluehelmet.web.accounts.middleware import has_role
from bluehelmet.web.accounts.models import Role
from bluehelmet.web.audit.models import AccessLog, Action, record


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Filter the log by user, action and target (auditors only; the search is logged too)."""
    if not has_role(request, Role.AUDITOR):
        record(request, Action.DENIED, "audit")
        raise PermissionDenied("Only auditors may search the access log.")
    rows = AccessLog.objects.all()
    filters = {key: request.GET.get(key, "").strip() for key in ("username", "action", "target")}
    if filters["username"]:
        rows = rows.filter(username=filters["username"])
    if filters["action"]:
        rows = rows.filter(action=filters["action"])
    if filters["target"]:
        rows = rows.filter(target__icontains=filters["target"])
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    record(request, Action.LIST, "audit", filters=filters)
    return render(
        request,
        "audit/search.html",
        {"page": page, "filters": filters, "actions": [a.value for a in Action]},
    )
