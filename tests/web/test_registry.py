"""One organisation registry: the platform's tree is the library's (model/organisations.csv)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("platform")


def test_the_platform_tree_is_the_librarys_registry() -> None:
    from bluehelmet.model.access import AccessContext, Classification
    from bluehelmet.model.organisations import principals, registry
    from bluehelmet.web.accounts.models import Organisation
    from bluehelmet.web.accounts.registry import KINDS, sync_registry

    entries = {k: o for k, o in registry().items() if o.kind != "public"}
    rows = {
        o.code: o
        for o in Organisation.objects.select_related("parent").filter(code__in=list(entries))
    }
    assert set(rows) == set(entries)  # the demo seeded every registered organisation
    for code, entry in entries.items():
        row = rows[code]
        assert row.kind == KINDS[entry.kind].value, code
        assert (row.parent.code if row.parent else None) == entry.parent, code
        assert row.name == entry.name
    # a section reads for its mission on the platform as in the library
    assert principals("MINUSMA-CAS") == ("MINUSMA-CAS", "MINUSMA")
    cas = AccessContext("MINUSMA-CAS", Classification.CONFIDENTIAL)
    assert "MINUSMA" in cas.policy.principals
    assert rows["MINUSMA-CAS"].parent.code == "MINUSMA"
    assert Organisation.objects.get(code="NLD").kind == "contributor"  # a member state
    assert sync_registry(("NLD",)) == []  # idempotent


def test_organisations_outside_the_registry_are_refused_with_the_registrys_values() -> None:
    from bluehelmet.web.accounts.registry import RegistryError, check_organisation

    with pytest.raises(RegistryError, match="organisations.csv"):
        check_organisation("MINUSMA-XYZ", "section", "MINUSMA")
    with pytest.raises(RegistryError, match="parent 'MINUSMA'.*--kind section --parent MINUSMA"):
        check_organisation("MINUSMA-JMAC", "section", "UN-DPO")
    with pytest.raises(RegistryError, match="kind 'contributor'"):
        check_organisation("SEN", "partner", None)
    with pytest.raises(RegistryError, match="not an organisation"):
        check_organisation("public", "partner", None)
    assert check_organisation("SEN", "contributor", None).kind == "member_state"
