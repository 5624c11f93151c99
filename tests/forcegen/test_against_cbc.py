"""The HiGHS model agrees with an independent PuLP + CBC formulation on random instances."""

from __future__ import annotations

import pandas as pd
import pytest

from bluehelmet.forcegen.generate import frame, random_scenario
from bluehelmet.forcegen.options import SolveOptions
from bluehelmet.forcegen.pipeline import solve_scenario
from bluehelmet.scenario.core import Scenario
from tests.forcegen.reference_pulp import solve_reference

#: Seeds 0-5, plus four where the gender stage changes the plan (the cost stage's plan alone has a
#: larger shortfall: 66 vs 0, 86 vs 25, 945 vs 579, 614 vs 281 person-months; seed 1 does too).
SEEDS = (0, 1, 2, 3, 4, 5, 9, 14, 24, 33)

#: PuLP's deprecation warnings (and any other) fail these tests, so that the reference model
#: keeps to PuLP's current API (PuLP 4 removes the deprecated calls).
pytestmark = pytest.mark.filterwarnings("error")


def _gender_setup(s: Scenario, seed: int) -> None:
    """Make the gender stage matter and exercise the target look-up.

    The generated targets (troops 6-7 %) lie below the women's shares (0-25 %), so the shortfall
    would be 0 everywhere: raise every target by 8 points. Unit type U01 becomes formed police, a
    second category. The horizon (Jul 2018 - Jun 2019) spans two calendar years: seeds = 1 (mod 3)
    drop the 2019 troops target (2018's then applies in 2019), seeds = 2 (mod 3) drop the 2018
    formed-police target (no target, so no row, in 2018).
    """
    t = s.tables["gender_targets"].copy()
    t["target_share"] = t["target_share"].astype(float) + 0.08
    drop = {1: ("troops", 2019), 2: ("formed_police", 2018)}.get(seed % 3)
    if drop:
        t = t[
            ~((t["personnel_category"].astype(str) == drop[0]) & (t["year"].astype(int) == drop[1]))
        ]
    s.tables["gender_targets"] = t.reset_index(drop=True)
    u = s.tables["unit_types"].copy()
    u.loc[u["id"] == "U01", "personnel_category"] = "formed_police"
    s.tables["unit_types"] = u


def _force_in_place_setup(s: Scenario, seed: int) -> None:
    """Odd seeds: a force in place and Council ceilings that bind.

    The first three requirements get one unit in place each (of their mission and unit type),
    leaving on the last day of month ``seed % 5 + 2`` (a gap opens then), and every mission a
    military and a police ceiling of its force in place plus 0.6 of its largest
    required unit (so that only smaller units fit).
    """
    if seed % 2 == 0:
        return
    req = s.requirements.head(3)
    start = pd.Timestamp(s.param("planning_start"))
    until = start + pd.DateOffset(months=seed % 5 + 2) - pd.Timedelta(days=1)
    s.tables["units_in_place"] = frame(
        "units_in_place",
        {
            "id": [f"IP{i}" for i in range(len(req))],
            "mission_id": req["mission_id"].tolist(),
            "location": ["base"] * len(req),
            "contributor_id": [s.contributors["id"].iloc[0]] * len(req),
            "unit_type_id": req["unit_type_id"].tolist(),
            "count": [1] * len(req),
            "until": [until] * len(req),
        },
        "test",
    )
    size = s.unit_types.set_index("id")["personnel"].astype(float)
    biggest = (
        s.requirements.assign(p=s.requirements["unit_type_id"].map(size))
        .groupby("mission_id")["p"]
        .max()
    )
    there = req.assign(p=req["unit_type_id"].map(size)).groupby("mission_id")["p"].sum()
    rows = [
        (m, comp, int(there.get(m, 0.0) + 0.6 * biggest[m]))
        for m in biggest.index
        for comp in ("military", "police")
    ]
    s.tables["ceilings"] = frame(
        "ceilings",
        {
            "id": [f"C{i}" for i in range(len(rows))],
            "mission_id": [r[0] for r in rows],
            "component": [r[1] for r in rows],
            "valid_from": [start] * len(rows),
            "kind": ["numeric"] * len(rows),
            "ceiling": [r[2] for r in rows],
        },
        "test",
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_optimum_matches_cbc(seed: int) -> None:
    s = random_scenario(n_missions=3, n_months=12, n_pledges=14, n_unit_types=4, seed=seed)
    s.set_param("gender_mode", "soft")
    _gender_setup(s, seed)
    _force_in_place_setup(s, seed)
    solved = solve_scenario(s, SolveOptions(mip_rel_gap=0.0), stages=("unmet", "cost", "gender"))
    z1, z2, z3 = solve_reference(solved.data, solved.pairs)
    stages = {st.stage: st.objective for st in solved.solution.stages}
    assert stages.get("unmet", 0.0) == pytest.approx(z1, rel=1e-6, abs=1e-6)
    assert stages.get("cost", 0.0) == pytest.approx(z2, rel=1e-6, abs=1e-6)
    # Gender shortfall is in person-months (hundreds here). On these seeds the two sides agree to
    # ~1e-13. Both let the gender stage exceed the cost optimum by 1e-7 relative slack, and HiGHS
    # can spend it on a tour variable 6e-7 away from integer (within its 1e-6 integrality
    # tolerance): with the same set-up, seed 10 reports 1.7e-4 (1.4e-7 relative) below CBC's
    # integral optimum. A failure of that size, with y ~1e-6 from whole, is that effect, not a
    # formulation difference.
    assert stages.get("gender", 0.0) == pytest.approx(z3, rel=1e-6, abs=1e-4)
