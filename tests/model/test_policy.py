"""The NeedToKnow predicate: its renderings agree, and the organisation hierarchy is as decided."""

from __future__ import annotations

import sqlite3
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bluehelmet.errors import AccessDeniedError
from bluehelmet.model.access import (
    RELEASE_TABLE_DDL,
    AccessContext,
    Classification,
    NeedToKnow,
    release_rows,
)
from bluehelmet.model.organisations import lookup, principals, registry

ORGS = ["UN", "UN-DPO", "MINUSMA", "MINUSMA-JMAC", "NLD", "AU", "public"]
LABELS = [*Classification.labels(), "secret-ish", None]

records = st.lists(
    st.tuples(
        st.sampled_from(LABELS),
        st.sampled_from(ORGS),
        st.lists(st.sampled_from(ORGS), max_size=3, unique=True),
    ),
    max_size=25,
)
readers = st.builds(AccessContext, st.sampled_from(ORGS), st.sampled_from(list(Classification)))


def _table(rows: list[tuple[Any, str, list[str]]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [f"r{i}" for i in range(len(rows))],
            "classification": pd.array([c for c, _, _ in rows], dtype="string"),
            "owner": pd.array([o for _, o, _ in rows], dtype="string"),
            "releasable_to": pd.Series([tuple(r) for _, _, r in rows], dtype=object),
        }
    )


def _sqlite(table: pd.DataFrame) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE pledges (id TEXT PRIMARY KEY, classification TEXT, owner TEXT)")
    db.execute(RELEASE_TABLE_DDL)
    db.executemany(
        "INSERT INTO pledges VALUES (?, ?, ?)",
        table[["id", "classification", "owner"]]
        .astype(object)
        .where(table[["id", "classification", "owner"]].notna(), None)
        .itertuples(index=False, name=None),
    )
    db.executemany(
        "INSERT INTO record_release VALUES (?, ?, ?)",
        release_rows(table, "pledges").itertuples(index=False, name=None),
    )
    return db


def _q_holds(q: Any, row: pd.Series) -> bool:
    """Evaluate a Django Q tree on one record (exact, in and overlap lookups only)."""
    results = []
    for child in q.children:
        if isinstance(child, tuple):
            lookup_, value = child
            field, _, op = lookup_.partition("__")
            cell = row[field]
            if op == "":
                results.append(pd.notna(cell) and cell == value)
            elif op == "in":
                results.append(pd.notna(cell) and cell in value)
            elif op == "overlap":
                results.append(bool(set(cell) & set(value)))
            else:
                raise AssertionError(f"unexpected lookup {lookup_}")
        else:
            results.append(_q_holds(child, row))
    out = all(results) if q.connector == "AND" else any(results)
    return not out if q.negated else out


@settings(max_examples=150, deadline=None)
@given(records, readers)
def test_pandas_sql_and_django_renderings_agree(rows, reader) -> None:  # noqa: ANN001
    table = _table(rows)
    policy = NeedToKnow.of(reader)
    by_pandas = set(table.loc[policy.mask(table), "id"])
    sql = policy.sql("p", "pledges")
    with _sqlite(table) as db:
        by_sql = {
            r[0] for r in db.execute(f"SELECT id FROM pledges p WHERE {sql.text}", sql.params)
        }
    assert by_pandas == by_sql
    try:
        q = policy.q()
    except ImportError:
        return
    by_q = {row["id"] for _, row in table.iterrows() if _q_holds(q, row)}
    assert by_q == by_pandas


def test_rule_on_hand_built_records() -> None:
    table = _table(
        [
            ("unclassified", "MINUSMA", []),
            ("confidential", "MINUSMA", []),
            ("confidential", "MINUSMA", ["UN-DPO"]),
            ("strictly_confidential", "MINUSMA", ["UN-DPO"]),
            (None, "UN-DPO", []),
        ]
    )

    def seen(reader: AccessContext) -> list[str]:
        return list(table.loc[reader.policy.mask(table), "id"])

    assert seen(AccessContext.public()) == ["r0"]
    assert seen(AccessContext("UN-DPO", Classification.CONFIDENTIAL)) == ["r0", "r2"]
    assert seen(AccessContext("MINUSMA", Classification.STRICTLY_CONFIDENTIAL)) == [
        "r0",
        "r1",
        "r2",
        "r3",
    ]


def test_hierarchy_parent_does_not_see_child_section_acts_for_mission() -> None:
    # Decided in bluehelmet.model.organisations: rank is not need to know.
    table = _table(
        [
            ("confidential", "MINUSMA", []),
            ("confidential", "MINUSMA-JMAC", []),
            ("confidential", "UN-DPO", []),
        ]
    )

    def seen(org: str) -> list[str]:
        policy = NeedToKnow.of(AccessContext(org, Classification.STRICTLY_CONFIDENTIAL))
        return list(table.loc[policy.mask(table), "id"])

    assert seen("UN-DPO") == ["r2"]  # not the mission's record, not its section's
    assert seen("UN") == []  # the Secretariat does not see its department's records
    assert seen("MINUSMA") == ["r0"]  # not its section's own record
    assert seen("MINUSMA-JMAC") == ["r0", "r1"]  # a section acts for its mission
    assert principals("MINUSMA-JMAC") == ("MINUSMA-JMAC", "MINUSMA")
    assert principals("MINUSMA") == ("MINUSMA",)


def test_registry_is_consistent() -> None:
    orgs = registry()
    for org in orgs.values():
        assert org.parent is None or org.parent in orgs, org.id
        assert org.kind in {"public", "secretariat", "department", "mission", "section", "partner"}
        assert not org.acts_for_parent or org.kind == "section"
        assert org.source
    assert lookup("NLD").kind == "member_state"
    with pytest.raises(AccessDeniedError, match="unknown organisation"):
        lookup("")


def test_sql_renders_for_postgres_and_session_settings() -> None:
    policy = NeedToKnow.of(AccessContext("MINUSMA-JMAC", Classification.CONFIDENTIAL))
    sql = policy.sql("t", paramstyle="pyformat")
    assert "%(ntk_org0)s" in sql.text and sql.params["ntk_org1"] == "MINUSMA"
    assert "REGEXP" not in sql.text.upper() and "LIKE" not in sql.text.upper()
    body = NeedToKnow.rls_policy("pledges", "pledges")
    assert "current_setting('bluehelmet.principals', true)" in body
    assert policy.session_settings() == {
        "bluehelmet.levels": "confidential",
        "bluehelmet.principals": "MINUSMA-JMAC,MINUSMA",
    }


def test_django_q_object() -> None:
    pytest.importorskip("django")
    q = NeedToKnow.of(AccessContext("UN-DPO", Classification.CONFIDENTIAL)).q(prefix="pledge__")
    assert "pledge__classification" in str(q) and "pledge__releasable_to__overlap" in str(q)
    assert NeedToKnow.of(AccessContext.public()).q().children == [
        ("classification", "unclassified")
    ]
