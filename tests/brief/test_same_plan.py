"""One plan whatever the command: ``brief`` and ``plan`` solve the same scenario to the same plan.

Both solve with the same deterministic node budget by default (no time limit) and end with the
tie-break stage, whose value Σ β_k y_k (β a weight fixed by each tour's identity) differs
between any two different allocations; equal stage values therefore mean the same tours, and
the plan's tours are compared directly where the brief shows them. The same under a CPU-heavy
process beside them: ``tests/forcegen/test_node_budget.py``.
"""

from __future__ import annotations

import pytest

from bluehelmet import AccessContext, Classification, load_scenario
from bluehelmet.brief.make import BriefFiles, make_brief
from bluehelmet.forcegen import PlanOptions, plan
from tests.forcegen.tiny import pledge, tiny


def _stages(solver: dict[str, object]) -> list[tuple[str, str, float]]:
    stages = solver["stages"]
    assert isinstance(stages, list)
    return [
        (s["stage"], s["status"], pytest.approx(s["objective"], rel=1e-9, abs=1e-9)) for s in stages
    ]


def test_brief_and_plan_give_the_same_plan_tiny(tmp_path) -> None:  # noqa: ANN001
    # Two identical pledges: several allocations are equally good in every stage; the
    # tie-break picks one, the same in both commands.
    view = tiny([pledge("A"), pledge("B"), pledge("C", rotation=12)]).view(AccessContext.public())
    p = plan(view, PlanOptions(sensitivities=False))
    files = make_brief(view, tmp_path, pdf=False)
    assert files.brief is not None
    solver = files.brief.context["solver"]
    assert [s.stage for s in p.summary.stages] == ["unmet", "cost", "gender", "tiebreak"]
    assert _stages(solver) == [(s.stage, s.status, s.objective) for s in p.summary.stages]
    assert solver["total_cost_usd"] == pytest.approx(p.summary.total_cost_usd)
    assert solver["status"] == "optimal" and solver["cut_by_time_limit"] == []


def test_brief_and_plan_give_the_same_plan_2018(brief_2018: BriefFiles) -> None:
    view = load_scenario("2018").view(AccessContext("UN-DPO", Classification.CONFIDENTIAL))
    # The months brief_2018 plans (conftest.BRIEF_2018_HORIZON).
    options = PlanOptions(horizon=12, sensitivities=False, smart_pledging=False, explain=False)
    p = plan(view, options)
    assert brief_2018.brief is not None
    solver = brief_2018.brief.context["solver"]
    assert _stages(solver) == [(s.stage, s.status, s.objective) for s in p.summary.stages]
    assert solver["total_cost_usd"] == pytest.approx(p.summary.total_cost_usd)
    assert solver["units_deployed"] == p.summary.units_deployed
