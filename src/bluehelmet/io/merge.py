"""Import an imported table into a scenario folder, merging by record id.

Rules: records with a new id are appended; a record whose id exists already is left as it is
when identical and reported as a conflict (the scenario's record is kept) when different;
deployments that name a mission or contributor the scenario lacks bring that record along,
taken from the bundled reference data (the UN mission list, the country table) and marked
``derived``. The scenario is validated before it is written; nothing is written if it is invalid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bluehelmet.errors import DataError, Problem, UnreadableFileError
from bluehelmet.io.common import entity_frame
from bluehelmet.model.validate import check_references, check_typed, lists_as_text
from bluehelmet.reference.countries import countries
from bluehelmet.scenario.core import Scenario
from bluehelmet.scenario.io import TOML_NAME, load_scenario, save_scenario


@dataclass
class MergeReport:
    """What importing into a scenario did, per table."""

    folder: Path
    created: bool
    added: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    conflicts: list[Problem] = field(default_factory=list)
    brought_along: dict[str, list[str]] = field(default_factory=dict)


def merge_records(
    existing: pd.DataFrame, new: pd.DataFrame, table: str, file: str
) -> tuple[pd.DataFrame, int, int, list[Problem]]:
    """Merge ``new`` into ``existing`` by id: (merged, added, unchanged, conflicts)."""
    repeated = new["id"][new["id"].duplicated(keep=False)]
    if len(repeated):
        raise DataError(
            [
                Problem(
                    file,
                    None,
                    "id",
                    str(i),
                    f"{table}: the id is given more than once in the rows to import",
                    "give every record its own id",
                )
                for i in sorted(set(repeated.astype(str)))
            ]
        )
    known = existing.set_index("id", drop=False)
    is_new = ~new["id"].isin(known.index)
    added = new[is_new]
    conflicts: list[Problem] = []
    unchanged = 0
    both = new[~is_new]
    if len(both):
        old = (
            lists_as_text(known.loc[both["id"], both.columns])
            .reset_index(drop=True)
            .astype("string")
        )
        cur = lists_as_text(both).reset_index(drop=True).astype("string")
        same = (old.fillna("\0") == cur.fillna("\0")).all(axis=1)
        unchanged = int(same.sum())
        for i in same.index[~same]:
            diff = [str(c) for c in cur.columns if str(old.at[i, c]) != str(cur.at[i, c])]
            rid = str(cur.at[i, "id"])
            conflicts.append(
                Problem(
                    file,
                    None,
                    ", ".join(diff),
                    rid,
                    f"{table} record {rid} already exists in the scenario with "
                    f"different values ({', '.join(diff)}); the scenario's record was kept",
                    "edit the scenario's record by hand, or remove it and import again",
                )
            )
    merged = pd.concat([existing, added.astype(existing.dtypes.to_dict())], ignore_index=True)
    return merged, len(added), unchanged, conflicts


def import_into_scenario(
    table: pd.DataFrame, entity: str, folder: Path | str, *, file: str = ""
) -> MergeReport:
    """Merge ``table`` (rows of ``entity``) into the scenario at ``folder`` and save it.

    A folder without ``scenario.toml`` gets a new scenario with default parameters.

    Raises
    ------
    DataError
        If the merged scenario does not validate (nothing is written then).
    """
    from bluehelmet.io.write import recover_folder

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise UnreadableFileError(f"{folder} is a file; --into needs a scenario folder")
    recover_folder(folder)
    created = not (folder / TOML_NAME).is_file()
    if created:
        scenario = Scenario(
            folder.name,
            meta={
                "title": f"Scenario {folder.name}",
                "description": f"Created by 'bluehelmet data import' from {Path(file).name}",
            },
        )
    else:
        scenario = load_scenario(folder)
    report = MergeReport(folder, created)
    before = {name: len(t) for name, t in scenario.tables.items()}
    if entity == "deployments":
        _bring_along(scenario, table, report, file)
    merged, added, same, conflicts = merge_records(scenario.tables[entity], table, entity, file)
    scenario.tables[entity] = merged
    report.added[entity] = report.added.get(entity, 0) + added
    report.unchanged[entity] = same
    report.conflicts.extend(conflicts)
    problems = _validate_added(scenario, before)
    if problems:
        raise DataError(problems)
    save_scenario(scenario, folder)
    return report


def _validate_added(scenario: Scenario, before: dict[str, int]) -> list[Problem]:
    """Validate what the merge appended, and every reference of the merged scenario.

    The rows already in the folder were validated when it was loaded, and merging only appends
    records with new ids; so checking the appended rows (types, allowed values, ids among
    themselves) and all references is the whole scenario's validation, at the cost of the
    import rather than of the scenario.
    """
    problems: list[Problem] = []
    for name, table in scenario.tables.items():
        start = before.get(name, 0)
        if len(table) > start:
            problems.extend(
                check_typed(name, table.iloc[start:], f"{name}.csv", first_line=start + 2)
            )
    return problems + check_references(scenario.tables)


def _bring_along(scenario: Scenario, table: pd.DataFrame, report: MergeReport, file: str) -> None:
    """Add the missions and contributors that deployments reference but the scenario lacks."""
    from bluehelmet.reference import un_missions

    need_m = sorted(
        set(table["mission_id"].dropna().unique()) - set(scenario.missions["id"].dropna())
    )
    if need_m:
        ref = un_missions().set_index("id", drop=False)
        known = ref.loc[[m for m in need_m if m in ref.index]]
        unknown = [m for m in need_m if m not in ref.index]
        extra = entity_frame(
            "missions",
            {"id": pd.Series(unknown, dtype="string"), "name": pd.Series(unknown, dtype="string")},
            len(unknown),
            source=f"mission acronym named in {Path(file).name}; not in the UN "
            "peacekeeping mission list (e.g. a special political mission): details unknown",
        )
        extra["basis"] = "derived"
        known = known.reset_index(drop=True).assign(basis="derived")
        rows = pd.concat([known, extra], ignore_index=True)
        merged, added, _, _ = merge_records(scenario.missions, rows, "missions", file)
        scenario.tables["missions"] = merged
        report.added["missions"] = added
        report.brought_along["missions"] = need_m
    need_c = sorted(
        set(table["contributor_id"].dropna().unique()) - set(scenario.contributors["id"].dropna())
    )
    if need_c:
        ref_c = countries().set_index("iso3", drop=False)
        rows_c = ref_c.loc[[c for c in need_c if c in ref_c.index]].reset_index(drop=True)
        # codes known only to the alias table (e.g. NRU, HKG): the code is all we have
        bare = pd.DataFrame({"iso3": [c for c in need_c if c not in ref_c.index]})
        bare["name"] = bare["iso3"]
        rows_c = pd.concat([rows_c, bare], ignore_index=True)
        extra_c = entity_frame(
            "contributors",
            {
                "id": rows_c["iso3"],
                "name": rows_c["name"],
                "iso3": rows_c["iso3"],
                "region": rows_c.get("region"),
                "longitude": rows_c.get("longitude"),
                "latitude": rows_c.get("latitude"),
            },
            len(rows_c),
            source="bluehelmet reference countries (Natural Earth 1:110m; point "
            "inside the country, or the capital for small states)",
        )
        extra_c["basis"] = "derived"
        merged, added, _, _ = merge_records(scenario.contributors, extra_c, "contributors", file)
        scenario.tables["contributors"] = merged
        report.added["contributors"] = added
        report.brought_along["contributors"] = need_c
