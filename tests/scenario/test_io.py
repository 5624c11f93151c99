import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bluehelmet.errors import DataError, ScenarioNotFoundError, UnreadableFileError
from bluehelmet.model.schema import ENTITY_ORDER
from bluehelmet.scenario.core import Scenario
from bluehelmet.scenario.io import load_scenario, save_scenario
from tests.strategies import scenarios

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def assert_same(a: Scenario, b: Scenario) -> None:
    assert a.name == b.name
    assert a.meta == b.meta
    assert {k: (p.value, p.source) for k, p in a.parameters.items()} == {
        k: (p.value, p.source) for k, p in b.parameters.items()
    }
    for name in ENTITY_ORDER:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], check_exact=True, obj=name)


@SETTINGS
@given(scenarios())
def test_any_valid_scenario_round_trips_exactly(tmp_path_factory, scenario):
    assert scenario.validate() == []
    folder = tmp_path_factory.mktemp("rt")
    save_scenario(scenario, folder)
    loaded = load_scenario(folder)
    assert_same(scenario, loaded)
    # and writing again gives byte-identical files
    again = tmp_path_factory.mktemp("rt2")
    save_scenario(loaded, again)
    for f in folder.iterdir():
        assert f.read_bytes() == (again / f.name).read_bytes(), f.name


JUNK = st.sampled_from(
    [
        "",
        " ",
        "x",
        "-1",
        "1,5",
        "2019-02-30",
        "31/01/2021",
        "NaN",
        "inf",
        "true",
        "L9",
        '"',
        ";",
        "1e400",
        "0x10",
        "\u00e9",
    ]
)


@SETTINGS
@given(scenarios(), st.data())
def test_corrupted_cells_are_reported_by_place_or_harmless(tmp_path_factory, scenario, data):
    folder = tmp_path_factory.mktemp("corrupt")
    save_scenario(scenario, folder)
    candidates = [n for n in ENTITY_ORDER if len(scenario.tables[n])]
    if not candidates:
        return
    name = data.draw(st.sampled_from(candidates))
    path = folder / f"{name}.csv"
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8"))))
    r = data.draw(st.integers(1, len(rows) - 1))
    c = data.draw(st.integers(0, len(rows[0]) - 1))
    rows[r][c] = data.draw(JUNK)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), "utf-8")
    try:
        loaded = load_scenario(folder)
    except DataError as exc:
        # every problem names the file; cell problems name the line and column we corrupted
        assert all(p.file for p in exc.problems)
        assert all(p.reason and p.fix for p in exc.problems)
        assert any(p.file == str(path) for p in exc.problems) or any(
            p.field and p.field.endswith("_id") for p in exc.problems
        )
        return
    # accepted: the table kept every row
    assert len(loaded.tables[name]) == len(scenario.tables[name])


def test_missing_scenario_and_unreadable_files(tmp_path: Path):
    with pytest.raises(ScenarioNotFoundError, match="bundled"):
        load_scenario(tmp_path / "nope")
    with pytest.raises(ScenarioNotFoundError, match="scenario.toml"):
        load_scenario(tmp_path)
    (tmp_path / "scenario.toml").write_text("[scenario\n")
    with pytest.raises(UnreadableFileError, match="TOML"):
        load_scenario(tmp_path)


def test_bad_parameter_is_named(tmp_path: Path):
    (tmp_path / "scenario.toml").write_text(
        '[scenario]\nname = "x"\n[parameters]\nhorizon_months = "many"\nnonsense = 1\n'
    )
    with pytest.raises(DataError) as info:
        load_scenario(tmp_path)
    fields = {p.field for p in info.value.problems}
    assert fields == {"parameters.horizon_months", "parameters.nonsense"}


def test_hand_written_scenario_loads(tmp_path: Path):
    (tmp_path / "scenario.toml").write_text(
        '[scenario]\nname = "mini"\n[parameters]\n'
        'horizon_months = 12\nlift_moves_per_month = {value = 4, source = "UN MovCon, 2018"}\n'
    )
    (tmp_path / "missions.csv").write_text(
        'id,name,language,source\nMINUSMA,"Mission in Mali, multidimensional",fr,UN\n'
    )
    s = load_scenario(tmp_path)
    assert s.param("horizon_months") == 12
    assert s.parameters["lift_moves_per_month"].source == "UN MovCon, 2018"
    assert s.missions.loc[0, "language"] == "fr"
    assert len(s.pledges) == 0
