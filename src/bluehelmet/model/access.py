"""Need-to-know access control over records.

Every record carries ``classification``, ``owner`` and ``releasable_to`` (see the common columns
of the data model). A reader is described by an :class:`AccessContext`. The rule, applied the same
way to every table:

* an ``unclassified`` record is visible to every reader;
* a ``confidential`` or ``strictly_confidential`` record is visible to a reader whose clearance
  is at least the record's classification **and** whose organisation is the record's owner or is
  listed in its ``releasable_to``.

Functions that return records, aggregates or exports of sensitive tables take an
:class:`AccessContext` and filter with :func:`visible` *before* aggregating, so that nothing a
reader may not see can be inferred from counts either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import IntEnum

import pandas as pd

from bluehelmet.errors import AccessDeniedError


class Classification(IntEnum):
    """UN information sensitivity levels, ordered."""

    UNCLASSIFIED = 0
    CONFIDENTIAL = 1
    STRICTLY_CONFIDENTIAL = 2

    @classmethod
    def parse(cls, text: str) -> Classification:
        """Parse ``unclassified``, ``confidential`` or ``strictly_confidential`` (any case)."""
        key = text.strip().lower().replace(" ", "_").replace("-", "_")
        try:
            return cls[key.upper()]
        except KeyError:
            raise AccessDeniedError(
                f"unknown classification {text!r}; use unclassified, confidential or "
                "strictly_confidential"
            ) from None

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
        The reader's organisation (e.g. ``UN-DPO``, ``MINUSMA``, ``NLD``).
    clearance
        The highest classification the reader may read.
    user
        Optional user name, for audit trails.

    """

    organisation: str
    clearance: Classification = Classification.UNCLASSIFIED
    user: str | None = field(default=None, compare=False)

    @classmethod
    def public(cls) -> AccessContext:
        """A reader with no clearance: sees unclassified records only."""
        return cls("public", Classification.UNCLASSIFIED)


def visible(table: pd.DataFrame, reader: AccessContext) -> pd.Series:
    """Boolean mask of the rows of ``table`` that ``reader`` may see.

    ``table`` must have the common record columns ``classification``, ``owner`` and
    ``releasable_to``. Unknown classifications are treated as the most restrictive level.
    """
    levels = {c.label: int(c) for c in Classification}
    level = table["classification"].map(levels).fillna(int(Classification.STRICTLY_CONFIDENTIAL))
    if len(table) == 0:
        return pd.Series(dtype=bool, index=table.index)
    owner_match = table["owner"].astype("string").eq(reader.organisation).fillna(False)
    # The organisation as one whole item of the semicolon-separated list (vectorised).
    item = rf"(?:^|;)\s*{re.escape(reader.organisation)}\s*(?:;|$)"
    released = table["releasable_to"].astype("string").str.contains(item, regex=True)
    released = released.fillna(False).astype(bool)
    cleared = level.astype(int) <= int(reader.clearance)
    return ((level == 0) | (cleared & (owner_match.astype(bool) | released))).astype(bool)


def filter_visible(table: pd.DataFrame, reader: AccessContext) -> pd.DataFrame:
    """The rows of ``table`` that ``reader`` may see (see :func:`visible`)."""
    return table.loc[visible(table, reader)]
