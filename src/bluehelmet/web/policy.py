"""Need-to-know on the platform: the library's access rule as a Django ``Q`` and an RLS policy.

This is the ONE place the platform expresses who may read a record, and it takes the rule from
the library's :class:`~bluehelmet.model.access.NeedToKnow` predicate: a reader's rule is two
lists,

* ``levels``: the non-public classifications the reader is cleared for;
* ``principals``: the organisations the reader acts for (its own, and for a mission section its
  mission; see :mod:`bluehelmet.model.organisations`).

A record is visible when it is ``unclassified``, or when its classification is in ``levels``
**and** its owner or one of its ``releasable_to`` is in ``principals``. The database also refuses
any other classification label (a check constraint). ``tests/web/test_policy.py`` checks library
mask == ORM filter == PostgreSQL row-level security on generated records and readers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.db.models import Q

from bluehelmet.model.access import AccessContext, Classification

#: Session settings (GUCs) that carry the reader into PostgreSQL for the RLS policies.
LEVELS_SETTING = "bluehelmet.levels"
PRINCIPALS_SETTING = "bluehelmet.principals"
DECRYPT_SETTING = "bluehelmet.may_decrypt"
SETTINGS = (LEVELS_SETTING, PRINCIPALS_SETTING, DECRYPT_SETTING)
PUBLIC = Classification.UNCLASSIFIED.label


def rule(reader: AccessContext) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The reader's ``(levels, principals)``, from the library's ``NeedToKnow``."""
    policy = reader.policy
    return tuple(policy.levels), tuple(policy.principals)


def visible_q(reader: AccessContext) -> Q:
    """The records ``reader`` may see, as a ``Q`` over ``classification/owner/releasable_to``."""
    levels, principals = rule(reader)
    public = Q(classification=PUBLIC)
    if not levels:
        return public
    acts_for = Q(owner__in=principals) | Q(releasable_to__overlap=list(principals))
    return public | (Q(classification__in=levels) & acts_for)


def _array(setting: str) -> str:
    return f"string_to_array(nullif(current_setting('{setting}', true), ''), ',')"


#: Body of the SELECT/UPDATE policy of every record table (no settings: public records only).
RLS_USING = (
    f"(classification = '{PUBLIC}' OR (classification = ANY ({_array(LEVELS_SETTING)}) "
    f"AND (owner = ANY ({_array(PRINCIPALS_SETTING)}) "
    f"OR releasable_to && {_array(PRINCIPALS_SETTING)}::varchar[])))"
)
#: Body of the INSERT policy, and the UPDATE policy's extra condition: a reader writes only
#: records owned by an organisation they act for (the owner decides further release).
RLS_INSERT_CHECK = f"(owner = ANY ({_array(PRINCIPALS_SETTING)}))"
RLS_UPDATE = f"({RLS_USING} AND {RLS_INSERT_CHECK})"
#: The classifications a record table accepts.
CLASSIFICATION_CHECK = "classification IN ({})".format(
    ", ".join(f"'{c.label}'" for c in Classification)
)


def rls_sql(table: str) -> list[str]:
    """Statements that put ``table`` under the need-to-know row-level security policies."""
    return [
        f"ALTER TABLE {table} ADD CONSTRAINT {table}_known_classification "
        f"CHECK ({CLASSIFICATION_CHECK})",
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY need_to_know_select ON {table} FOR SELECT USING {RLS_USING}",
        f"CREATE POLICY need_to_know_update ON {table} FOR UPDATE USING {RLS_UPDATE} "
        f"WITH CHECK {RLS_UPDATE}",
        f"CREATE POLICY need_to_know_insert ON {table} FOR INSERT WITH CHECK {RLS_INSERT_CHECK}",
    ]


def rls_reverse_sql(table: str) -> list[str]:
    """Statements that undo :func:`rls_sql`."""
    return [
        f"DROP POLICY IF EXISTS need_to_know_{kind} ON {table}"
        for kind in ("select", "update", "insert")
    ] + [
        f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {table}_known_classification",
    ]


def reader_settings(reader: AccessContext, may_decrypt: bool = False) -> dict[str, str]:
    """The session settings that describe ``reader`` to the RLS policies."""
    levels, principals = rule(reader)
    return {
        LEVELS_SETTING: ",".join(levels),
        PRINCIPALS_SETTING: ",".join(principals),
        DECRYPT_SETTING: "on" if may_decrypt else "off",
    }


def _apply(values: dict[str, str]) -> None:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(values)),
            [item for pair in values.items() for item in pair],
        )


def set_reader(reader: AccessContext, may_decrypt: bool = False) -> None:
    """Tell PostgreSQL who reads, for the rest of the current transaction (``SET LOCAL``)."""
    _apply(reader_settings(reader, may_decrypt))


@contextmanager
def acting_as(reader: AccessContext, may_decrypt: bool = False) -> Iterator[None]:
    """Run a block as ``reader`` (e.g. public intake writing as the receiving section)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT " + ", ".join(["coalesce(current_setting(%s, true), '')"] * len(SETTINGS)),
            list(SETTINGS),
        )
        before = dict(zip(SETTINGS, cur.fetchone(), strict=True))
    set_reader(reader, may_decrypt)
    try:
        yield
    finally:
        _apply(before)
