"""The robustness page: a risk run's tables shown as they are, only when a run is given."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bluehelmet.brief.assemble import BriefOptions
from bluehelmet.brief.make import make_brief
from bluehelmet.brief.render import stat_cells
from bluehelmet.brief.robustness import read_risk
from bluehelmet.errors import DataError
from bluehelmet.forcegen.result import Plan
from bluehelmet.model.access import AccessContext
from bluehelmet.robust.disruption import DisruptionModel
from bluehelmet.robust.risk import RiskSettings, run_risk
from bluehelmet.scenario.core import Scenario


def test_robustness_page(
    tmp_path: Path, tiny: Scenario, reader: AccessContext, tiny_plan: Plan
) -> None:
    run_risk(
        tiny,
        reader,
        DisruptionModel(),
        RiskSettings(draws=20, seed=4, time_limit=None),
        tmp_path / "risk",
    )
    page = read_risk(tmp_path / "risk")
    made = make_brief(
        tiny.view(reader),
        tmp_path / "brief",
        plan=tiny_plan,
        pdf=False,
        options=BriefOptions(risk=page),
    )
    html = made.html.read_text("utf-8")
    assert 'id="robustness"' in html and "20 draws" in html
    cells = stat_cells(html)
    comp = pd.read_csv(tmp_path / "risk" / "comparison.csv").set_index("figure")
    shown = cells[cells["stat"] == "risk_comparison.nominal"]
    assert len(shown) == len(comp)
    for row in shown.itertuples():
        assert float(row.value) == pytest.approx(comp.loc[row.key, "nominal"])
    crit = pd.read_csv(tmp_path / "risk" / "criticality.csv")
    lost = cells[cells["stat"] == "risk_criticality.loss_if_withdrawn"]
    nominal = crit[crit["plan"] == "nominal"].set_index("pledge_id")
    assert len(lost) == min(len(nominal), 10)
    for row in lost.itertuples():
        assert float(row.value) == pytest.approx(nominal.loc[row.key, "loss_if_withdrawn"])
    assert (tmp_path / "brief" / "tables" / "risk_criticality.csv").exists()

    plain = make_brief(tiny.view(reader), tmp_path / "plain", plan=tiny_plan, pdf=False)
    assert 'id="robustness"' not in plain.html.read_text("utf-8")


def test_missing_risk_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="comparison.csv"):
        read_risk(tmp_path)
