from pathlib import Path

import pandas as pd
import pytest

from bluehelmet.io.contributions_year import incomplete_years, read_contributions_by_year
from bluehelmet.reference.files import reference_path
from tests.io.helpers import YEAR_HEADER, check_accounting, write


def test_known_answer_incomplete_years() -> None:
    totals = pd.Series({2010: 10.0, 2011: 100, 2012: 98, 2013: 45, 2014: 102, 2015: 99})
    check = incomplete_years(totals)
    assert list(check.index[~check["complete"]]) == [2010, 2013]
    assert check.loc[2013, "reference"] == pytest.approx(99.5)  # median of 2011,2012,2014,2015


def test_no_flag_on_smooth_decline() -> None:
    totals = pd.Series({y: 100.0 - 5 * i for i, y in enumerate(range(2010, 2020))})
    assert incomplete_years(totals)["complete"].all()


def test_hand_built(tmp_path: Path) -> None:
    rows = [f'"{i}",{y},"Rwanda","UNMISS",10,90,100' for i, y in enumerate(range(2010, 2016))]
    rows += [
        '"7",2014,"United Republic of Tanzania","MONUSCO",1,2,4',  # F+M != T, alias name
        '"8",2014,"Atlantis","MONUSCO",1,2,3',  # unknown country
        '"9",2014,"Rwanda","UNMISS",10,90,100',  # duplicate of the 2014 row
        '"10",2014,"Nepal","UNIFIL",0,0,0',  # padding
        '"11",2014,"Nepal","UNMISS",x,0,0',  # junk
    ]
    rows[2] = '"2",2012,"Rwanda","UNMISS",4,36,40'  # an incomplete year
    path = write(tmp_path, "y.csv", YEAR_HEADER, *rows)
    result = read_contributions_by_year(path)
    check_accounting(result, 11)
    table = result.table
    tza = table[table["iso3"] == "TZA"].iloc[0]
    assert (tza["women"], tza["men"], tza["total"]) == (1, 2, 3)
    rules = set(result.report.repair_table["rule"])
    assert {"total_recomputed", "iso3_via_alias"} <= rules
    reasons = " ".join(result.report.rejects["reason"])
    assert "country name not known" in reasons and "duplicate" in reasons
    assert "country_aliases.csv" in " ".join(result.report.rejects["fix"])
    assert table["padding"].sum() == 1
    flagged = [w.value for w in result.report.warnings if "incomplete period" in w.reason]
    assert flagged == ["2012"]
    assert not table.loc[table["year"] == 2012, "complete_year"].any()


def test_bundled_table_flags_2010_2017_2021() -> None:
    result = read_contributions_by_year(reference_path("un_contributions_country_mission_year.csv"))
    check_accounting(result, 57425)
    flagged = {int(w.value) for w in result.report.warnings if "incomplete period" in w.reason}
    assert {2010, 2017, 2021} <= flagged
    # 2012 is also short (73 % of its neighbours, e.g. UNFICYP 652 against 929 and 857)
    assert flagged == {2010, 2012, 2017, 2021}
    assert result.report.rejected == 0
    rules = result.report.repairs_by_rule().set_index("rule")["count"]
    assert rules["total_recomputed"] == 900
