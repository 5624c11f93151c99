"""Need-to-know: library mask == Django ORM filter == PostgreSQL row-level security."""

from __future__ import annotations

import uuid
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bluehelmet.model.access import AccessContext, Classification, visible

ORGS = ["MINUSMA", "MINUSMA-JMAC", "NLD", "AU", "UN-DPO"]
LABELS = [c.label for c in Classification]  # the database refuses any other label

record = st.fixed_dictionaries(
    {
        "classification": st.sampled_from(LABELS),
        "owner": st.sampled_from(ORGS),
        "releasable_to": st.lists(st.sampled_from(ORGS), max_size=3, unique=True),
        "spaces": st.booleans(),
    }
)
reader = st.builds(
    AccessContext, st.sampled_from([*ORGS, "public"]), st.sampled_from(list(Classification))
)


def _library(records: list[dict[str, Any]], uids: list[str], who: AccessContext) -> set[str]:
    sep = " ; " if records and records[0]["spaces"] else ";"
    table = pd.DataFrame(
        {
            "classification": [r["classification"] for r in records],
            "owner": [r["owner"] for r in records],
            "releasable_to": [sep.join(r["releasable_to"]) or None for r in records],
        }
    )
    mask = visible(table, who)
    return {u for u, keep in zip(uids, mask, strict=True) if keep}


def _rows(table: str, marks: list[dict[str, Any]], uids: list[str]) -> list[Any]:
    """Rows of ``table`` with the given markings (``uids`` name the reports)."""
    from bluehelmet.web.accounts.models import Membership
    from bluehelmet.web.reports.models import ExportJob, Report, RiskJob, UploadJob

    if table == "reports_report":
        return [
            Report(
                uid=u,
                time="2018",
                category="other",
                source_type="patrol",
                source="test",
                **m,
            )
            for u, m in zip(uids, marks, strict=True)
        ]
    membership = Membership.objects.using("owner").order_by("pk").first()
    build = {
        "reports_exportjob": lambda m: ExportJob(membership=membership, **m),
        "reports_uploadjob": lambda m: UploadJob(
            membership=membership, file_name="a.csv", stored="a.csv", size=1, **m
        ),
        "reports_riskjob": lambda m: RiskJob(membership=membership, key="k", **m),
    }[table]
    return [build(m) for m in marks]


#: The record tables the property covers: reports, and the report queues (reports/0010).
TABLES = ["reports_report", "reports_exportjob", "reports_uploadjob", "reports_riskjob"]


@pytest.mark.usefixtures("platform")
@pytest.mark.parametrize("table", TABLES)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=st.lists(record, min_size=1, max_size=8), who=reader)
def test_library_orm_and_rls_agree(
    table: str, records: list[dict[str, Any]], who: AccessContext
) -> None:
    from django.db import connections, transaction

    from bluehelmet.web.dbsetup import app_role
    from bluehelmet.web.policy import reader_settings, visible_q

    uids = [f"p-{uuid.uuid4().hex[:10]}" for _ in records]
    expected = _library(records, uids, who)
    marks = [{k: r[k] for k in ("classification", "owner", "releasable_to")} for r in records]
    with transaction.atomic(using="owner"):
        rows = _rows(table, marks, uids)
        model = type(rows[0])
        made = model.objects.using("owner").bulk_create(rows)
        name = {row.pk: u for row, u in zip(made, uids, strict=True)}  # a job is named by uid
        orm = {
            name[pk]
            for pk in model.objects.using("owner")
            .filter(pk__in=list(name))
            .filter(visible_q(who))
            .values_list("pk", flat=True)
        }
        with connections["owner"].cursor() as cur:
            cur.execute(f"SET LOCAL ROLE {app_role()}")  # the superuser would bypass RLS
            for setting, value in reader_settings(who).items():
                cur.execute("SELECT set_config(%s, %s, true)", [setting, value])
            cur.execute(f"SELECT id FROM {table} WHERE id = ANY(%s)", [list(name)])
            rls = {name[row[0]] for row in cur.fetchall()}
            cur.execute("RESET ROLE")
        transaction.set_rollback(True, using="owner")
    assert orm == expected
    assert rls == expected


def test_q_has_known_answers(platform: dict[str, Any]) -> None:
    from django.db import transaction

    from bluehelmet.web.policy import visible_q
    from bluehelmet.web.reports.models import Report

    jmac = AccessContext("MINUSMA-JMAC", Classification.CONFIDENTIAL)
    rows = {
        "open": ("unclassified", "X", []),
        "mine": ("confidential", "MINUSMA-JMAC", []),
        "released": ("confidential", "X", ["MINUSMA-JMAC"]),
        "too_high": ("strictly_confidential", "MINUSMA-JMAC", []),
        "not_released": ("confidential", "X", ["NLD"]),
    }
    with transaction.atomic(using="owner"):
        Report.objects.using("owner").bulk_create(
            [
                Report(
                    uid=f"k-{k}",
                    time="2018",
                    category="other",
                    source_type="patrol",
                    source="t",
                    classification=c,
                    owner=o,
                    releasable_to=r,
                )
                for k, (c, o, r) in rows.items()
            ]
        )
        seen = set(
            Report.objects.using("owner")
            .filter(uid__startswith="k-")
            .filter(visible_q(jmac))
            .values_list("uid", flat=True)
        )
        transaction.set_rollback(True, using="owner")
    assert seen == {"k-open", "k-mine", "k-released"}


def test_application_role_cannot_bypass_rls(platform: dict[str, Any]) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cur.fetchone() == (False, False)
        cur.execute(
            "SELECT relrowsecurity, relforcerowsecurity FROM pg_class "
            "WHERE relname = 'reports_report'"
        )
        assert cur.fetchone() == (True, True)


def test_forgotten_filter_shows_only_public_records(platform: dict[str, Any]) -> None:
    """Without the ORM filter, RLS alone hides every classified demo report from the public."""
    from django.db import transaction

    from bluehelmet.web.policy import set_reader
    from bluehelmet.web.reports.models import Report

    with transaction.atomic():
        set_reader(AccessContext.public())
        levels = set(Report.objects.values_list("classification", flat=True))
        set_reader(AccessContext("MINUSMA-JMAC", Classification.STRICTLY_CONFIDENTIAL))
        jmac = set(Report.objects.values_list("uid", flat=True))
    assert levels == {"unclassified"}
    assert {"demo-patrol-1", "demo-jmac-1", "demo-au-1"} <= jmac


def test_unknown_classifications_are_refused_by_the_database(platform: dict[str, Any]) -> None:
    from django.db import IntegrityError, transaction

    from bluehelmet.web.reports.models import Report

    for label in ("secret", "Confidential", ""):
        with pytest.raises(IntegrityError), transaction.atomic(using="owner"):
            Report.objects.using("owner").create(
                uid=f"bad-{label}",
                time="2018",
                category="other",
                source_type="patrol",
                source="t",
                classification=label,
                owner="X",
            )
