"""How a force plan is solved and what it computes: two frozen, documented option objects.

Every field carries its default and its documentation (``metadata["doc"]``); the command line
builds these objects from its flags (one flag per field, named after it: ``time_limit`` is
``--time-limit``) and ``docs/cli.md`` lists them. Nothing about the solver is set by module
flags.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from bluehelmet.options import option


@dataclass(frozen=True)
class SolveOptions:
    """How HiGHS solves the lexicographic model (see ``docs/force-generation.md``)."""

    time_limit: float | None = option(
        None,
        "Wall-clock seconds for the whole planning run: preparation, every objective "
        "stage and the what-ifs (none: solve every stage to proven optimality).",
    )
    mip_rel_gap: float = option(1e-4, "Relative optimality gap at which each stage stops.")
    warm_start_later_stages: bool = option(
        True, "Start each later stage from the previous stage's plan (off only to compare)."
    )
    same_gaps_above_columns: int = option(
        5_000, "Later stages of models with more columns first search plans with no larger gap."
    )
    same_gaps_share: float = option(
        0.6, "Share of a later stage's time that the same-gaps search may use."
    )
    restrict_above_columns: int = option(
        15_000, "Models with more columns first search only the tours the LP relaxation uses."
    )
    restricted_share: float = option(
        0.35, "Share of the time limit that the restricted search may use."
    )
    lp_share: float = option(
        0.3, "Share of the time limit the LP relaxation (warm start and bound) may use."
    )
    reduced_cost_fixing: bool = option(
        True,
        "Tighten later stages' column bounds by each stage's LP reduced costs "
        "(off only to compare; the plan is the same).",
    )
    lagrangian_share: float = option(
        0.0,
        "Share of the time limit for a Lagrangian bound by unit type and its repaired plan "
        "before the first stage (0: off; only with a time limit; see forcegen.lagrange).",
    )

    def __post_init__(self) -> None:
        if self.time_limit is not None and self.time_limit <= 0:
            raise ValueError(f"time_limit must be positive (or None), got {self.time_limit}")
        if not 0 <= self.mip_rel_gap < 1:
            raise ValueError(f"mip_rel_gap must be in [0, 1), got {self.mip_rel_gap}")
        for name in ("same_gaps_share", "restricted_share", "lp_share"):
            value = getattr(self, name)
            if not 0 < value <= 1:
                raise ValueError(f"{name} must be in (0, 1], got {value}")
        if not 0 <= self.lagrangian_share < 1:
            raise ValueError(f"lagrangian_share must be in [0, 1), got {self.lagrangian_share}")


@dataclass(frozen=True)
class PlanOptions:
    """What a planning run covers and which explanation tables it computes."""

    horizon: int | None = option(
        None, "Months to plan (none: the scenario's horizon_months parameter)."
    )
    explain: bool = option(True, "Explain every pledge and list the binding constraints.")
    smart_pledging: bool = option(
        True,
        "Write the capability requirements note and the smart-pledge groups "
        "(capability_requirements.csv, smart_pledges.csv); the command line also takes "
        "--capability-requirements/--no-capability-requirements.",
    )
    sensitivities: bool = option(
        True, "Value more budget, faster readiness and more lift (several LP re-solves)."
    )
    max_asks: int = option(
        8, "Highest-ranked requirements of the note valued by one more unit (one LP re-solve each)."
    )
    solve: SolveOptions = option(SolveOptions(), "How the solver runs.")

    def __post_init__(self) -> None:
        if self.horizon is not None and self.horizon < 1:
            raise ValueError(f"horizon must be at least 1 month, got {self.horizon}")
        if self.max_asks < 0:
            raise ValueError(f"max_asks must be 0 or more, got {self.max_asks}")

    def with_solve(self, **changes: Any) -> PlanOptions:
        """A copy with the solver options changed (``opts.with_solve(time_limit=9)``)."""
        return replace(self, solve=replace(self.solve, **changes))
