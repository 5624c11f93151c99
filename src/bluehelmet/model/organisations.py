"""The organisation registry: who may own and read records, and how organisations nest.

The registry is package data (``bluehelmet/model/organisations.csv``, columns ``id, name, kind,
parent, acts_for_parent, source``). Kinds:

* ``public`` - the reader with no organisation;
* ``secretariat`` (``UN``) and its ``department`` s at UN Headquarters (``UN-DPO``, ``UN-DOS``,
  ``UN-DPPA``);
* ``mission`` s (parent ``UN-DPO``), and their ``section`` s (``MINUSMA-JMAC``, ...);
* ``partner`` organisations (``AU``, ``EU``, ``ECOWAS``);
* ``member_state`` s: every ISO 3166-1 alpha-3 code (``NLD``, ``FRA``, ...) is a member state
  and is not listed in the file (troop and police contributors are member states).

**The hierarchy decision.** Rank is not need-to-know. A parent organisation does **not** see
its children's records: UN-DPO does not see a MINUSMA record unless the record is released to
UN-DPO, and the Secretariat does not see its departments' records. The one exception goes the
other way: a ``section`` acts for its mission (``acts_for_parent``), so a MINUSMA-JMAC reader
reads what MINUSMA owns or what is released to MINUSMA. A mission does not act for UN-DPO, nor a
department for the Secretariat. The set of organisations a reader acts for is its
*principals* (:func:`principals`); the need-to-know predicate compares record owners and
release lists with it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from bluehelmet.errors import AccessDeniedError

#: Member states are their ISO 3166-1 alpha-3 code.
_ISO3 = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class Organisation:
    """One organisation of the registry."""

    id: str
    name: str
    kind: str
    parent: str | None
    acts_for_parent: bool
    source: str


@cache
def registry() -> dict[str, Organisation]:
    """The declared organisations by id (member states are not listed; see :func:`lookup`)."""
    text = resources.files("bluehelmet.model").joinpath("organisations.csv").read_text("utf-8")
    out: dict[str, Organisation] = {}
    for row in csv.DictReader(io.StringIO(text)):
        out[row["id"]] = Organisation(
            row["id"],
            row["name"],
            row["kind"],
            row["parent"] or None,
            row["acts_for_parent"].strip().lower() == "true",
            row["source"],
        )
    return out


def lookup(org: str) -> Organisation:
    """The organisation ``org``: a registry entry, or a member state for an ISO3 code.

    Raises
    ------
    AccessDeniedError
        If ``org`` is neither; the message lists the kinds of valid ids (no record is named).
    """
    found = registry().get(org)
    if found is not None:
        return found
    if _ISO3.fullmatch(org):
        return Organisation(org, org, "member_state", None, False, "ISO 3166-1 alpha-3")
    raise AccessDeniedError(
        f"unknown organisation {org!r}; use 'public', an ISO 3166-1 alpha-3 code of a member "
        f"state, or one of: {', '.join(sorted(k for k in registry() if k != 'public'))}"
    )


def principals(org: str) -> tuple[str, ...]:
    """The organisations a reader of ``org`` acts for: itself, then up while it acts for its parent.

    An organisation not in the registry acts only for itself (a library caller may use its own
    names; the command line accepts registered organisations only).
    """
    out = [org]
    current = registry().get(org)
    while current is not None and current.acts_for_parent and current.parent:
        out.append(current.parent)
        current = registry().get(current.parent)
    return tuple(out)


def children(org: str) -> tuple[str, ...]:
    """Direct children of ``org`` in the registry, in file order."""
    return tuple(o.id for o in registry().values() if o.parent == org)
