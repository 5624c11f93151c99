"""The options of a protection analysis: one frozen, documented object.

Every field carries its default and documentation; ``bluehelmet protect`` has one flag per field
(``max_new_sites`` is ``--max-new-sites``) and ``docs/cli.md`` lists them.
"""

from __future__ import annotations

from dataclasses import dataclass

from bluehelmet.options import option


@dataclass(frozen=True)
class ProtectOptions:
    """How the protection analysis of one mission runs (see ``docs/protection.md``)."""

    response_minutes: float = option(
        120.0, "A cell counts as covered if an asset can reach it within this time (minutes)."
    )
    max_new_sites: int = option(3, "Temporary operating bases that may be opened.")
    candidates: int = option(30, "Candidate sites generated in the highest-risk cells.")
    max_units: int = option(3, "Most units to recommend.")
    curve_units: int = option(3, "Units per asset type in the coverage curve.")
    min_gain_share: float = option(
        0.01, "Recommend a unit only if it adds at least this share of the total risk."
    )
    relocate: bool = option(False, "Let the optimiser move today's assets too.")
    high_risk_quantile: float = option(
        0.9, "Cells at or above this risk quantile count as high-risk in the uncovered list."
    )
    time_limit: float = option(30.0, "Solver seconds per solve.")
    threads: int | None = option(None, "Solver threads per solve (none: HiGHS's default).")
    within_cell_km: float | None = option(
        None,
        "Distance added to each cell-centre distance (none: the mean distance from a "
        "place in a cell to its centre, about 21 km for 0.5 degree cells in Mali).",
    )

    def __post_init__(self) -> None:
        if self.response_minutes <= 0:
            raise ValueError(f"response_minutes must be positive, got {self.response_minutes}")
        if not 0 < self.high_risk_quantile < 1:
            raise ValueError(f"high_risk_quantile must be in (0, 1), got {self.high_risk_quantile}")
        if self.time_limit <= 0:
            raise ValueError(f"time_limit must be positive, got {self.time_limit}")
        for name in ("max_new_sites", "candidates", "max_units", "curve_units"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be 0 or more, got {getattr(self, name)}")
