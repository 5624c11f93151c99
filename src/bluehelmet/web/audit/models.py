"""The append-only access log: who saw, listed, exported, decrypted or was denied what.

Rows are only ever inserted. A trigger refuses UPDATE, DELETE and TRUNCATE and the application
role is granted INSERT and SELECT only (migration ``0002`` and
:func:`bluehelmet.web.dbsetup.grant_app_role`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db import models
from django.http import HttpRequest


class Action(StrEnum):
    """What was done."""

    VIEW = "view"
    LIST = "list"
    COUNT = "count"
    EXPORT = "export"
    API = "api"
    DECRYPT = "decrypt"
    DENIED = "denied"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    CREATE = "create"
    DOWNGRADE = "downgrade"
    PASSWORD_CHANGE = "password_change"
    DOWNGRADE_REQUEST = "downgrade_request"
    TRIAGE = "triage"
    CHANGE = "change"


class AccessLog(models.Model):
    """One access; never updated or deleted."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    username = models.CharField(max_length=150, blank=True, db_index=True)
    organisation = models.CharField(max_length=40, blank=True)
    clearance = models.SmallIntegerField(null=True)
    action = models.CharField(
        max_length=20, choices=[(a.value, a.value) for a in Action], db_index=True
    )
    target = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]


def record(
    request: HttpRequest | None, action: Action, target: str = "", **detail: Any
) -> AccessLog:
    """Append one line for ``request``'s user and active membership."""
    user = getattr(request, "user", None)
    reader = getattr(request, "reader", None)
    if request is not None and action == Action.DENIED:
        request.denial_recorded = True  # see web/denials.py
    return AccessLog.objects.create(
        username=user.get_username() if user is not None and user.is_authenticated else "",
        organisation=reader.organisation if reader is not None else "",
        clearance=int(reader.clearance) if reader is not None else None,
        action=action,
        target=target,
        detail=detail,
        ip=request.META.get("REMOTE_ADDR") if request is not None else None,
    )
