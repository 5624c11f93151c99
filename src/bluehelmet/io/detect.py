"""Recognise an input file's format from its header and run the matching importer.

Detection compares the header's column names case-insensitively, with surrounding spaces and a
byte-order mark removed. The most specific format wins (the full UCDP GED file also has the
columns of the subset).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bluehelmet.errors import UnreadableFileError
from bluehelmet.io.report import ImportResult
from bluehelmet.io.text import header_key, read_header


@dataclass(frozen=True)
class Format:
    """An input format: its name, the columns that identify it, what it becomes."""

    name: str
    columns: frozenset[str]
    entity: str | None
    description: str
    reader: Callable[..., ImportResult]


def _formats() -> list[Format]:
    # imported here: each importer pulls in the reference data it needs only when used
    from bluehelmet.io import contributions_year, missions, ucdp, un_monthly, un_rank

    return [
        Format(
            "ucdp_ged",
            frozenset(ucdp.FULL_COLUMNS),
            None,
            "UCDP Georeferenced Event Dataset, full 49 columns",
            ucdp.read_ucdp,
        ),
        Format(
            "ucdp_ged_subset",
            frozenset(ucdp.SUBSET_COLUMNS),
            None,
            "UCDP GED 6-column subset",
            ucdp.read_ucdp,
        ),
        Format(
            "un_monthly",
            frozenset(un_monthly.COLUMNS),
            "deployments",
            "UN monthly contributions by gender (odp_contributionsbygender.csv, also the "
            "Data Hub's lower-case variant)",
            un_monthly.read_un_monthly,
        ),
        Format(
            "un_contributor_rank",
            frozenset(un_rank.COLUMNS),
            "contributors",
            "UN contributor ranking by uniformed personnel (one reporting date)",
            un_rank.read_un_rank,
        ),
        Format(
            "un_psdh_missions",
            frozenset(missions.REQUIRED),
            "missions",
            "UN Peace and Security Data Hub mission list",
            missions.read_missions,
        ),
        Format(
            "contributions_by_year",
            frozenset(contributions_year.COLUMNS),
            None,
            "contributions by country x mission x year (female, male, total)",
            contributions_year.read_contributions_by_year,
        ),
    ]


def formats() -> list[Format]:
    """The formats bluehelmet can import, most specific first."""
    return _formats()


def detect_format(path: Path | str) -> Format:
    """Return the format of a CSV file from its header.

    Raises
    ------
    UnreadableFileError
        If the file cannot be read or matches no known format.
    """
    path = Path(path)
    if path.is_dir():
        raise UnreadableFileError(
            f"{path} is a folder; give a CSV file (or use a scenario "
            "folder with 'bluehelmet data check DIR')"
        )
    header = {header_key(h) for h in read_header(path)}
    candidates = [f for f in _formats() if f.columns <= header]
    if not candidates:
        known = "; ".join(f"{f.name}: {', '.join(sorted(f.columns))}" for f in _formats())
        raise UnreadableFileError(
            f"{path}: the header ({', '.join(sorted(header))}) matches no known format. "
            f"Known formats and the columns they need: {known}"
        )
    return max(candidates, key=lambda f: len(f.columns))


def import_file(path: Path | str, *, strict: bool = False) -> ImportResult:
    """Detect the format of ``path`` and import it."""
    fmt = detect_format(path)
    return fmt.reader(Path(path), strict=strict)
