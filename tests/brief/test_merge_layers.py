"""``brief --risk --hotspots --protect``: the layers merge and the robustness page stays."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from bluehelmet.brief.assemble import BriefOptions
from bluehelmet.brief.layers import merge_layers
from bluehelmet.brief.make import make_brief
from bluehelmet.brief.robustness import read_risk
from bluehelmet.forcegen.result import Plan
from bluehelmet.model.access import AccessContext
from bluehelmet.robust.disruption import DisruptionModel
from bluehelmet.robust.risk import RiskSettings, run_risk
from bluehelmet.scenario.core import Scenario


def _cells(level: str, n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "longitude": [-1.0 + i for i in range(n)],
            "latitude": [15.0] * n,
            "cell_size": 0.5,
            "level": level,
        }
    )


def test_risk_hotspots_and_protection_combine(
    tmp_path: Path, tiny: Scenario, reader: AccessContext, tiny_plan: Plan
) -> None:
    run_risk(
        tiny,
        reader,
        DisruptionModel(),
        RiskSettings(draws=6, seed=2, time_limit=None),
        tmp_path / "risk",
    )
    page = read_risk(tmp_path / "risk")
    # In the order the command builds them: the risk page, then --hotspots, then --protect.
    options = dataclasses.replace(BriefOptions(), risk=page, contributor="NLD", lang="fr")
    ucdp = BriefOptions(hotspots=_cells("Gi* hotspot", 2), intel_note="Gi*.")
    protect = BriefOptions(
        hotspots=_cells("hot", 3),
        protection=pd.DataFrame({"longitude": [0.0], "latitude": [15.0], "covered": [True]}),
        intel_note="Risk.",
        protection_note="Bases reach 40%.",
    )
    merged = merge_layers(merge_layers(options, ucdp), protect)
    assert merged.risk is page
    assert (merged.contributor, merged.lang) == ("NLD", "fr")
    assert merged.hotspots is not None and list(merged.hotspots["level"]) == (
        ["Gi* hotspot"] * 2 + ["hot"] * 3
    )
    assert merged.protection is not None and len(merged.protection) == 1
    assert merged.intel_note == "Gi*. Risk." and merged.protection_note == "Bases reach 40%."
    # A risk page given second (by a library caller) is kept as well.
    assert merge_layers(ucdp, BriefOptions(risk=page)).risk is page

    made = make_brief(
        tiny.view(reader),
        tmp_path / "brief",
        plan=tiny_plan,
        pdf=False,
        options=dataclasses.replace(merged, contributor=None, lang="en"),
    )
    html = made.html.read_text("utf-8")
    assert 'id="robustness"' in html and "6 draws" in html
    assert "Bases reach 40%." in html
