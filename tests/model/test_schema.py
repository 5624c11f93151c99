from pathlib import Path

import pytest

from bluehelmet.model.docs import schema_markdown
from bluehelmet.model.schema import (
    DTYPES,
    ENTITY_ORDER,
    entities,
    entity,
    parameter_specs,
    split_list,
    store_entities,
)

ROOT = Path(__file__).resolve().parents[2]


def test_scenario_entities_are_the_declared_scenario_store():
    assert store_entities("scenario") == ENTITY_ORDER


def test_every_entity_starts_with_id_and_carries_the_record_columns():
    for ent in entities():
        names = ent.column_names
        assert names[0] == "id"
        for common in ("classification", "owner", "releasable_to", "basis", "source"):
            assert common in names, (ent.name, common)
        assert len(names) == len(set(names)), ent.name


def test_declared_types_defaults_and_references_are_consistent():
    known = {e.name for e in entities()}
    for ent in entities():
        for col in ent.columns:
            assert col.type in DTYPES
            assert col.description, (ent.name, col.name)
            if col.references:
                assert col.references in known
            if col.allowed and col.default is not None:
                assert col.default in col.allowed, (ent.name, col.name)


def test_unknown_entity_names_the_known_ones():
    with pytest.raises(KeyError, match="missions"):
        entity("nonsense")


def test_parameters_are_declared_with_a_source():
    specs = parameter_specs()
    assert "horizon_months" in specs
    assert all(s.source for s in specs.values())


def test_split_list():
    assert split_list(" fr ; en;;") == ["fr", "en"]
    assert split_list(None) == []


def test_schema_reference_in_docs_is_current():
    committed = (ROOT / "docs" / "schema.md").read_text("utf-8")
    assert committed == schema_markdown(), "run: python tools/gen_docs.py"
