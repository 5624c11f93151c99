from pathlib import Path

from bluehelmet.io.detect import detect_format
from bluehelmet.io.un_rank import read_un_rank
from bluehelmet.model.schema import entity
from bluehelmet.reference.files import reference_path
from tests.io.helpers import check_accounting, write

HEADER = (
    "\ufeffISOCode3,M49_Code,Contributing_Country,Personnel_Contribution_Rank,"
    "Female_Personnel,Male_Personnel,Total_Uniformed_Personnel,Last_Reporting_Date"
)


def test_bundled_ranking_is_clean() -> None:
    path = reference_path("un_contributions_rank_2021-01.csv")
    assert detect_format(path).name == "un_contributor_rank"
    result = read_un_rank(path)
    check_accounting(result, 122)
    assert result.report.clean
    table = result.table
    assert list(table.columns) == entity("contributors").column_names
    bgd = table.set_index("id").loc["BGD"]
    assert bgd["m49"] == 50 and bgd["region"] == "asia"


def test_hand_built(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "r.csv",
        HEADER,
        "BGD,50,Bangladesh,1,317,6394,6700,31-Jan-21",
        ",646,Rwanda,2,585,5793,6378,31-Jan-21",
        "ZZZ,1,Nowhere,3,1,1,2,31-Jan-21",
        "ETH,9999,Ethiopia,4,1,1,2,31-Jan-21",
    )
    result = read_un_rank(path)
    check_accounting(result, 4)
    assert set(result.report.repair_table["rule"]) == {"total_recomputed", "iso3_from_name"}
    assert result.report.rejects["field"].tolist() == ["isocode3", "m49_code"]
