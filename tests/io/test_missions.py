from pathlib import Path

import numpy as np
import pytest

from bluehelmet.errors import DataError
from bluehelmet.io.missions import read_missions
from bluehelmet.reference.files import reference_path
from tests.io.helpers import MISSIONS_HEADER, check_accounting, write


def test_hand_built_defects(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "m.csv",
        MISSIONS_HEADER,
        "69,MINUSMA,United Nations Mission in Mali,DPO,Yes,2013-04-25,,Bamako,"
        '"12,6500","-8,0000",x',
        "68,MINUSTAH,United Nations Stabilization Mission in Haiti,DPO,NO,2004-06-01,2017-10-01,"
        'Port-au-Prince,"-72,3333","18,5333",x',
        "14,UNOSOM II,United Nations Operation in Somalia II,DPO,No,1993-03-01,1995-03-01,"
        'Mogadishu,"2,0333","45,3500",x',
        "15,UNOSOM I,United Nations Operation in Somalia I,DPO,No,1992-04-01,1993-03-01,"
        'Mogadishu,"45,3500","2,0333",x',
        "16,UNOSOM,United Nations Operation in Somalia (I & II),DPO,No,1992-04-01,1995-03-01,"
        'Mogadishu,"45,3500","2,0333",x',
        '79,DOMREP,"""Mission of the Representative of the Secretary-General in the",DPO,No,'
        "1965-05-01,1966-10-01,,,,x",
        "1,UNYOM,United Nations Yemen Observation Mission,DPO,Maybe,1963-07-01,,,,,x",
    )
    result = read_missions(path)
    check_accounting(result, 7)
    table = result.table.set_index("id")
    assert table.loc["MINUSMA", "longitude"] == -8.0 and table.loc["MINUSMA", "latitude"] == 12.65
    assert table.loc["MINUSMA", "host_iso3"] == "MLI" and table.loc["MINUSMA", "language"] == "fr"
    assert table.loc["UNOSOM II", "longitude"] == pytest.approx(45.35)
    assert table.loc["UNOSOM I", "longitude"] == pytest.approx(45.35)
    repairs = result.report.repair_table
    swapped = set(repairs.loc[repairs["rule"] == "swapped_coordinates", "label"])
    assert swapped == {"MINUSMA", "UNOSOM II"}
    assert {"decimal_comma", "case_variant"} <= set(repairs["rule"])
    rejects = result.report.rejects.set_index("mission_acronym")
    assert "aggregate" in rejects.loc["UNOSOM", "reason"]
    assert "broken quoting" in rejects.loc["DOMREP", "reason"]
    assert "Yes or No" in rejects.loc["UNYOM", "reason"]
    warnings = " ".join(w.reason for w in result.report.warnings)
    assert "MINUSMA is listed as running" in warnings
    assert "MINUSMA: longitude and latitude swapped" in warnings


def test_bundled_mission_list() -> None:
    result = read_missions(reference_path("un_psdh_missions.csv"))
    check_accounting(result, 81)
    rep = result.report
    assert (rep.accepted, rep.repaired, rep.rejected) == (10, 67, 4)
    text = " ".join(w.reason for w in rep.warnings)
    # compared with the raw values: these rows have longitude and latitude swapped
    for name in ("MINUSMA", "UNOSOM II", "UNOSOM I", "UNEF", "UNAVEM II", "UNAVEM I", "UNSCOB"):
        assert f"{name}: longitude and latitude swapped" in text
    # MONUA and UNEF I/II have correct coordinates in the file
    for name in ("MONUA", "UNEF I", "UNEF II"):
        assert f"{name}: longitude" not in text
    assert set(rep.rejects["mission_acronym"]) == {"UNOSOM", "UNEF", "UNAVEM", "DOMREP"}
    assert result.table["id"].is_unique
    table = result.table.set_index("id")
    # every HQ with coordinates lies in (or within 50 km of) its host country
    for mid, row in table[np.isfinite(table["longitude"])].iterrows():
        assert -180 <= row["longitude"] <= 180 and -90 <= row["latitude"] <= 90, mid
    assert table.loc["MINURSO", "host_iso3"] == "ESH"
    assert table.loc["UNFICYP", "host_iso3"] == "CYP"
    assert table.loc["UNYOM", "host_iso3"] == "YEM"


def test_strict(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "m.csv",
        MISSIONS_HEADER,
        "69,MINUSMA,United Nations Mission in Mali,DPO,Yes,2013-04-25,,Bamako,"
        '"12,6500","-8,0000",x',
    )
    with pytest.raises(DataError):
        read_missions(path, strict=True)
