from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bluehelmet.errors import DataError
from bluehelmet.robust.disruption import DisruptionModel, draw, load_model, rates
from bluehelmet.robust.evaluate import evaluate, no_disruption, withdrawal_losses
from bluehelmet.robust.executor import DaskExecutor, LocalPool
from bluehelmet.robust.risk import RiskSettings, run_risk
from bluehelmet.robust.run import solve_nominal
from bluehelmet.robust.saa import robust_plan
from bluehelmet.scenario.core import Scenario

from .conftest import READER, small

NOMINAL = solve_nominal(small(), horizon=None, time_limit=None)


def _model(**parameters: float) -> DisruptionModel:
    m = DisruptionModel()
    m.parameters.update(parameters)
    return m


def test_same_seed_same_tables_other_seed_other_draws(tmp_path: Path, scenario: Scenario) -> None:
    s = RiskSettings(draws=30, seed=7, time_limit=None)
    a = run_risk(scenario, READER, DisruptionModel(), s, tmp_path / "a")
    b = run_risk(scenario, READER, DisruptionModel(), s, tmp_path / "b")
    assert set(a.tables) == {
        "draws",
        "outcomes",
        "unmet",
        "distribution",
        "critical_held",
        "criticality",
        "comparison",
        "model",
    }
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])
        assert (tmp_path / "a" / f"{name}.csv").read_bytes() == (
            tmp_path / "b" / f"{name}.csv"
        ).read_bytes()
    other = run_risk(
        scenario,
        READER,
        DisruptionModel(),
        RiskSettings(draws=30, seed=8, time_limit=None),
        tmp_path / "c",
    )
    assert not a.tables["draws"]["withdrawn"].equals(other.tables["draws"]["withdrawn"])
    # Draw i depends on the seed and i only, not on how many draws are made.
    fewer = run_risk(
        scenario,
        READER,
        DisruptionModel(),
        RiskSettings(draws=5, seed=7, time_limit=None),
        tmp_path / "d",
    )
    pd.testing.assert_frame_equal(fewer.tables["draws"], a.tables["draws"].head(5))


def test_known_answers_at_the_extremes() -> None:
    data, units = NOMINAL.data, NOMINAL.units
    need = (
        data.requirements["count"] * (data.requirements["last"] - data.requirements["first"] + 1)
    ).to_numpy()
    everything = rates(_model(pledge_withdraw_probability=1.0), data)
    assert np.allclose(evaluate(data, units, everything, draw(everything, 1, 0)), need)
    nothing = rates(
        _model(
            pledge_withdraw_probability=0.0,
            contributor_withdraw_probability=0.0,
            pledge_delay_probability=0.0,
            mission_delay_probability=0.0,
        ),
        data,
    )
    world = evaluate(data, units, nothing, no_disruption(nothing, len(data.pledges)))
    for i in range(5):
        assert np.array_equal(evaluate(data, units, nothing, draw(nothing, 1, i)), world)
    # The fixed plan's gaps as the planner itself reports them (its own gaps table).
    from bluehelmet.forcegen.tables import gaps_table

    assert np.allclose(world, gaps_table(data, units)["unmet_unit_months"].to_numpy())


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), index=st.integers(0, 10_000))
def test_disruptions_never_help_a_fixed_plan(seed: int, index: int) -> None:
    data, units = NOMINAL.data, NOMINAL.units
    r = rates(DisruptionModel(), data)
    world = evaluate(data, units, r, no_disruption(r, len(data.pledges)))
    hit = evaluate(data, units, r, draw(r, seed, index))
    assert (hit >= world - 1e-9).all()
    assert (hit <= (data.requirements["count"] * 12).to_numpy() + 1e-9).all()


def test_criticality_losses_are_exact_for_one_pledge() -> None:
    data, units = NOMINAL.data, NOMINAL.units
    r = rates(DisruptionModel(), data)
    loss = withdrawal_losses(data, units, r)
    used = np.unique(data.candidates["pledge"].to_numpy()[units > 0])
    assert (loss >= 0).all() and (loss[np.setdiff1d(np.arange(len(loss)), used)] == 0).all()
    p = int(used[np.argmax(loss[used])])
    d = no_disruption(r, len(data.pledges))
    weight = data.requirements["weight"].to_numpy()
    base = weight @ evaluate(data, units, r, d)
    d.withdrawn[p] = True
    assert loss[p] == pytest.approx(weight @ evaluate(data, units, r, d) - base)
    assert loss[p] > 0


def test_robust_plan_is_no_worse_on_its_own_draws() -> None:
    """The sample-average plan is optimal for its training draws: the nominal plan, also
    feasible there, cannot have a lower average weighted gap on them."""
    data = NOMINAL.data
    r = rates(_model(pledge_withdraw_probability=0.3), data)
    train = [draw(r, 3, i, stream=1) for i in range(8)]
    robust = robust_plan(data, r, train, NOMINAL.units, time_limit=None)
    weight = data.requirements["weight"].to_numpy()

    def mean_gap(units: np.ndarray) -> float:
        return float(np.mean([weight @ evaluate(data, units, r, d) for d in train]))

    assert robust.status == "optimal"
    assert mean_gap(robust.units) <= mean_gap(NOMINAL.units) + 1e-6


def test_replans_local_and_dask_agree_and_resume(
    tmp_path: Path, scenario: Scenario, dask_client: object
) -> None:
    s = RiskSettings(
        draws=6,
        seed=2,
        time_limit=None,
        replan=True,
        robust=True,
        robust_draws=4,
        robust_time_limit=None,
    )
    local = run_risk(scenario, READER, DisruptionModel(), s, tmp_path / "l", LocalPool(2))
    dask = run_risk(
        scenario, READER, DisruptionModel(), s, tmp_path / "d", DaskExecutor(dask_client)
    )
    for name in local.tables:
        pd.testing.assert_frame_equal(local.tables[name], dask.tables[name])
    out = local.tables["outcomes"].pivot(index="draw", columns="plan", values="weighted_unmet")
    assert set(out.columns) == {"nominal", "robust", "replan"}
    # Knowing the disruptions, a re-plan does at least as well as the fixed nominal plan.
    assert (out["replan"] <= out["nominal"] + 1e-6).all()
    comp = local.tables["comparison"].set_index("figure")
    assert list(comp.columns) == ["nominal", "robust", "replan"]
    files = sorted((tmp_path / "l" / "replans").glob("*.json"))
    assert len(files) == 6
    files[0].unlink()
    again = run_risk(scenario, READER, DisruptionModel(), s, tmp_path / "l", LocalPool(1))
    pd.testing.assert_frame_equal(again.tables["outcomes"], local.tables["outcomes"])


def test_model_file_sets_entities_and_refuses_nonsense(tmp_path: Path) -> None:
    good = tmp_path / "risk.toml"
    good.write_text(
        "[parameters]\npledge_withdraw_probability = 0.2\n[mission.M00]\ndelay_probability = 0.9\n",
        encoding="utf-8",
    )
    m = load_model(good)
    assert m.parameters["pledge_withdraw_probability"] == 0.2
    r = rates(m, NOMINAL.data)
    assert r.m_delay[list(r.missions).index("M00")] == 0.9
    table = m.table()
    assert (
        table.loc[table["parameter"] == "pledge_withdraw_probability", "source"]
        .str.contains("risk.toml")
        .all()
    )
    assert table["source"].str.len().gt(0).all()
    bad = tmp_path / "bad.toml"
    bad.write_text(
        "[parameters]\npledge_withdraw_probability = 1.5\nfoo = 1\n"
        "[mission.M00]\ndelay_mean_months = 0\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as err:
        load_model(bad)
    text = "\n".join(map(str, err.value.problems))
    assert "bad.toml" in text and "1.5" in text and "foo" in text and "delay_mean_months" in text
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("[contributor.XYZ]\nwithdraw_probability = 0.5\n", encoding="utf-8")
    with pytest.raises(DataError, match="XYZ"):
        rates(load_model(unknown), NOMINAL.data)


def test_the_force_in_place_counts_as_the_planner_counts_it(tmp_path: Path) -> None:
    from bluehelmet.forcegen import PlanOptions, plan
    from tests.forcegen.tiny import pledge, tiny, unit_in_place

    # Two units needed for 12 months; one in place until December (6 months), one pledge at
    # rapid deployment level. Without the unit in place the evaluation would count 6
    # requirement-months more open than the planner does.
    s = tiny([pledge("A", rotation=12)], count=2, in_place=[unit_in_place("B", until="2018-12-31")])
    view = s.view(READER)
    planned = plan(view, PlanOptions(explain=False, smart_pledging=False, sensitivities=False))
    risk = run_risk(s, READER, _model(), RiskSettings(draws=3, seed=1), tmp_path)
    comp = risk.tables["comparison"].set_index("figure")["nominal"]
    assert comp["unmet_without_disruption"] == planned.summary.unmet_requirement_months
    # Nothing disrupted (all probabilities 0): every draw is the planner's world.
    none = _model(
        pledge_withdraw_probability=0.0,
        contributor_withdraw_probability=0.0,
        pledge_delay_probability=0.0,
        mission_delay_probability=0.0,
    )
    calm = run_risk(s, READER, none, RiskSettings(draws=3, seed=1), tmp_path / "calm")
    out = calm.tables["outcomes"]
    assert (out["unmet_requirement_months"] == planned.summary.unmet_requirement_months).all()
