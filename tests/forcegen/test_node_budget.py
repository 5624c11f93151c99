"""One plan whatever the load: the node budget, the plan's fingerprint and ``brief --plan``.

The scenario is a small generated one on which a budget of one node per stage binds (HiGHS
stops at least one stage at its root node without proof), so these tests exercise an unproven,
budget-limited plan: it must be the same from ``plan`` and ``brief``, even with a CPU-bound
process running beside one of them, and say which stage is unproven and its gap.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bluehelmet import AccessContext, load_scenario, save_scenario
from bluehelmet.brief.make import make_brief
from bluehelmet.cli.main import app
from bluehelmet.errors import DataError
from bluehelmet.forcegen import PlanOptions, plan
from bluehelmet.forcegen.fingerprint import plan_record, scenario_digest
from bluehelmet.forcegen.generate import random_scenario
from bluehelmet.forcegen.options import SolveOptions
from bluehelmet.forcegen.result import Plan, read_plan
from bluehelmet.scenario.core import Scenario

READER = AccessContext.public()
#: Nodes per stage in these tests: one (the root), which binds on SCENARIO.
NODES = 1


def scenario() -> Scenario:
    """A generated scenario on which one node per stage leaves a stage unproven."""
    return random_scenario(n_missions=4, n_months=12, n_pledges=60, n_unit_types=5, seed=3)


def options(nodes: int = NODES) -> PlanOptions:
    return PlanOptions(sensitivities=False, max_asks=0).with_solve(node_limit=nodes)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_scenario(scenario(), tmp_path_factory.mktemp("scn") / "gen")


@pytest.fixture(scope="module")
def plan_folder(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``bluehelmet plan`` with the node budget, written to a folder."""
    out = tmp_path_factory.mktemp("plan") / "p"
    args = ["plan", str(folder), "--out", str(out), "--node-limit", str(NODES)]
    result = CliRunner().invoke(app, [*args, "--no-sensitivities", "--max-asks", "0"])
    assert result.exit_code == 0, result.output
    return out


def test_the_budget_binds_and_every_output_says_so(plan_folder: Path) -> None:
    summary = json.loads((plan_folder / "summary.json").read_text("utf-8"))
    limited = [s for s in summary["stages"] if s["status"] == "node_limit"]
    assert limited, summary["stages"]  # the scenario is chosen so that the budget binds
    assert summary["status"] != "optimal"
    for s in limited:
        # A stage the budget stops has its bound and gap, and its gap is above the target.
        assert s["bound"] is not None and s["mip_gap"] is not None
        assert s["mip_gap"] > SolveOptions().mip_rel_gap
        assert s["bound"] <= s["objective"] + 1e-6
    assert summary["cut_by_time_limit"] == []  # a node budget is not a time limit
    record = summary["plan_record"]
    assert record["solve"]["node_limit"] == NODES and record["solve"]["time_limit"] is None
    assert len(record["fingerprint"]) == 64


def test_the_plan_command_prints_the_unproven_stages(folder: Path, tmp_path: Path) -> None:
    args = ["plan", str(folder), "--out", str(tmp_path / "p"), "--node-limit", str(NODES)]
    result = CliRunner().invoke(app, [*args, "--no-sensitivities", "--max-asks", "0"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "not proven optimal" in text and "node_limit (gap" in text
    assert "status optimal" not in text


def test_no_budget_proves_every_stage() -> None:
    p = plan(scenario().view(READER), options(nodes=0))
    assert {s.status for s in p.summary.stages} == {"optimal"}


def test_plan_and_brief_give_the_same_plan_beside_a_cpu_hog(
    folder: Path, plan_folder: Path, tmp_path: Path
) -> None:
    view = load_scenario(folder).view(READER)  # what the command line planned on
    # The brief plans while a CPU-bound process competes for the cores.
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        files = make_brief(view, tmp_path / "b", node_limit=NODES, pdf=False, max_asks=0)
    finally:
        hog.kill()
        hog.wait()
    assert files.plan is not None
    made = read_plan(plan_folder, view, options())
    pd.testing.assert_frame_equal(files.plan.assignments, made.assignments)
    pd.testing.assert_frame_equal(files.plan.costs, made.costs)
    assert _stages(files.plan) == _stages(made)  # exactly, bounds and gaps too
    assert files.plan.summary.total_cost_usd == made.summary.total_cost_usd
    assert files.plan.summary.plan_record == made.summary.plan_record


def _stages(p: Plan) -> list[tuple[object, ...]]:
    return [(s.stage, s.status, s.objective, s.bound, s.mip_gap) for s in p.summary.stages]


def test_brief_reuses_a_plan_folder(folder: Path, plan_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "b"
    args = ["brief", str(folder), "--out", str(out), "--no-pdf", "--asks", "0"]
    result = CliRunner().invoke(app, [*args, "--plan", str(plan_folder), "--node-limit", "1"])
    assert result.exit_code == 0, result.output
    brief = json.loads((out / "tables" / "summary.json").read_text("utf-8"))
    made = json.loads((plan_folder / "summary.json").read_text("utf-8"))
    assert brief["stages"] == made["stages"] and brief["plan_record"] == made["plan_record"]
    # Other solve options than the plan's: a clear error naming the file and the option.
    result = CliRunner().invoke(app, [*args, "--plan", str(plan_folder)])
    assert result.exit_code != 0
    text = " ".join(result.output.split())
    assert "summary.json" in text and "node_limit" in text


def test_a_plan_folder_from_other_data_is_refused(folder: Path, plan_folder: Path) -> None:
    view = load_scenario(folder).view(READER)
    other = view.copy()
    other.tables["pledges"] = other.pledges.iloc[1:].reset_index(drop=True)
    with pytest.raises(DataError, match="scenario_digest"):
        read_plan(plan_folder, other, options())
    with pytest.raises(DataError, match="horizon_months"):
        read_plan(plan_folder, view, PlanOptions(horizon=6).with_solve(node_limit=NODES))
    with pytest.raises(DataError, match="no plan summary"):
        read_plan(plan_folder / "nothing", view, options())


def test_the_fingerprint_follows_what_decides_the_tours() -> None:
    view = scenario().view(READER)
    same = plan_record(view.copy(), options())
    assert plan_record(view, options()) == same
    # The tables written do not change the tours; the solve options and the data do.
    assert (
        plan_record(view, options().with_solve(node_limit=NODES))["fingerprint"]
        == (same["fingerprint"])
    )
    assert plan_record(view, PlanOptions(explain=False).with_solve(node_limit=NODES)) == same
    assert plan_record(view, options(nodes=5))["fingerprint"] != same["fingerprint"]
    changed = view.copy()
    changed.set_param("lift_moves_per_month", 1)
    assert scenario_digest(changed) != scenario_digest(view)
    # horizon_months is recorded as the months planned, not in the digest.
    longer = view.copy()
    longer.set_param("horizon_months", 6)
    assert scenario_digest(longer) == scenario_digest(view)
