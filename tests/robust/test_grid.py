from __future__ import annotations

from pathlib import Path

import pytest

from bluehelmet.errors import DataError
from bluehelmet.forcegen import apply_overrides
from bluehelmet.robust.grid import (
    check_ids,
    load_grid,
    scenario_fingerprint,
    variant_key,
    variant_overrides,
)
from bluehelmet.scenario.core import Scenario

from .conftest import READER, write_grid

GRID = """
name = "test"
time_limit = 10
[[axis]]
name = "lift"
parameter = "lift_moves_per_month"
values = [2, 4]
[[axis]]
name = "budget"
budget_scale = [0.5, 1.0, 2.0]
[[axis]]
name = "out"
withdraw_contributors = [[], ["C000"]]
"""


def test_every_combination_is_a_variant(tmp_path: Path) -> None:
    grid = load_grid(write_grid(tmp_path / "g.toml", GRID))
    assert len(grid.variants) == 2 * 3 * 2
    assert grid.variants[0] == {"lift": 2, "budget": 0.5, "out": ()}
    assert grid.variants[-1] == {"lift": 4, "budget": 2.0, "out": ("C000",)}
    assert grid.time_limit == 10.0


def test_overrides_change_what_the_axis_names(tmp_path: Path, scenario: Scenario) -> None:
    grid = load_grid(write_grid(tmp_path / "g.toml", GRID))
    values = {"lift": 4, "budget": 0.5, "out": ("C000",)}
    changed = apply_overrides(
        scenario.view(READER), list(variant_overrides(scenario, grid.axes, values))
    )
    assert changed.param("lift_moves_per_month") == 4
    assert changed.tables["budgets"]["headroom_usd"].to_numpy() == pytest.approx(
        0.5 * scenario.tables["budgets"]["headroom_usd"].to_numpy()
    )
    assert "C000" not in set(changed.pledges["contributor_id"])
    mine = scenario.pledges["contributor_id"] == "C000"
    assert len(changed.pledges) == len(scenario.pledges) - int(mine.sum()) > 0


def test_readiness_and_ceiling_axes(tmp_path: Path, scenario: Scenario) -> None:
    grid = load_grid(
        write_grid(
            tmp_path / "g.toml",
            """
[[axis]]
name = "ready"
readiness_shift_months = [-3]
[[axis]]
name = "ceiling"
ceiling_scale = [2.0]
""",
        )
    )
    changed = apply_overrides(
        scenario.view(READER), list(variant_overrides(scenario, grid.axes, grid.variants[0]))
    )
    before = scenario.tables["pcrs_lead_times"]["lead_time_months"].to_numpy()
    after = changed.tables["pcrs_lead_times"]["lead_time_months"].to_numpy()
    assert list(after) == [max(0, int(b) - 3) for b in before]
    limited = scenario.contributors["max_units"].notna()
    assert (
        changed.contributors["max_units"][limited].to_numpy()
        == 2 * scenario.contributors["max_units"][limited].to_numpy()
    ).all()


def test_bad_grids_name_file_axis_field_and_value(tmp_path: Path) -> None:
    path = write_grid(
        tmp_path / "bad.toml",
        """
[[axis]]
name = "a"
budget_scale = [1.0, -2]
[[axis]]
name = "a"
parameter = "lift_moves_per_month"
values = [1.5]
[[axis]]
name = "b"
colour = [1]
""",
    )
    with pytest.raises(DataError) as err:
        load_grid(path)
    text = "\n".join(str(p) for p in err.value.problems)
    assert "bad.toml" in text and "axis a: budget_scale" in text and "-2" in text
    assert "whole number" in text  # lift 1.5
    assert "exactly one kind" in text and "two axes have this name" in text


def test_unknown_withdrawn_ids_are_refused(tmp_path: Path, scenario: Scenario) -> None:
    grid = load_grid(
        write_grid(
            tmp_path / "g.toml",
            """
[[axis]]
name = "gone"
withdraw_pledges = [["NOPE"]]
""",
        )
    )
    with pytest.raises(DataError, match="NOPE"):
        check_ids(grid, scenario)


def test_keys_are_stable_and_tell_variants_apart(tmp_path: Path, scenario: Scenario) -> None:
    grid = load_grid(write_grid(tmp_path / "g.toml", GRID))
    fp = scenario_fingerprint(scenario)
    keys = [variant_key(fp, grid, v) for v in grid.variants]
    assert len(set(keys)) == len(keys)
    assert keys == [
        variant_key(scenario_fingerprint(scenario.copy()), grid, v) for v in grid.variants
    ]
    other = scenario.copy()
    other.set_param("loading_days", 1)
    assert variant_key(scenario_fingerprint(other), grid, grid.variants[0]) != keys[0]


def test_override_axis_reads_files_relative_to_the_grid(tmp_path: Path, scenario: Scenario) -> None:
    (tmp_path / "more_lift.toml").write_text(
        'name = "more lift"\n[parameters]\nlift_moves_per_month = 99\n', encoding="utf-8"
    )
    grid = load_grid(
        write_grid(
            tmp_path / "g.toml",
            """
[[axis]]
name = "what-if"
override = ["", "more_lift.toml"]
""",
        )
    )
    assert [grid.axes[0].label(v["what-if"]) for v in grid.variants] == ["base", "more lift"]
    assert variant_overrides(scenario, grid.axes, grid.variants[0]) == ()
    changed = apply_overrides(
        scenario.view(READER), list(variant_overrides(scenario, grid.axes, grid.variants[1]))
    )
    assert changed.param("lift_moves_per_month") == 99
    with pytest.raises(DataError, match="missing.toml"):
        load_grid(
            write_grid(tmp_path / "h.toml", '[[axis]]\nname = "x"\noverride = ["missing.toml"]\n')
        )


def test_budget_scale_scales_the_headroom_the_planner_uses(
    tmp_path: Path, scenario: Scenario
) -> None:
    # As in the bundled 2018 scenario: no row states a headroom, the share of the approved
    # budget does (before the fix the axis changed nothing and the variant failed).
    s = scenario.copy()
    budgets = s.tables["budgets"]
    s.tables["budgets"] = budgets.assign(
        headroom_usd=float("nan"), approved_usd=[1e6 * (i + 1) for i in range(len(budgets))]
    )
    s.set_param("budget_headroom_share", 0.1)
    grid = load_grid(
        write_grid(tmp_path / "g.toml", '[[axis]]\nname = "budget"\nbudget_scale = [0.5]\n')
    )
    changed = apply_overrides(
        s.view(READER), list(variant_overrides(s, grid.axes, grid.variants[0]))
    )
    assert changed.tables["budgets"]["headroom_usd"].to_numpy() == pytest.approx(
        0.05 * s.tables["budgets"]["approved_usd"].to_numpy()
    )


def test_the_scenarios_own_values_are_the_base_plan(tmp_path: Path, scenario: Scenario) -> None:
    lift = scenario.param("lift_moves_per_month")
    grid = load_grid(
        write_grid(
            tmp_path / "g.toml",
            f"""
[[axis]]
name = "lift"
parameter = "lift_moves_per_month"
values = [{lift}, {lift + 1}]
[[axis]]
name = "budget"
budget_scale = [1.0]
[[axis]]
name = "ready"
readiness_shift_months = [0]
[[axis]]
name = "ceiling"
ceiling_scale = [1.0]
[[axis]]
name = "out"
withdraw_pledges = [[]]
""",
        )
    )
    base, more = (variant_overrides(scenario, grid.axes, v) for v in grid.variants)
    assert base == ()  # nothing to change: the base plan, not "an override changes nothing"
    assert len(more) == 1 and more[0].parameters == {"lift_moves_per_month": lift + 1}
    assert more[0].tables == {}
