import pandas as pd

from bluehelmet.model.validate import check_references, coerce_table


def raw(**cols):
    return pd.DataFrame({k: pd.Series(v, dtype="string") for k, v in cols.items()})


def test_coerce_applies_types_and_defaults():
    table, problems = coerce_table(
        "pledges",
        raw(
            id=["p1"],
            contributor_id=["NLD"],
            unit_type_id=["uh"],
            pcrs_level=["RDL"],
            available_from=["2019-01-01"],
            source=["test"],
            languages=[" en ; fr "],
        ),
        "pledges.csv",
    )
    assert problems == []
    row = table.iloc[0]
    assert row["count"] == 1 and row["rotation_months"] == 12
    assert row["classification"] == "unclassified" and row["owner"] == "UN"
    assert row["available_from"] == pd.Timestamp("2019-01-01")
    assert row["languages"] == "en;fr"
    assert str(table["count"].dtype) == "Int64"


def test_each_problem_names_line_column_value_and_fix():
    table, problems = coerce_table(
        "pledges",
        raw(
            id=["p1", "p1"],
            contributor_id=["NLD", "NLD"],
            unit_type_id=["uh", "uh"],
            pcrs_level=["L4", "L1"],
            available_from=["2019-13-01", "2019-01-01"],
            count=["2.5", "0"],
            women_share=["0,2", "0.1"],
            source=["x", "x"],
        ),
        "p.csv",
    )
    assert len(table) == 2  # rows are never dropped
    found = {(p.row, p.field): p for p in problems}
    assert found[(2, "pcrs_level")].value == "L4"
    assert "RDL" in found[(2, "pcrs_level")].fix
    assert found[(2, "available_from")].value == "2019-13-01"
    assert "YYYY-MM-DD" in found[(2, "available_from")].fix
    assert found[(2, "count")].reason.startswith("not a whole number")
    assert "comma" in found[(2, "women_share")].fix
    assert found[(3, "count")].reason == "out of range"
    assert "duplicate id" in found[(3, "id")].reason
    assert "line 2" in found[(3, "id")].reason
    assert "p.csv, line 2, column 'pcrs_level'" in str(found[(2, "pcrs_level")])


def test_missing_required_column_and_unknown_column_are_reported():
    _, problems = coerce_table("missions", raw(id=["M"], nme=["x"], source=["s"]), "m.csv")
    fields = {p.field for p in problems}
    assert "name" in fields and "nme" in fields


def test_references_must_exist():
    missions, _ = coerce_table("missions", raw(id=["MINUSMA"], name=["x"], source=["s"]), "m")
    reqs, _ = coerce_table(
        "requirements",
        raw(
            id=["r1"],
            mission_id=["MINUSCA"],
            unit_type_id=["uh"],
            start=["2018-07-01"],
            end=["2019-06-30"],
            source=["s"],
        ),
        "r",
    )
    problems = check_references({"missions": missions, "requirements": reqs})
    assert [(p.field, p.value) for p in problems] == [("mission_id", "MINUSCA")]
