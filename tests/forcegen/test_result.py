"""The Plan: declared tables checked when built, a typed summary, accessors, atomic writing."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from bluehelmet import AccessContext, Classification
from bluehelmet.forcegen import Plan, PlanOptions, plan
from bluehelmet.forcegen.outputs import FILE_NAMES, OutputTableError, columns, conform
from bluehelmet.forcegen.result import read_plan
from bluehelmet.model.marking import MARKING_SUFFIX, read_marking
from bluehelmet.output import write_folder
from tests.forcegen.tiny import pledge, tiny

READER = AccessContext.public()
#: Every field summary.json had before the summary became a dataclass.
SUMMARY_FIELDS = {
    "scenario",
    "objective",
    "objective_name",
    "stages",
    "status",
    "mip_gap",
    "mip_gap_all_stages",
    "solve_seconds",
    "build_seconds",
    "unmet_requirement_months",
    "weighted_unmet_requirement_months",
    "required_requirement_months",
    "total_cost_usd",
    "units_deployed",
    "pledges",
    "pledges_used",
    "candidate_tours",
    "greedy_objective",
    "greedy_gap_to_optimum",
    "gender_mode",
    "missions_without_budget_rows",
    "horizon_start",
    "horizon_months",
    "uses_illustrative_data",
    "notice",
    # The gate's additions: the view's marking and whose view it was.
    "marking",
    "reader",
    # Added with the force in place (issue 10): the fields above are kept.
    "in_place_requirement_months",
    "required_person_months",
    "in_place_person_months",
    "planned_person_months",
    "unmet_person_months",
    "units_in_place",
    "ceiling_excess_months",
    "required_aircraft_months",
    "in_place_aircraft_months",
    "planned_aircraft_months",
    "unmet_aircraft_months",
    # What a wall-clock time limit cut short (issue 10).
    "cut_by_time_limit",
    # Money by the account that pays, per budget period (issue 10).
    "peacekeeping_cost_usd",
    "regular_budget_cost_usd",
    "cost_by_budget_period",
    # What decides the tours, with its fingerprint (issue 10: brief --plan DIR checks it).
    "plan_record",
}


@pytest.fixture(scope="module")
def small() -> Plan:
    s = tiny([pledge("A", rotation=6), pledge("B", rotation=6)])
    return plan(s.view(READER), PlanOptions(sensitivities=False))


def test_every_table_has_exactly_its_declared_columns_and_types(small: Plan) -> None:
    for name in FILE_NAMES:
        assert list(small.tables[name].columns) == columns(name), name
    assert str(small.coverage["month"].dtype).startswith("datetime64")
    assert str(small.assignments["start"].dtype).startswith("datetime64")
    assert small.assignments["units"].dtype == "int64"


def test_the_summary_is_typed_and_keeps_every_field(small: Plan) -> None:
    d = small.summary.to_dict()
    assert set(d) == SUMMARY_FIELDS
    assert small.summary.status == d["status"] == "optimal"
    assert isinstance(d["stages"], list) and {"stage", "bound"} <= set(d["stages"][0])
    assert d["marking"] == "unclassified"
    assert d["reader"] == {"organisation": READER.organisation, "clearance": "unclassified"}
    assert small.reader == small.view.reader == READER
    with pytest.raises(AttributeError):
        small.summary.status = "x"  # type: ignore[misc]


def test_a_written_plan_reads_back_the_same(small: Plan, tmp_path: Path) -> None:
    # brief --plan DIR briefs on the folder: every table and the summary come back as made.
    small.write(tmp_path / "p")
    back = read_plan(tmp_path / "p", small.view, small.options)
    for name, table in small.tables.items():
        # CSV does not tell empty text from missing text: both read back as missing.
        text = table.select_dtypes("string").columns
        made = table.assign(**{c: table[c].mask(table[c] == "") for c in text})
        pd.testing.assert_frame_equal(back.tables[name], made, obj=name)
    assert back.summary == small.summary


def test_a_table_that_does_not_match_its_declaration_is_refused() -> None:
    cov = pd.DataFrame(
        {
            "mission_id": ["M"],
            "unit_type_id": ["U"],
            "month": ["2018-07"],
            "critical": [True],
            "required": ["two"],
            "in_place": [0.0],
            "planned": [1.0],
            "covered": [1.0],
            "weighted_short": [0.0],
            "short": [0.0],
            "required_personnel": [200.0],
            "planned_personnel": [100.0],
            "short_personnel": [0.0],
            "required_aircraft": [0.0],
            "in_place_aircraft": [0.0],
            "planned_aircraft": [0.0],
            "short_aircraft": [0.0],
        }
    )
    with pytest.raises(OutputTableError, match="'coverage', column 'required', row 0.*'two'"):
        conform("coverage", cov)
    with pytest.raises(OutputTableError, match="undeclared columns \\['extra'\\]"):
        conform("coverage", cov.assign(required=2.0, extra=1))
    with pytest.raises(OutputTableError, match="lacks declared columns \\['short'\\]"):
        conform("coverage", cov.assign(required=2.0).drop(columns="short"))


def test_statistics_and_plot_work_on_the_plan_itself(small: Plan) -> None:
    by_mission = small.statistics.coverage(groupby="mission_id")
    assert list(by_mission["mission_id"]) == ["M"]
    row = by_mission.iloc[0]
    assert row["covered_unit_months"] + row["unmet_unit_months"] == row["required_unit_months"]
    monthly = small.statistics.coverage(groupby="month")
    assert len(monthly) == 12 and monthly["required_unit_months"].sum() == 12
    with pytest.raises(ValueError, match="cannot group"):
        small.statistics.coverage(groupby="pledge")
    cost = small.statistics.cost(groupby="contributor_id")
    assert cost["cost_usd"].sum() == pytest.approx(small.summary.total_cost_usd)
    assert small.statistics.cost(groupby=None)["units"].iloc[0] == small.summary.units_deployed
    fig = small.plot.coverage()
    assert fig.axes and "M" in fig.axes[0].get_title()
    assert "Plan of scenario 'tiny'" in repr(small) and len(repr(small)) < 500


def test_write_is_complete_and_leaves_other_files_alone(small: Plan, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    small.write(out)
    assert (out / "notes.txt").read_text() == "mine"
    written = {"summary.json", *(f"{f}.csv" for f in FILE_NAMES.values())}
    assert {p.name for p in out.iterdir()} == {
        "notes.txt",
        *written,
        *(f + MARKING_SUFFIX for f in written),
    }
    # Every file the writer wrote carries the view's marking; the user's own file has none.
    assert {read_marking(out / f) for f in written} == {Classification.UNCLASSIFIED}
    assert read_marking(out / "notes.txt") is None
    assert json.loads((out / "summary.json").read_text())["status"] == "optimal"
    plan_csv = pd.read_csv(out / "plan.csv", dtype=str)
    assert plan_csv["start"].str.fullmatch(r"\d{4}-\d{2}").all()
    # Nothing half-written is left beside it.
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    with pytest.raises(NotADirectoryError):
        write_folder(out / "notes.txt", {}, marking=Classification.UNCLASSIFIED)


def test_an_override_that_is_not_one_is_refused() -> None:
    s = tiny([pledge("A", rotation=6)])
    with pytest.raises(TypeError, match="Override objects"):
        plan(s.view(READER), overrides=("nld.toml",))  # type: ignore[arg-type]


def test_only_a_view_is_planned_on() -> None:
    s = tiny([pledge("A", rotation=6)])
    with pytest.raises(TypeError, match=r"scenario\.view\(reader\)"):
        plan(s)  # type: ignore[arg-type]


def test_every_scenario_table_has_an_accessor_and_the_repr_is_short() -> None:
    from bluehelmet import load_scenario
    from bluehelmet.model.schema import ENTITY_ORDER
    from bluehelmet.scenario.core import Scenario

    assert all(isinstance(getattr(Scenario, n, None), property) for n in ENTITY_ORDER)
    s = load_scenario("2018")
    assert len(repr(s)) < 600 and "pledges" in repr(s)
    assert str(s.pledges["available_from"].dtype).startswith("datetime64")
