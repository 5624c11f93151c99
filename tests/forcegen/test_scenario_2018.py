"""The bundled 2018 scenario plans and reads sensibly."""

from __future__ import annotations

from bluehelmet import AccessContext, Classification, load_scenario
from bluehelmet.forcegen import PlanOptions, plan


def test_2018_plan_is_proven_optimal_and_sensible() -> None:
    s = load_scenario("2018")
    reader = AccessContext("UN-DPO", Classification.STRICTLY_CONFIDENTIAL)
    # No time limit: every stage must end with a proof (timing is the benchmark's job:
    # benchmarks/forcegen_2018.py).
    options = PlanOptions(smart_pledging=False, sensitivities=False).with_solve(time_limit=None)
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
