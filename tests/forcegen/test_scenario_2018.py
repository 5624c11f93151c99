"""The bundled 2018 scenario plans and reads sensibly."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bluehelmet import AccessContext, Classification, load_scenario
from bluehelmet.cli.main import app
from bluehelmet.forcegen import PlanOptions, plan


def test_2018_budget_year_is_proven_optimal_and_sensible() -> None:
    s = load_scenario("2018")
    reader = AccessContext("UN-DPO", Classification.STRICTLY_CONFIDENTIAL)
    # The budget year 2018/19 with no time limit and no node budget: every stage must end with
    # a proof (timing is the benchmark's job: benchmarks/forcegen_2018.py).
    options = PlanOptions(horizon=12, smart_pledging=False, sensitivities=False).with_solve(
        time_limit=None, node_limit=0
    )
    r = plan(s.view(reader), options)
    summ = r.summary.to_dict()
    assert summ["status"] == "optimal"
    for stage in summ["stages"]:
        assert stage["status"] == "optimal"
        assert stage["mip_gap"] <= 1e-4
        slack = 1e-4 * max(1.0, abs(stage["objective"])) + 1e-6
        assert stage["objective"] - stage["bound"] <= slack
    assert summ["horizon_months"] == 12 and summ["horizon_start"] == "2018-07"
    assert 0 < summ["unmet_requirement_months"] < summ["required_requirement_months"]
    assert summ["objective"] <= summ["greedy_objective"]
    c = r.costs.dropna(subset=["headroom_usd"])
    assert (c["cost_usd"] <= c["headroom_usd"] * (1 + 1e-6)).all()
    # Helicopters are among the critical gaps the pledges cannot close.
    gaps = r.gaps[r.gaps["unmet_unit_months"] > 0]
    assert gaps["unit_type_id"].isin(["util_heli", "attack_heli"]).any()
    assert summ["notice"]


def test_example_override_applies_to_2018() -> None:
    from pathlib import Path

    import bluehelmet.forcegen as fg

    example = Path(fg.__file__).parent / "examples" / "nld_attack_helicopters.toml"
    reader = AccessContext("UN-DPO", Classification.CONFIDENTIAL)
    s = fg.apply_overrides(load_scenario("2018").view(reader), [fg.load_override(example)])
    added = s.pledges[s.pledges["id"] == "WHATIF-NLD-attack_heli"]
    assert int(added["count"].iloc[0]) == 4 and added["pcrs_level"].iloc[0] == "RDL"


@pytest.mark.slow
def test_2018_plans_two_rolling_years_by_default(tmp_path: Path) -> None:
    # Issue 10's "what it must show", end to end: `bluehelmet plan 2018 --out p`.
    out = tmp_path / "p"
    args = ["plan", "2018", "--out", str(out), "--org", "UN-DPO", "--clearance", "confidential"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    summ = json.loads((out / "summary.json").read_text("utf-8"))
    assert summ["horizon_months"] == 24 and summ["horizon_start"] == "2018-07"
    for key in ("planned_person_months", "unmet_person_months", "planned_aircraft_months"):
        assert summ[key] > 0
    # Deterministic: no wall-clock limit; a stage the node budget stops says so, with its gap.
    record = summ["plan_record"]
    assert record["solve"]["time_limit"] is None and record["horizon_months"] == 24
    for stage in summ["stages"]:
        assert stage["status"] in {"optimal", "node_limit"}
        assert stage["mip_gap"] is not None and stage["bound"] is not None
    assert (summ["status"] == "optimal") == all(s["status"] == "optimal" for s in summ["stages"])
    assert set(summ["cost_by_budget_period"]["peacekeeping"]) >= {"2018/19", "2019/20"}
    # No unit in place arrives as a tour: the pledges that are units in place are not offers.
    in_place = load_scenario("2018").units_in_place
    tours = pd.read_csv(out / "plan.csv", dtype=str)
    if "pledge_id" in in_place:
        assert not set(tours["pledge_id"]) & set(in_place["pledge_id"].dropna().astype(str))
    # No mission is planned above a ceiling in any month (only the force in place may be).
    ceilings = pd.read_csv(out / "ceilings.csv")
    over = ceilings[ceilings["headroom"] < -1e-6]
    assert (over["planned"] == 0).all()
    assert (out / "capability_requirements.csv").is_file()
