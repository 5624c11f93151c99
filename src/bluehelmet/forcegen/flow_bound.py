"""A lower bound on the coverage stage that is cheap at any size: a month-by-month flow relaxation.

At 100,000 pledges the planner's model has millions of tour columns; its LP relaxation (even by
sifting, :mod:`~bluehelmet.forcegen.sifting`) may not finish within a time limit, and then the
plan would have no bound at all. :func:`flow_bound` solves a much smaller LP, built from the
planning data before (or instead of) the model, whose optimum is a **valid lower bound on the
first stage** (weighted unmet requirement-months) of the full model.

Math
----
For a pledge ``p``, a requirement ``r`` of its unit type and a month ``t``, let
``f_{p,r,t} = Σ_{k: p(k)=p, r(k)=r, s_k+h ≤ t ≤ e_k} y_k`` be the units of ``p`` the plan counts
towards ``r`` in ``t`` (``y`` any feasible plan of the full model). Then:

* ``Σ_p f_{p,r,t} + u_{r,t} ≥ o_{r,t}`` and ``0 ≤ u_{r,t} ≤ o_{r,t}`` (``Requirement-cover``
  and the shortfall's bounds, unchanged);
* ``Σ_r f_{p,r,t} ≤ n_p`` (``Pledge-capacity``: a tour counted in ``t`` is present in ``t``);
* ``f_{p,r,t} = 0`` unless some tour of ``(p, r)`` with an upper bound above 0 counts in ``t``
  (here: ``t`` between the first month any tour of the pair counts and the last, a superset);
* for a mission ``m`` and budget period ``φ`` with a budget row:
  ``Σ_{t ∈ φ} Σ_{p, r ∈ m} c_{p,t} f_{p,r,t} ≤ H_{m,φ}``, with ``c_{p,t}`` the monthly cost of
  one unit (``Budget-fiscal-year`` charges every month a tour is committed to at least that,
  plus emplacement and repatriation, all non-negative, and counted months are committed months);
* for a mission, Council ceiling component and month with a numeric ceiling:
  ``Σ_{p in the component, r ∈ m} P_p f_{p,r,t} ≤ max(0, K − Q)`` (``Council-ceiling``: counted
  months are present months).

Every feasible plan of the full model gives, through ``f``, a feasible point of this LP with the
same objective ``Σ ω_r u_{r,t}``; so the LP's optimum is at most the full model's (the LP is a
relaxation; rows it leaves out, e.g. lift, diversity and contributor limits, only make it weaker).
Pledges of one unit type whose set of reachable requirements in month ``t`` is the same are
interchangeable in it and are merged into one *class* of capacity ``Σ n_p`` (with the least monthly
cost and personnel among them, which keeps the budget and ceiling rows relaxations): the classes'
LP is a relaxation of the pledges' LP (sum the flows of a class), so its optimum is a valid bound
too, and it has thousands of columns where the model has millions.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

from bluehelmet.forcegen.data import PlanningData, pledge_month_cost
from bluehelmet.forcegen.formulation import COST_SCALE, ceiling_room
from bluehelmet.forcegen.inplace import by_ceiling_component
from bluehelmet.highs import new_highs
from bluehelmet.statistics.money import budget_period

#: Relative margin taken off the LP's optimum (HiGHS's feasibility tolerances are 1e-7).
SAFETY = 1e-6


@dataclass(frozen=True)
class FlowBound:
    """Result of :func:`flow_bound`: the bound (``None`` if the LP was not solved) and its size."""

    bound: float | None
    classes: int
    columns: int
    rows: int
    seconds: float


def pair_months(d: PlanningData) -> pd.DataFrame:
    """Per pledge-requirement pair: first and last month (within the horizon) a tour counts.

    Only tours with an upper bound above 0 count (``max_units``).
    """
    c = d.candidates
    ub = c["max_units"].to_numpy() if "max_units" in c else np.ones(len(c))
    keep = ub > 0
    pledge = c["pledge"].to_numpy()[keep].astype(np.int64)
    req = c["req"].to_numpy()[keep].astype(np.int64)
    lo = c["credit_from"].to_numpy()[keep].astype(np.int64)
    hi = np.minimum(c["end"].to_numpy()[keep], d.n_months - 1).astype(np.int64)
    key = pledge * max(len(d.requirements), 1) + req
    pairs, first = np.unique(key, return_index=True)
    inverse = np.searchsorted(pairs, key)
    out_lo = np.full(len(pairs), np.iinfo(np.int64).max)
    out_hi = np.full(len(pairs), -1, dtype=np.int64)
    np.minimum.at(out_lo, inverse, lo)
    np.maximum.at(out_hi, inverse, hi)
    ok = out_lo <= out_hi
    return pd.DataFrame(
        {"pledge": pledge[first][ok], "req": req[first][ok], "lo": out_lo[ok], "hi": out_hi[ok]}
    )


def _classes(d: PlanningData, pm: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Merge pledges with the same unit type, month and reachable requirements into classes.

    Returns ``classes`` (``month, capacity, cost, persons, category``) and ``edges``
    (``cls, req``: the requirements each class reaches).
    """
    if len(pm) == 0:
        empty = pd.DataFrame(
            {
                "month": np.zeros(0, np.int64),
                "capacity": np.zeros(0),
                "cost": np.zeros(0),
                "persons": np.zeros(0),
                "category": np.zeros(0, dtype=str),
            }
        )
        return empty, pd.DataFrame({"cls": np.zeros(0, np.int64), "req": np.zeros(0, np.int64)})
    n = (pm["hi"] - pm["lo"] + 1).to_numpy()
    i = np.repeat(np.arange(len(pm)), n)
    month = pm["lo"].to_numpy()[i] + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    pledge = pm["pledge"].to_numpy()[i]
    req = pm["req"].to_numpy()[i]
    # Each requirement's position among those of its unit type: the reachable set of a
    # pledge-month is a bit set over those positions (one 64-bit word per 64 requirements).
    rtype = pd.factorize(d.requirements["unit_type_id"].astype(str))[0]
    local = pd.Series(np.arange(len(rtype))).groupby(rtype).cumcount().to_numpy()
    words = int(local.max(initial=0)) // 64 + 1
    order = np.lexsort((req, month, pledge))
    pledge, month, req = pledge[order], month[order], req[order]
    start = np.flatnonzero(np.r_[True, (pledge[1:] != pledge[:-1]) | (month[1:] != month[:-1])])
    bits = np.left_shift(np.uint64(1), (local[req] % 64).astype(np.uint64))
    key = np.empty((len(start), words + 2), dtype=np.uint64)
    key[:, 0] = rtype[req[start]].astype(np.uint64)
    key[:, 1] = month[start].astype(np.uint64)
    for w in range(words):
        part = np.where(local[req] // 64 == w, bits, np.uint64(0))
        key[:, 2 + w] = np.bitwise_or.reduceat(part, start)
    _, cls, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    group_pledge = pledge[start]
    group_month = month[start]
    cost = pledge_month_cost(d.pledges, d.rate, float(d.params["msa_usd_per_person_month"]))
    count = d.pledges["count"].to_numpy(dtype=float)
    persons = d.pledges["personnel"].to_numpy(dtype=float)
    n_cls = len(cls)
    capacity = np.bincount(inverse, weights=count[group_pledge], minlength=n_cls)
    least_cost = np.full(n_cls, np.inf)
    np.minimum.at(least_cost, inverse, cost[group_pledge, group_month])
    least_persons = np.full(n_cls, np.inf)
    np.minimum.at(least_persons, inverse, persons[group_pledge])
    rep = start[cls]  # the first pledge-month of each class: its entries are the class's edges
    stop = np.r_[start[1:], len(pledge)]
    m = stop[cls] - rep
    edge_cls = np.repeat(np.arange(n_cls), m)
    edge_at = rep[edge_cls] + (np.arange(m.sum()) - np.repeat(np.cumsum(m) - m, m))
    classes = pd.DataFrame(
        {
            "month": group_month[cls],
            "capacity": capacity,
            "cost": least_cost,
            "persons": least_persons,
            "category": d.pledges["category"].to_numpy(str)[group_pledge[cls]],
        }
    )
    return classes, pd.DataFrame({"cls": edge_cls, "req": req[edge_at]})


def flow_bound(d: PlanningData, time_limit: float | None = None) -> FlowBound:
    """Solve the month-by-month flow relaxation (module docstring) and return its bound.

    ``bound`` is ``None`` when the LP is not solved to optimality within ``time_limit``.
    """
    t0 = time.perf_counter()
    need = d.need
    req = d.requirements
    n_need = len(need)
    weight = req["weight"].to_numpy(dtype=float)[need["req"].to_numpy()]
    open_units = need["open"].to_numpy(dtype=float)
    classes, edges = _classes(d, pair_months(d))
    n_cls, n_edge = len(classes), len(edges)
    # Columns: one flow per edge (class -> requirement in the class's month), then the shortfalls.
    emonth = classes["month"].to_numpy()[edges["cls"].to_numpy()]
    ereq = edges["req"].to_numpy()
    need_row = pd.MultiIndex.from_arrays([need["req"].to_numpy(), need["month"].to_numpy()])
    cover = need_row.get_indexer(pd.MultiIndex.from_arrays([ereq, emonth]))
    edge_ok = cover >= 0  # a class may reach a requirement in a month it needs nothing
    blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    row_hi: list[np.ndarray] = []
    row_lo: list[np.ndarray] = []
    cols = np.arange(n_edge)
    # Requirement-cover rows: flows + shortfall >= open.
    blocks.append((cover[edge_ok], cols[edge_ok], np.ones(int(edge_ok.sum()))))
    blocks.append((np.arange(n_need), n_edge + np.arange(n_need), np.ones(n_need)))
    row_lo.append(open_units)
    row_hi.append(np.full(n_need, np.inf))
    n_rows = n_need
    # Class capacity.
    blocks.append((n_rows + edges["cls"].to_numpy(), cols, np.ones(n_edge)))
    row_lo.append(np.full(n_cls, -np.inf))
    row_hi.append(classes["capacity"].to_numpy(dtype=float))
    n_rows += n_cls
    mission = req["mission_id"].to_numpy(str)[ereq]
    # Budgets: the least monthly cost of a class's units, per mission and budget period.
    if len(d.budgets):
        account = req["account"].to_numpy(str)[ereq]
        months = pd.date_range(d.months[0], periods=d.n_months, freq="MS")
        period = np.where(
            account == "regular_budget",
            np.asarray(budget_period("regular_budget", months), dtype=str)[emonth],
            np.asarray(budget_period("peacekeeping", months), dtype=str)[emonth],
        )
        heads = (
            d.budgets.assign(
                mission_id=d.budgets["mission_id"].astype(str),
                fiscal_year=d.budgets["fiscal_year"].astype(str),
            )
            .groupby(["mission_id", "fiscal_year"])["headroom_usd"]
            .sum()
        )
        at = heads.index.get_indexer(pd.MultiIndex.from_arrays([mission, period]))
        inb = at >= 0
        used, row = np.unique(at[inb], return_inverse=True)
        blocks.append(
            (
                n_rows + row,
                cols[inb],
                classes["cost"].to_numpy()[edges["cls"].to_numpy()[inb]] / COST_SCALE,
            )
        )
        row_lo.append(np.full(len(used), -np.inf))
        row_hi.append(heads.to_numpy(dtype=float)[used] / COST_SCALE)
        n_rows += len(used)
    # Council ceilings: the least personnel of a class's units, per mission, component, month.
    if len(d.ceilings) and (d.ceilings["kind"] == "numeric").any():
        room = ceiling_room(d)
        room = room[room["kind"] == "numeric"]
        rooms = room.set_index(["mission_id", "component", "month"])["room"]
        of_edge, component = by_ceiling_component(
            classes["category"].to_numpy(str)[edges["cls"].to_numpy()]
        )
        at = rooms.index.get_indexer(
            pd.MultiIndex.from_arrays([mission[of_edge], component, emonth[of_edge]])
        )
        inc = at >= 0
        used, row = np.unique(at[inc], return_inverse=True)
        blocks.append(
            (
                n_rows + row,
                of_edge[inc],
                classes["persons"].to_numpy()[edges["cls"].to_numpy()[of_edge[inc]]],
            )
        )
        row_lo.append(np.full(len(used), -np.inf))
        row_hi.append(rooms.to_numpy(dtype=float)[used])
        n_rows += len(used)
    n_cols = n_edge + n_need
    r = np.concatenate([b[0] for b in blocks])
    c = np.concatenate([b[1] for b in blocks])
    v = np.concatenate([b[2] for b in blocks])
    a = sp.csc_matrix((v, (r, c)), shape=(n_rows, n_cols))
    h = new_highs()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_cols, n_rows
    lp.col_cost_ = np.concatenate([np.zeros(n_edge), weight])
    lp.col_lower_ = np.zeros(n_cols)
    lp.col_upper_ = np.concatenate([np.full(n_edge, np.inf), open_units])
    lp.row_lower_ = np.concatenate(row_lo)
    lp.row_upper_ = np.concatenate(row_hi)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n_cols, n_rows
    h.passModel(lp)
    if time_limit is not None:
        h.setOptionValue("time_limit", max(0.01, float(time_limit)))
    h.run()
    bound = None
    if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
        value = float(h.getInfo().objective_function_value)
        bound = max(0.0, value - SAFETY * max(1.0, abs(value)))
    return FlowBound(bound, n_cls, n_cols, n_rows, time.perf_counter() - t0)
