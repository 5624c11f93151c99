"""Smart-pledge groups: contributors whose pledges can rotate in succession to hold a requirement.

In the Vancouver (2017) sense a "smart pledge" is a coordinated pledge: several countries take
turns on one long requirement, each for a tour, so that the capability never lapses (the MINUSMA
C-130 "camp", where contributors rotated one transport aircraft in succession). For every
requirement that no single registered offer can hold alone, :func:`smart_pledge_groups` finds
such a succession among the offers of the unit type that may serve the mission.

Rules (each checkable from the plan's tables):

* The window to hold is the requirement's months left open by the force in place (first to last
  month with an open unit, within the horizon). A requirement is *long* when no single offer
  can count in every month of it with one tour.
* An offer may serve the mission (its caveats and language allow it, see
  :func:`bluehelmet.forcegen.data.pair_table`) and serves one tour: it starts no earlier than
  its earliest start, is present for its rotation months or until its offer ends, and counts
  from its start plus the hand-over months, as a tour of the plan does.
* The succession is built greedily, which gives the fewest members for interval covering: at
  the first month not yet held, among the offers of contributors not yet in the group that can
  count by then, take the one that holds longest (ties: the lower pledge id); its relief starts
  so that it counts from the month after. Where no offer can count in time, the group has a
  hole and continues with the offer that counts first after it.
* Groups of two or more contributors are listed, with every member's tour and whether the plan
  uses that pledge on this requirement; ``holds`` says whether the group holds every month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bluehelmet.forcegen.data import PlanningData


def _offers(d: PlanningData, ok: pd.DataFrame, first: int) -> pd.DataFrame:
    """Offers ``ok`` (one requirement's eligible pairs): start, counts-from, last month counted."""
    h = int(d.params["handover_months"])
    pl = d.pledges.iloc[ok["pledge"].to_numpy()]
    start = np.maximum(ok["earliest"].to_numpy(), np.maximum(first - h, 0))
    end = np.minimum(start + pl["rotation"].to_numpy() - 1, pl["until_month"].to_numpy())
    return (
        pd.DataFrame(
            {
                "pledge": ok["pledge"].to_numpy(),
                "pledge_id": pl["id"].to_numpy(),
                "contributor_id": pl["contributor_id"].to_numpy(),
                "earliest": ok["earliest"].to_numpy(),
                "rotation": pl["rotation"].to_numpy(),
                "until": pl["until_month"].to_numpy(),
                "start": start,
                "end": end,
            }
        )
        .sort_values("pledge_id")
        .reset_index(drop=True)
    )


def succession(offers: pd.DataFrame, first: int, last: int, handover: int) -> pd.DataFrame:
    """The greedy succession holding months ``first..last`` (see the module rules).

    ``offers`` has ``pledge_id, contributor_id, earliest, rotation, until``. Returns one row
    per member: ``pledge_id, contributor_id, start, counts_from, end`` (month indices).
    """
    members = []
    used: set[str] = set()
    cursor = first
    while cursor <= last:
        free = offers[~offers["contributor_id"].isin(used)]
        if free.empty:
            break
        # The latest start that still counts from the cursor, and no earlier than the offer.
        start = np.maximum(free["earliest"].to_numpy(), cursor - handover)
        counts = start + handover
        end = np.minimum(start + free["rotation"].to_numpy() - 1, free["until"].to_numpy())
        useful = end >= np.maximum(counts, cursor)
        if not useful.any():
            break
        in_time = useful & (counts <= cursor)
        pick = in_time if in_time.any() else useful & (counts == counts[useful].min())
        best = np.flatnonzero(pick)[np.argmax(end[pick])]  # ties: the lower pledge id
        row = free.iloc[best]
        members.append(
            {
                "pledge_id": row["pledge_id"],
                "contributor_id": row["contributor_id"],
                "start": int(start[best]),
                "counts_from": int(counts[best]),
                "end": int(min(end[best], last)),
            }
        )
        used.add(str(row["contributor_id"]))
        cursor = int(end[best]) + 1
    return pd.DataFrame(
        members, columns=["pledge_id", "contributor_id", "start", "counts_from", "end"]
    )


def smart_pledge_groups(
    d: PlanningData, pairs: pd.DataFrame, assignments: pd.DataFrame
) -> pd.DataFrame:
    """Groups of contributors that can hold each long requirement in succession.

    Parameters
    ----------
    d, pairs
        The planning data and the pledge x requirement pairs of the plan.
    assignments
        The plan's tours (``pledge_id, requirement_id``), to mark members the plan already uses.
    """
    h = int(d.params["handover_months"])
    need = d.need[d.need["open"] > 0]
    if need.empty:
        return pd.DataFrame()
    window = need.groupby("req")["month"].agg(["min", "max"])
    planned = set(
        zip(
            assignments["pledge_id"].astype(str),
            assignments["requirement_id"].astype(str),
            strict=True,
        )
    )
    # The eligible pairs, split by requirement once (not filtered again per requirement).
    eligible = pairs[pairs["mission_ok"] & pairs["region_ok"] & pairs["language_ok"]]
    by_req = eligible.groupby("req").indices
    none = np.zeros(0, dtype=np.int64)
    rows = []
    for req, first, last in zip(
        window.index.astype(int), window["min"].astype(int), window["max"].astype(int), strict=True
    ):
        offers = _offers(d, eligible.iloc[by_req.get(int(req), none)], int(first))
        if offers.empty:
            continue
        counts = offers["start"] + h
        if ((counts <= first) & (offers["end"] >= last)).any():
            continue  # one offer holds it alone: not a long requirement
        group = succession(offers, int(first), int(last), h)
        if len(group) < 2:
            continue
        held = np.zeros(int(last) - int(first) + 1, dtype=bool)
        members = group.to_dict("records")
        for m in members:
            held[max(m["counts_from"], first) - first : m["end"] - first + 1] = True
        r = d.requirements.iloc[int(req)].to_dict()
        for pos, m in enumerate(members, start=1):
            rows.append(
                {
                    "group_id": f"SP-{r['id']}",
                    "requirement_id": r["id"],
                    "mission_id": r["mission_id"],
                    "unit_type_id": r["unit_type_id"],
                    "window_from": d.months[int(first)],
                    "window_to": d.months[int(last)],
                    "position": pos,
                    "contributor_id": m["contributor_id"],
                    "pledge_id": m["pledge_id"],
                    "start": d.months[min(m["start"], d.n_months - 1)],
                    "counts_from": d.months[min(m["counts_from"], d.n_months - 1)],
                    "end": d.months[m["end"]],
                    "members": len(group),
                    "months_held": int(held.sum()),
                    "window_months": len(held),
                    "holds": bool(held.all()),
                    "in_plan": (str(m["pledge_id"]), str(r["id"])) in planned,
                }
            )
    return pd.DataFrame(rows)
