"""The HiGHS model agrees with an independent PuLP + CBC formulation on random instances."""

from __future__ import annotations

import pytest

from bluehelmet.forcegen.api import solve_scenario
from bluehelmet.forcegen.generate import random_scenario
from tests.forcegen.reference_pulp import solve_reference


@pytest.mark.parametrize("seed", range(6))
def test_optimum_matches_cbc(seed: int) -> None:
    s = random_scenario(n_missions=3, n_months=12, n_pledges=14, n_unit_types=4, seed=seed)
    s.set_param("gender_mode", "soft")
    solved = solve_scenario(s, mip_rel_gap=0.0, stages=("unmet", "cost"))
    z1, z2 = solve_reference(solved.data, solved.pairs)
    stages = {st.stage: st.objective for st in solved.solution.stages}
    assert stages.get("unmet", 0.0) == pytest.approx(z1, rel=1e-6, abs=1e-6)
    assert stages.get("cost", 0.0) == pytest.approx(z2, rel=1e-6, abs=1e-6)
