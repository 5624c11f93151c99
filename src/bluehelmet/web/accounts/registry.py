"""The platform's organisation tree, built from the library's one organisation registry.

The registry (``bluehelmet/model/organisations.csv``, read by
:mod:`bluehelmet.model.organisations`) decides who acts for whom, so it is the one list: the
platform's :class:`~bluehelmet.web.accounts.models.Organisation` rows are created from it
(:func:`sync_registry`, run by the demo and by ``bluehelmet admin sync-orgs``), and an
administrator may only add an organisation the registry knows, with the registry's parent and
kind, or a member state by its ISO 3166-1 alpha-3 code (:func:`check_organisation`). A section
of a mission therefore reads for its mission in the platform exactly as in the library.
"""

from __future__ import annotations

from django.db import transaction

from bluehelmet.errors import AccessDeniedError, BluehelmetError
from bluehelmet.model.organisations import Organisation as Registered
from bluehelmet.model.organisations import lookup, registry
from bluehelmet.web.accounts.models import Organisation, OrgKind

#: The platform's kind of each registry kind.
KINDS = {
    "secretariat": OrgKind.UN_HQ,
    "department": OrgKind.UN_HQ,
    "mission": OrgKind.MISSION,
    "section": OrgKind.SECTION,
    "partner": OrgKind.PARTNER,
    "member_state": OrgKind.CONTRIBUTOR,
}


class RegistryError(BluehelmetError):
    """An organisation disagrees with the library's organisation registry."""


def registered(code: str) -> Registered:
    """The registry entry of ``code`` (a member state for an ISO3 code), else an error."""
    try:
        found = lookup(code)
    except AccessDeniedError as exc:
        raise RegistryError(
            f"{exc}. The platform's organisations come from the library's registry "
            "(bluehelmet/model/organisations.csv), which decides who acts for whom: add the "
            "organisation there first"
        ) from None
    if found.kind == "public":
        raise RegistryError(
            "'public' is the reader without an organisation, not an organisation of the platform"
        )
    return found


def check_organisation(code: str, kind: str, parent: str | None) -> Registered:
    """Check that ``code`` with ``kind`` and ``parent`` is what the registry says.

    Raises
    ------
    RegistryError
        The code is not registered (nor a member state), or its kind or parent differ; the
        message gives the registry's values.
    """
    found = registered(code)
    want_kind, want_parent = KINDS[found.kind].value, found.parent
    if kind != want_kind or (parent or None) != want_parent:
        raise RegistryError(
            f"organisation {code!r}: the registry has kind {want_kind!r} and parent "
            f"{want_parent or 'none'!r}, not kind {kind!r} and parent {parent or 'none'!r}; "
            f"use --kind {want_kind}" + (f" --parent {want_parent}" if want_parent else "")
        )
    return found


def sync_registry(member_states: tuple[str, ...] = ()) -> list[str]:
    """Create the registry's organisations (and ``member_states``) that the platform lacks.

    Existing rows get the registry's name, kind and parent. Returns the codes created.
    Idempotent: a second call changes nothing.
    """
    entries = [o for o in registry().values() if o.kind != "public"]
    entries += [registered(code) for code in member_states]
    entries.sort(key=_depth)  # parents before their children
    created: list[str] = []
    with transaction.atomic():
        rows = {o.code: o for o in Organisation.objects.filter(code__in=[e.id for e in entries])}
        for entry in entries:
            parent = rows.get(entry.parent) if entry.parent else None
            values = {"name": entry.name, "kind": KINDS[entry.kind].value, "parent": parent}
            row = rows.get(entry.id)
            if row is None:
                rows[entry.id] = Organisation.objects.create(code=entry.id, **values)
                created.append(entry.id)
            elif any(getattr(row, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(row, key, value)
                row.save(update_fields=list(values))
    return created


def _depth(entry: Registered) -> int:
    depth, parent = 0, entry.parent
    while parent:
        depth, parent = depth + 1, registry()[parent].parent
    return depth
