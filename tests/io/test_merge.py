from pathlib import Path

import pandas as pd

from bluehelmet.io.merge import import_into_scenario
from bluehelmet.io.un_monthly import read_un_monthly
from bluehelmet.scenario.io import load_scenario
from tests.io.helpers import UN_HEADER, write


def test_create_then_reimport_identical(tmp_path: Path) -> None:
    src = write(
        tmp_path,
        "a.csv",
        UN_HEADER,
        "BGD,Bangladesh,MINUSMA,Troops,10,1200,31/01/2021",
        "NPL,Nepal,UNPOL-X,Individual Police,1,2,31/01/2021",
    )
    folder = tmp_path / "scen"
    result = read_un_monthly(src)
    first = import_into_scenario(result.table, "deployments", folder, file=str(src))
    assert first.created and first.added["deployments"] == 2
    assert first.brought_along["missions"] == ["MINUSMA", "UNPOL-X"]
    scenario = load_scenario(folder)
    assert len(scenario.deployments) == 2
    missions = scenario.missions.set_index("id")
    assert missions.loc["MINUSMA", "host_iso3"] == "MLI"
    assert (missions["basis"] == "derived").all()
    again = import_into_scenario(result.table, "deployments", folder, file=str(src))
    assert not again.created and again.added["deployments"] == 0
    assert again.unchanged["deployments"] == 2 and not again.conflicts


def test_conflict_keeps_scenario_record(tmp_path: Path) -> None:
    folder = tmp_path / "scen"
    a = write(tmp_path, "a.csv", UN_HEADER, "BGD,Bangladesh,MINUSMA,Troops,10,1200,31/01/2021")
    b = write(
        tmp_path,
        "b.csv",
        UN_HEADER,
        "BGD,Bangladesh,MINUSMA,Troops,11,1200,31/01/2021",
        "BGD,Bangladesh,MINUSMA,Troops,1,2,28/02/2021",
    )
    import_into_scenario(read_un_monthly(a).table, "deployments", folder, file=str(a))
    report = import_into_scenario(read_un_monthly(b).table, "deployments", folder, file=str(b))
    assert report.added["deployments"] == 1 and len(report.conflicts) == 1
    assert "women" in report.conflicts[0].field
    dep = load_scenario(folder).deployments.set_index("id")
    assert dep.loc["MINUSMA-BGD-troops-2021-01-31", "women"] == 10
    assert dep.loc["MINUSMA-BGD-troops-2021-02-28", "date"] == pd.Timestamp("2021-02-28")


def test_contributor_known_only_by_code(tmp_path: Path) -> None:
    src = write(tmp_path, "a.csv", UN_HEADER, "NRU,Nauru,UNMISS,Staff Officer,0,1,31/01/2021")
    folder = tmp_path / "scen"
    report = import_into_scenario(read_un_monthly(src).table, "deployments", folder, file=str(src))
    assert report.brought_along["contributors"] == ["NRU"]
    assert load_scenario(folder).contributors["id"].tolist() == ["NRU"]
