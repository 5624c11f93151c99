"""Need-to-know: the one access policy every read path goes through.

Every record carries ``classification``, ``owner`` and ``releasable_to`` (the common columns of
the data model; ``releasable_to`` is a tuple of organisation ids in memory, semicolon-separated in
files). A reader is an :class:`AccessContext` (organisation, clearance, user). The rule, the same
for every table:

* an ``unclassified`` record is visible to every reader;
* any other record is visible to a reader whose clearance is at least the record's classification
  **and** who acts for the record's owner or for an organisation in its ``releasable_to``;
* a record whose classification is missing or unknown is visible to nobody.

"Acts for" is the reader's organisation and, for a mission section, its mission (see
:func:`bluehelmet.model.organisations.principals`: a parent organisation does not see its
children's records).

The rule is written once, as the :class:`NeedToKnow` predicate, and rendered three ways that a
test proves equal: a pandas mask (:meth:`NeedToKnow.mask`), an SQL boolean expression with bound
parameters for SQLite and PostgreSQL (:meth:`NeedToKnow.sql`, and the reader-independent
:meth:`NeedToKnow.rls_policy` for a PostgreSQL row-level-security policy), and a Django ``Q``
object (:meth:`NeedToKnow.q`). Analyses never call it directly: they receive a
:class:`~bluehelmet.scenario.core.ScenarioView`, which applied it (see :mod:`bluehelmet.model.gate`
and ``docs/architecture.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Literal

import numpy as np
import pandas as pd

from bluehelmet.errors import AccessDeniedError
from bluehelmet.model.organisations import principals as _principals


class Classification(IntEnum):
    """UN information sensitivity levels, ordered: the one encoding of the order."""

    UNCLASSIFIED = 0
    CONFIDENTIAL = 1
    STRICTLY_CONFIDENTIAL = 2

    @classmethod
    def parse(cls, text: str) -> Classification:
        """Parse ``unclassified``, ``confidential`` or ``strictly_confidential`` (any case)."""
        key = str(text).strip().lower().replace(" ", "_").replace("-", "_")
        try:
            return cls[key.upper()]
        except KeyError:
            raise AccessDeniedError(
                f"unknown classification {text!r}; use {', '.join(cls.labels())}"
            ) from None

    @classmethod
    def labels(cls) -> tuple[str, ...]:
        """The labels used in data files, lowest first."""
        return tuple(c.label for c in cls)

    @property
    def label(self) -> str:
        """The lower-case label used in data files."""
        return self.name.lower()


@dataclass(frozen=True)
class AccessContext:
    """Who is reading: their organisation and clearance.

    Parameters
    ----------
    organisation
        The reader's organisation (e.g. ``UN-DPO``, ``MINUSMA``, ``NLD``; see
        :mod:`bluehelmet.model.organisations`).
    clearance
        The highest classification the reader may read.
    user
        Optional user name, for the audit trail.

    """

    organisation: str
    clearance: Classification = Classification.UNCLASSIFIED
    user: str | None = field(default=None, compare=False)

    @classmethod
    def public(cls) -> AccessContext:
        """A reader with no clearance: sees unclassified records only."""
        return cls("public", Classification.UNCLASSIFIED)

    @property
    def policy(self) -> NeedToKnow:
        """The need-to-know predicate of this reader."""
        return NeedToKnow.of(self)


def release_lists(values: pd.Series) -> pd.Series:
    """``releasable_to`` values as tuples of organisation ids (missing -> ``()``).

    The model holds tuples (parsed once when a file is read). A string is split at ``;`` so that
    a table built by hand in the old text form is still read correctly, never matched as text.
    """

    def one(v: object) -> tuple[str, ...]:
        if isinstance(v, tuple):
            return v
        if isinstance(v, str):
            return tuple(i.strip() for i in v.split(";") if i.strip())
        if isinstance(v, (list, np.ndarray)):
            return tuple(str(i) for i in v)
        return ()

    items = values.astype(object).to_numpy()
    try:  # lists repeat a lot (most are empty): parse each distinct value once
        codes, uniques = pd.factorize(items, use_na_sentinel=True)
    except TypeError:  # unhashable values (lists, arrays): one by one
        return pd.Series([one(v) for v in items], index=values.index, dtype=object)
    parsed = np.empty(len(uniques) + 1, dtype=object)
    for i, v in enumerate(uniques):
        parsed[i] = one(v)
    parsed[-1] = ()  # code -1: missing
    return pd.Series(parsed[codes], index=values.index, dtype=object)


@dataclass(frozen=True)
class SQL:
    """An SQL boolean expression and its bound parameters."""

    text: str
    params: dict[str, object]


#: The normalised releasability table the SQL renderings join (one row per record and
#: organisation released to). :func:`release_rows` builds its rows from a model table.
RELEASE_TABLE_DDL = (
    "CREATE TABLE IF NOT EXISTS record_release (entity TEXT NOT NULL, "
    "record_id TEXT NOT NULL, organisation TEXT NOT NULL, "
    "PRIMARY KEY (entity, record_id, organisation))"
)


def release_rows(table: pd.DataFrame, entity: str) -> pd.DataFrame:
    """Rows of ``record_release`` for ``table``: ``entity, record_id, organisation``."""
    lists = release_lists(table["releasable_to"]) if len(table) else pd.Series(dtype=object)
    flat = pd.DataFrame(
        {
            "record_id": table["id"].astype(str).to_numpy() if len(table) else [],
            "organisation": lists.to_numpy(),
        }
    ).explode("organisation")
    flat = flat.dropna().drop_duplicates()
    flat.insert(0, "entity", entity)
    return flat.reset_index(drop=True)


@dataclass(frozen=True)
class NeedToKnow:
    """The need-to-know predicate of one reader, with its three renderings.

    Build it with :meth:`of` (or ``reader.policy``). ``levels`` are the non-public labels the
    reader is cleared for; ``principals`` the organisations the reader acts for.
    """

    reader: AccessContext
    levels: tuple[str, ...]
    principals: tuple[str, ...]

    @classmethod
    def of(cls, reader: AccessContext) -> NeedToKnow:
        """The predicate for ``reader``."""
        levels = tuple(
            c.label for c in Classification if Classification.UNCLASSIFIED < c <= reader.clearance
        )
        return cls(reader, levels, _principals(reader.organisation))

    # -- pandas -------------------------------------------------------------------------------
    def mask(self, table: pd.DataFrame) -> pd.Series:
        """Boolean mask of the rows of ``table`` the reader may see (same index)."""
        if len(table) == 0:
            return pd.Series(dtype=bool, index=table.index)
        label = table["classification"].astype("string")
        public = label.eq(Classification.UNCLASSIFIED.label).fillna(False).to_numpy(bool)
        cleared = label.isin(self.levels).fillna(False).to_numpy(bool)
        return pd.Series(public | (cleared & self._acts_for(table)), index=table.index)

    def owns(self, table: pd.DataFrame) -> pd.Series:
        """Mask of rows whose owner the reader acts for (protected columns are shown only there)."""
        if len(table) == 0:
            return pd.Series(dtype=bool, index=table.index)
        own = table["owner"].astype("string").isin(self.principals).fillna(False)
        return pd.Series(own.to_numpy(bool), index=table.index)

    def _acts_for(self, table: pd.DataFrame) -> np.ndarray:
        own = self.owns(table).to_numpy(bool)
        lists = release_lists(table["releasable_to"]).reset_index(drop=True).explode()
        released = lists.isin(self.principals).groupby(level=0).any()
        return own | released.reindex(range(len(table)), fill_value=False).to_numpy(bool)

    # -- SQL ----------------------------------------------------------------------------------
    def sql(
        self,
        table: str = "t",
        entity: str | None = None,
        *,
        release_table: str = "record_release",
        key: str = "id",
        paramstyle: Literal["named", "pyformat"] = "named",
    ) -> SQL:
        """The predicate as an SQL boolean expression over ``table`` (an alias or table name).

        Parameters
        ----------
        table
            Alias of the record table in the query; it needs columns ``id``, ``classification``
            and ``owner``.
        entity
            The entity name as stored in ``record_release.entity``; ``None`` joins on the
            record id alone (a store with one release table per entity).
        release_table
            The normalised releasability table (see :data:`RELEASE_TABLE_DDL`).
        key
            The column of ``table`` that ``record_release.record_id`` holds (``id``; a store
            whose ids are unique only per owner and classification joins on its row key).
        paramstyle
            ``named`` (``:name``, sqlite3) or ``pyformat`` (``%(name)s``, psycopg and Django).

        Returns
        -------
        SQL
            The expression (true, false or NULL -> not visible) and its parameters. No regular
            expression and no text search: three OR-ed terms (public; cleared and owned;
            cleared and released), each served by an index (classification; owner and
            classification; the release table's ``(organisation, record_id)``), so an SQL
            engine reads only the rows the reader may see.
        """
        params: dict[str, object] = {"ntk_public": Classification.UNCLASSIFIED.label}

        def p(name: str) -> str:
            return f":{name}" if paramstyle == "named" else f"%({name})s"

        def in_list(prefix: str, values: Sequence[str]) -> str:
            names = [f"{prefix}{i}" for i in range(len(values))]
            params.update(zip(names, values, strict=True))
            return "(" + ", ".join(p(n) for n in names) + ")"

        text = f"{table}.classification = {p('ntk_public')}"
        if self.levels:
            orgs = in_list("ntk_org", self.principals)
            cleared = f"{table}.classification IN {in_list('ntk_level', self.levels)}"
            same_entity = ""
            if entity is not None:
                params["ntk_entity"] = entity
                same_entity = f" AND r.entity = {p('ntk_entity')}"
            text = (
                f"({text} OR ({cleared} AND {table}.owner IN {orgs})"
                f" OR ({cleared} AND {table}.{key} IN (SELECT r.record_id FROM"
                f" {release_table} r WHERE r.organisation IN {orgs}{same_entity})))"
            )
        return SQL(text, params)

    @staticmethod
    def rls_policy(table: str, entity: str, *, release_table: str = "record_release") -> str:
        """A PostgreSQL row-level-security policy body for ``table``, independent of the reader.

        The reader is given per session or transaction by :meth:`session_settings`
        (``SET LOCAL bluehelmet.levels = ...``); with the settings absent only unclassified
        rows pass (deny by default). ``entity`` is a trusted identifier from the schema.
        """
        setting = "string_to_array(current_setting('bluehelmet.{0}', true), ',')"
        levels, orgs = setting.format("levels"), setting.format("principals")
        return (
            f"{table}.classification = '{Classification.UNCLASSIFIED.label}' OR "
            f"({table}.classification = ANY ({levels}) AND ({table}.owner = ANY ({orgs}) "
            f"OR EXISTS (SELECT 1 FROM {release_table} r WHERE r.entity = '{entity}' "
            f"AND r.record_id = {table}.id AND r.organisation = ANY ({orgs}))))"
        )

    def session_settings(self) -> dict[str, str]:
        """The settings :meth:`rls_policy` reads, for this reader (``SET LOCAL`` each)."""
        return {
            "bluehelmet.levels": ",".join(self.levels),
            "bluehelmet.principals": ",".join(self.principals),
        }

    # -- Django -------------------------------------------------------------------------------
    def q(self, prefix: str = "", release_lookup: str = "releasable_to__overlap") -> Any:
        """The predicate as a Django ``Q`` object (Django is imported only here).

        Parameters
        ----------
        prefix
            Lookup prefix when the record is reached through a relation (e.g. ``"pledge__"``).
        release_lookup
            How the release list is queried: ``releasable_to__overlap`` for a PostgreSQL
            ``ArrayField`` (the default), or e.g. ``releases__organisation__in`` for a related
            model mirroring ``record_release`` (then call ``.distinct()`` on the queryset).
        """
        from django.db.models import Q

        public = Q(**{f"{prefix}classification": Classification.UNCLASSIFIED.label})
        if not self.levels:
            return public
        orgs = list(self.principals)
        acts_for = Q(**{f"{prefix}owner__in": orgs}) | Q(**{f"{prefix}{release_lookup}": orgs})
        return public | (Q(**{f"{prefix}classification__in": list(self.levels)}) & acts_for)


def visible(table: pd.DataFrame, reader: AccessContext) -> pd.Series:
    """Boolean mask of the rows of ``table`` that ``reader`` may see (:meth:`NeedToKnow.mask`).

    A shortcut for stores that filter one table; scenario analyses get a
    :class:`~bluehelmet.scenario.core.ScenarioView` instead.
    """
    return NeedToKnow.of(reader).mask(table)
