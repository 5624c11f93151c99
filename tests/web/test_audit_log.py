"""The access log is append-only: the application role and the owner both fail to alter it."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("platform")


def _line() -> Any:
    from bluehelmet.web.audit.models import AccessLog, Action

    return AccessLog.objects.create(username="someone", action=Action.VIEW, target="report:x")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_accesslog SET username = 'nobody' WHERE id = %s",
        "DELETE FROM audit_accesslog WHERE id = %s",
        "TRUNCATE audit_accesslog",
    ],
)
@pytest.mark.parametrize("alias", ["default", "owner"])
def test_access_log_cannot_be_altered(alias: str, statement: str) -> None:
    from django.db import DatabaseError, connections, transaction

    from bluehelmet.web.audit.models import AccessLog

    line = _line()
    with (
        pytest.raises(DatabaseError, match="permission denied|append-only"),
        transaction.atomic(using=alias),
        connections[alias].cursor() as cur,
    ):
        cur.execute(statement, [line.pk] if "%s" in statement else None)
    assert AccessLog.objects.get(pk=line.pk).username == "someone"


def test_orm_update_and_delete_are_refused_too() -> None:
    from django.db import DatabaseError, transaction

    line = _line()
    line.username = "changed"
    with pytest.raises(DatabaseError), transaction.atomic():
        line.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        line.delete()


def test_report_changes_are_kept_in_history() -> None:
    from django.db import transaction

    from bluehelmet.model.access import AccessContext, Classification
    from bluehelmet.web.policy import acting_as
    from bluehelmet.web.reports.models import Report

    with transaction.atomic(), acting_as(AccessContext("HIST", Classification.CONFIDENTIAL)):
        report = Report.objects.create(
            uid="hist-1",
            time="2018",
            category="other",
            source_type="patrol",
            source="t",
            owner="HIST",
            classification="confidential",
        )
        report.description = "corrected"
        report.save()
        events = list(report.events.order_by("pgh_id").values_list("pgh_label", "description"))
    assert events == [("insert", ""), ("update", "corrected")]
