"""Small helpers to write hand-built input files."""

from __future__ import annotations

from pathlib import Path

UN_HEADER = (
    "ISOCode3,Contributing_Country,Mission_Acronym,Personnel_Type,Female_Personnel,"
    "Male_Personnel,Last_Reporting_Date"
)
HUB_HEADER = (
    "contribution_id,isocode3,contributing_country,mission_acronym,personnel_type,"
    "female_personnel,male_personnel,last_reporting_date"
)
MISSIONS_HEADER = (
    "id,mission_acronym,mission_name,lead_department,mission_isactive,start_date,"
    "end_date,mission_location,mission_longitude,mission_latitude,last_update"
)
YEAR_HEADER = '"","Year","Country","Mission","Female","Male","Total"'


def write(tmp: Path, name: str, header: str, *rows: str) -> Path:
    path = tmp / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def check_accounting(result, data_rows: int) -> None:  # type: ignore[no-untyped-def]
    rep = result.report
    assert rep.rows_read == data_rows
    assert rep.rows_read == rep.accepted + rep.repaired + rep.rejected
    assert len(result.table) == rep.accepted + rep.repaired
    assert len(rep.rejects) == rep.rejected
    assert rep.rejects["reason"].astype(str).str.len().gt(0).all()
    assert rep.rejects["fix"].astype(str).str.len().gt(0).all()
    if rep.repaired:
        assert rep.repair_table["line"].nunique() >= rep.repaired
