"""Need-to-know on the platform: the library's access rule as a Django ``Q`` and an RLS policy.

This is the ONE place the platform expresses who may read a record. It mirrors
:func:`bluehelmet.model.access.visible` exactly (property-tested in
``tests/web/test_policy.py``: library mask == ORM filter == PostgreSQL row-level security):

* an ``unclassified`` record is visible to every reader;
* any other record is visible when the reader's clearance is at least its level (an unknown
  classification counts as ``strictly_confidential``) **and** the reader's organisation is the
  owner or one of ``releasable_to``.

The reader of a request is an :class:`~bluehelmet.model.access.AccessContext` built from the
user's active membership (organisation and the clearance an administrator assigned there). When
the library's ``NeedToKnow`` predicate lands, :func:`visible_q` and :data:`RLS_USING` are taken
from it and this module keeps only the connection plumbing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.models import Q

from bluehelmet.model.access import AccessContext, Classification

#: Session settings (GUCs) that carry the reader into PostgreSQL for the RLS policies.
ORG_SETTING = "bluehelmet.org"
CLEARANCE_SETTING = "bluehelmet.clearance"
DECRYPT_SETTING = "bluehelmet.may_decrypt"

_ORG = f"nullif(current_setting('{ORG_SETTING}', true), '')"
_CLEARANCE = f"coalesce(nullif(current_setting('{CLEARANCE_SETTING}', true), ''), '0')::int"
_LEVEL = ("CASE classification "
          + " ".join(f"WHEN '{c.label}' THEN {int(c)}" for c in Classification)
          + f" ELSE {int(max(Classification))} END")

#: Body of the SELECT/UPDATE policy of every record table (an unset reader is the public).
RLS_USING = (f"(({_LEVEL}) = 0 OR (({_LEVEL}) <= {_CLEARANCE} AND "
             f"(owner = {_ORG} OR {_ORG} = ANY(releasable_to))))")
#: Body of the INSERT policy: a reader writes records owned by their own organisation.
RLS_INSERT_CHECK = f"(owner = {_ORG})"


def rls_sql(table: str) -> list[str]:
    """Statements that put ``table`` under the need-to-know row-level security policies."""
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY need_to_know_select ON {table} FOR SELECT USING {RLS_USING}",
        f"CREATE POLICY need_to_know_update ON {table} FOR UPDATE USING {RLS_USING} "
        f"WITH CHECK {RLS_USING}",
        f"CREATE POLICY need_to_know_insert ON {table} FOR INSERT WITH CHECK {RLS_INSERT_CHECK}",
    ]


def rls_reverse_sql(table: str) -> list[str]:
    """Statements that undo :func:`rls_sql`."""
    return [f"DROP POLICY IF EXISTS need_to_know_{kind} ON {table}"
            for kind in ("select", "update", "insert")] + [
        f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY"]


def visible_q(reader: AccessContext) -> Q:
    """The records ``reader`` may see, as a ``Q`` over ``classification/owner/releasable_to``."""
    public = Q(classification=Classification.UNCLASSIFIED.label)
    if reader.clearance >= max(Classification):
        cleared = Q()  # unknown labels count as the highest level, which this reader holds
    else:
        cleared = Q(classification__in=[c.label for c in Classification
                                        if 0 < c <= reader.clearance])
    need = Q(owner=reader.organisation) | Q(releasable_to__contains=[reader.organisation])
    return public | (cleared & need)


def set_reader(reader: AccessContext, may_decrypt: bool = False) -> None:
    """Tell PostgreSQL who reads, for the rest of the current transaction (``SET LOCAL``)."""
    with connection.cursor() as cur:
        cur.execute("SELECT set_config(%s, %s, true), set_config(%s, %s, true), "
                    "set_config(%s, %s, true)",
                    [ORG_SETTING, reader.organisation, CLEARANCE_SETTING,
                     str(int(reader.clearance)), DECRYPT_SETTING, "on" if may_decrypt else "off"])


def current_reader() -> AccessContext | None:
    """The reader set on this transaction, or ``None`` when none is set."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT {_ORG}, {_CLEARANCE}")
        org, level = cur.fetchone()
    return None if org is None else AccessContext(org, Classification(int(level)))


@contextmanager
def acting_as(reader: AccessContext, may_decrypt: bool = False) -> Iterator[None]:
    """Run a block as ``reader`` (e.g. public intake writing as the receiving section)."""
    before = current_reader()
    set_reader(reader, may_decrypt)
    try:
        yield
    finally:
        set_reader(before or AccessContext.public())


def params(reader: AccessContext) -> dict[str, Any]:
    """The reader as the settings :func:`set_reader` writes (for logs and tests)."""
    return {ORG_SETTING: reader.organisation, CLEARANCE_SETTING: int(reader.clearance)}
