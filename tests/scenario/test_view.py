"""ScenarioView: reference closure, audit, marking, and overrides applied to the view."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from bluehelmet.errors import DataError
from bluehelmet.forcegen import PlanOptions, apply_overrides, load_override, plan
from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.scenario.core import Scenario
from bluehelmet.scenario.io import load_scenario

TINY = Path(__file__).parents[1] / "brief" / "data" / "tiny"
PUBLIC = AccessContext.public()
DPO = AccessContext("UN-DPO", Classification.CONFIDENTIAL)


@pytest.fixture
def hidden_mission() -> Scenario:
    """The tiny scenario with MINUSMA confidential to UN-DPO; its requirements, deployments and
    budget stay unclassified (the case that crashed the planner with a KeyError)."""
    s = load_scenario(TINY)
    m = s.tables["missions"]
    m.loc[m["id"] == "MINUSMA", ["classification", "owner"]] = ["confidential", "UN-DPO"]
    return s


def test_closure_hides_what_hangs_off_a_hidden_record(hidden_mission: Scenario) -> None:
    view = hidden_mission.view(PUBLIC)
    assert list(view.missions["id"]) == ["UNMISS"]
    for table in ("requirements", "deployments", "budgets"):
        assert not view.tables[table]["mission_id"].eq("MINUSMA").any(), table
    assert view.validate() == []  # no dangling reference is left
    assert len(hidden_mission.view(DPO).requirements) == len(hidden_mission.requirements)
    # A list of references keeps only what the reader may see; the pledge itself stays.
    excluded = view.pledges.set_index("id")["excluded_missions"]
    assert "P5" in excluded.index and excluded.isna().all()
    assert hidden_mission.view(DPO).pledges.set_index("id").at["P5", "excluded_missions"] == (
        "MINUSMA"
    )


def test_a_list_of_references_is_checked_item_by_item() -> None:
    s = load_scenario(TINY)
    s.tables["pledges"].loc[0, "excluded_missions"] = "UNMISS;NO-SUCH-MISSION"
    [problem] = s.validate()
    assert (problem.field, problem.value) == ("excluded_missions", "NO-SUCH-MISSION")


def test_a_hidden_mission_plans_without_error_and_without_its_id(
    hidden_mission: Scenario, tmp_path: Path
) -> None:
    options = PlanOptions(sensitivities=False, max_asks=1).with_solve(time_limit=5)
    result = plan(hidden_mission.view(PUBLIC), options)
    text = json.dumps(result.summary.to_dict(), default=str) + "".join(
        t.to_csv() for t in result.tables.values()
    )
    assert "MINUSMA" not in text
    assert result.summary.to_dict()["marking"] == "unclassified"


def test_a_reader_who_sees_everything_gets_the_scenario_unchanged() -> None:
    s = load_scenario("2018")
    view = s.view(AccessContext("UN-DPO", Classification.STRICTLY_CONFIDENTIAL))
    for name, table in s.tables.items():
        assert view.tables[name].equals(table), name
    assert view.marking == Classification.CONFIDENTIAL
    assert s.view(PUBLIC).marking == Classification.UNCLASSIFIED


def test_one_audit_line_per_view_with_visible_counts_only(
    hidden_mission: Scenario, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bluehelmet.audit")
    hidden_mission.view(AccessContext("NLD", user="analyst-7"))
    [record] = [r for r in caplog.records if r.name == "bluehelmet.audit"]
    line = json.loads(record.getMessage())
    assert line["user"] == "analyst-7" and line["organisation"] == "NLD"
    assert line["rows"]["missions"] == 1 and line["source"] == "scenario tiny"
    assert "MINUSMA" not in record.getMessage()


def _override(tmp_path: Path, text: str) -> object:
    path = tmp_path / "o.toml"
    path.write_text(f'name = "what-if"\n{text}', "utf-8")
    return load_override(path)


def test_override_of_a_hidden_id_fails_like_one_of_an_absent_id(
    hidden_mission: Scenario, tmp_path: Path
) -> None:
    view = hidden_mission.view(PUBLIC)
    messages = []
    for rid in ("R1", "R999"):  # R1 is MINUSMA's requirement, hidden by closure
        with pytest.raises(DataError) as err:
            apply_overrides(view, [_override(tmp_path, f'[[requirements.remove]]\nid = "{rid}"')])
        messages.append(str(err.value).replace(rid, "<id>"))
    assert messages[0] == messages[1]


def test_override_that_changes_nothing_is_an_error(tmp_path: Path) -> None:
    view = load_scenario(TINY).view(PUBLIC)
    same = view.param("lift_moves_per_month")
    with pytest.raises(DataError, match="changes nothing"):
        apply_overrides(view, [_override(tmp_path, f"[parameters]\nlift_moves_per_month = {same}")])
    with pytest.raises(DataError, match="changes nothing"):
        apply_overrides(view, [_override(tmp_path, '[[pledges.update]]\nid = "P1"')])


def test_override_rows_are_owned_by_the_reader(tmp_path: Path) -> None:
    view = load_scenario(TINY).view(AccessContext("NLD", Classification.CONFIDENTIAL))
    row = (
        '[[pledges.add]]\nid = "W1"\ncontributor_id = "NLD"\nunit_type_id = "UH"\n'
        'count = 1\npcrs_level = "RDL"\navailable_from = 2018-07-01\nrotation_months = 6\n'
        'basis = "illustrative"\nsource = "what-if"\n'
    )
    out = apply_overrides(view, [_override(tmp_path, row)])
    added = out.pledges.set_index("id").loc["W1"]
    assert added["owner"] == "NLD" and added["classification"] == "unclassified"
    assert out.reader == view.reader and out.marking == Classification.UNCLASSIFIED
    for extra in ('owner = "UN-DPO"\n', 'classification = "strictly_confidential"\n'):
        with pytest.raises(DataError, match="owned by the reader"):
            apply_overrides(view, [_override(tmp_path, row + extra)])
    with pytest.raises(DataError, match="cannot change who may read"):
        apply_overrides(
            view,
            [_override(tmp_path, '[[pledges.update]]\nid = "P1"\nclassification = "confidential"')],
        )
