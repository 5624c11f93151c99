"""CLI, overrides, statistics and the generated formulation document."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bluehelmet import AccessContext, save_scenario
from bluehelmet.cli.main import app
from bluehelmet.errors import DataError
from bluehelmet.forcegen import PlanOptions, apply_overrides, compare_plans, load_override, plan
from bluehelmet.forcegen.generate import random_scenario
from tests.forcegen.tiny import pledge, tiny

ROOT = Path(__file__).resolve().parents[2]
OVERRIDE = """
name = "B pledges a second unit"
[parameters]
lift_moves_per_month = 20
[[pledges.add]]
id = "NEW-1"
contributor_id = "B"
unit_type_id = "U"
count = 1
pcrs_level = "RDL"
available_from = 2018-07-01
rotation_months = 12
women_share = 0.2
basis = "illustrative"
source = "what-if"
[[pledges.remove]]
id = "P1"
"""


def test_override_adds_and_removes(tmp_path: Path) -> None:
    f = tmp_path / "o.toml"
    f.write_text(OVERRIDE)
    s = tiny([pledge("A", rotation=12), pledge("B", rotation=6)]).view(AccessContext.public())
    out = apply_overrides(s, [load_override(f)])
    assert set(out.pledges["id"]) == {"P0", "NEW-1"}
    assert out.param("lift_moves_per_month") == 20
    bad = tmp_path / "bad.toml"
    bad.write_text('[[pledges.remove]]\nid = "nope"\n')
    with pytest.raises(DataError, match="nope"):
        apply_overrides(s, [load_override(bad)])


def test_compare_and_statistics(tmp_path: Path) -> None:
    f = tmp_path / "o.toml"
    f.write_text(OVERRIDE)
    s = tiny([pledge("A", rotation=6), pledge("B", rotation=6)])
    reader = AccessContext.public()
    view = s.view(reader)
    base = plan(view)
    alt = plan(
        view, PlanOptions(smart_pledging=False, sensitivities=False), overrides=(load_override(f),)
    )
    table = compare_plans({"base": base, "alt": alt})
    assert list(table.columns) == ["base", "alt"]
    stats = base.statistics
    head = stats.headline()
    assert head["covered_unit_months"] + head["unmet_unit_months"] == 12
    by_month = stats.coverage_by_month()
    assert (by_month["covered_before"] == 0).all() and by_month["covered_after"].sum() == 11
    total = stats.coverage(groupby=None)
    assert total["covered_unit_months"].iloc[0] == 11
    assert total["share_covered"].iloc[0] == pytest.approx(11 / 12)
    closing = stats.gap_costs()
    assert closing["cost_to_close_usd"].iloc[0] == pytest.approx(1 * 100 * 1000.0)
    # One pledge relieves itself in place (no hand-over month lost), so the other is not
    # needed: it is listed as unused, dominated.
    assert base.explanations["used"].sum() == 1
    unused = stats.unused_pledges()
    assert unused["pledges"].tolist() == [1]
    assert unused["reason"].str.contains("cheaper or earlier").all()
    assert len(stats.capability_requirements()) == 1  # the first month, before any relief
    assert {"change", "gain"} <= set(stats.value_of_changes().columns)


def test_confidential_pledges_are_filtered() -> None:
    s = tiny([pledge("A", rotation=12)])
    s.tables["pledges"]["classification"] = "confidential"
    s.tables["pledges"]["owner"] = "UN-DPO"
    r = plan(s.view(AccessContext.public()), PlanOptions(smart_pledging=False, sensitivities=False))
    assert r.summary.pledges == 0 and r.summary.units_deployed == 0


def test_cli_plan_with_override(tmp_path: Path) -> None:
    s = random_scenario(n_missions=2, n_months=8, n_pledges=10, n_unit_types=3, seed=7)
    save_scenario(s, tmp_path / "scn")
    f = tmp_path / "more_lift.toml"
    f.write_text('name = "more lift"\n[parameters]\nlift_moves_per_month = 50\n')
    out = tmp_path / "out"
    res = CliRunner().invoke(
        app,
        [
            "plan",
            str(tmp_path / "scn"),
            "--out",
            str(out),
            "--override",
            str(f),
            "--time-limit",
            "5",
        ],
    )
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text())
    for key in (
        "objective",
        "status",
        "mip_gap",
        "solve_seconds",
        "unmet_requirement_months",
        "total_cost_usd",
        "notice",
    ):
        assert key in summary
    for name in (
        "plan",
        "coverage",
        "gaps",
        "costs",
        "gender",
        "explanations",
        "capability_requirements",
        "smart_pledges",
    ):
        assert (out / f"{name}.csv").exists()
    assert (out / "more lift" / "summary.json").exists()
    assert "base" in pd.read_csv(out / "comparison.csv").columns
    assert "Scenarios side by side" in res.output


def test_formulation_doc_is_current() -> None:
    res = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_forcegen_math.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stdout + res.stderr


def test_cli_gap_text_handles_unknown_gaps() -> None:
    """summary.json writes an unknown gap (no bound) as null; the CLI must say so, not crash."""
    from bluehelmet.cli.plan import _gap

    assert _gap(None) == "unknown"
    assert _gap(0.0123) == "1.23%"
