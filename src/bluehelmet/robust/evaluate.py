"""A fixed plan under a draw of disruptions: which requirement-months it leaves unmet.

Cheap and vectorised (no solver): the plan's tours are kept, those of withdrawn pledges removed
and delayed ones counted from their late arrival (:func:`~bluehelmet.robust.disruption.
credit_start`), exactly as the planner counts coverage: against what the force in place leaves
open, capped at it.
"""

from __future__ import annotations

import numpy as np

from bluehelmet.forcegen.data import PlanningData
from bluehelmet.forcegen.formulation import expand
from bluehelmet.robust.disruption import Draw, Rates, credit_start


def requirement_months(data: PlanningData) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What each requirement-month leaves open, its requirement, and each requirement's offset.

    The open need is the planner's (``data.need["open"]``): the units a requirement needs minus
    the units in place counted towards it that month (:func:`bluehelmet.forcegen.inplace.
    open_need`), so a fixed plan is judged against the same gaps the planner filled.
    """
    req = data.requirements
    first, last = req["first"].to_numpy(), req["last"].to_numpy()
    ridx, month = expand(first, last)
    offset = np.concatenate([[0], np.cumsum(np.clip(last - first + 1, 0, None))])[:-1]
    need = data.need
    if len(need) != len(ridx) or not (
        np.array_equal(need["req"].to_numpy(), ridx)
        and np.array_equal(need["month"].to_numpy(), month)
    ):
        raise ValueError("the planning data's open need is not one row per requirement-month")
    return need["open"].to_numpy().astype(float), ridx, offset


def unmet_by_requirement(data: PlanningData, units: np.ndarray, credit: np.ndarray) -> np.ndarray:
    """Unmet unit-months per requirement when tour ``k`` counts from month ``credit[k]``.

    ``credit[k] < 0`` removes the tour (withdrawn pledge).
    """
    need, ridx, offset = requirement_months(data)
    cand = data.candidates
    use = (units > 0) & (credit >= 0)
    end = np.minimum(cand["end"].to_numpy(), data.n_months - 1)
    k, t = expand(credit[use], end[use])
    tours = np.flatnonzero(use)[k]
    q = cand["req"].to_numpy()[tours]
    first = data.requirements["first"].to_numpy()
    cov = np.bincount(offset[q] + t - first[q], weights=units[tours], minlength=len(need))
    short = np.clip(need - cov, 0, None)
    return np.bincount(ridx, weights=short, minlength=len(data.requirements))


def no_disruption(r: Rates, n_pledges: int) -> Draw:
    """The draw in which nothing happens (the nominal world)."""
    return Draw(
        -1,
        np.zeros(n_pledges, bool),
        np.zeros(n_pledges, np.int64),
        np.zeros(len(r.missions), np.int64),
    )


def evaluate(data: PlanningData, units: np.ndarray, r: Rates, d: Draw) -> np.ndarray:
    """Unmet unit-months per requirement of the plan ``units`` under draw ``d``."""
    handover = int(data.params["handover_months"])
    return unmet_by_requirement(data, units, credit_start(data, r, d, handover))


def withdrawal_losses(data: PlanningData, units: np.ndarray, r: Rates) -> np.ndarray:
    """Weighted unmet requirement-months added by withdrawing each pledge alone (0 if unused)."""
    weight = data.requirements["weight"].to_numpy()
    base_draw = no_disruption(r, len(data.pledges))
    base = float(weight @ evaluate(data, units, r, base_draw))
    used = np.unique(data.candidates["pledge"].to_numpy()[units > 0])
    loss = np.zeros(len(data.pledges))
    for p in used:
        base_draw.withdrawn[p] = True
        loss[p] = float(weight @ evaluate(data, units, r, base_draw)) - base
        base_draw.withdrawn[p] = False
    return loss
