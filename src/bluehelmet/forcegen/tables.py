"""Turning a solved model into tables: the plan, coverage, gaps, costs and gender shares.

Each function takes the planning data and the units per candidate tour and returns one of the
output tables declared in ``outputs.csv`` (months as month-start timestamps);
:class:`~bluehelmet.forcegen.result.Plan` holds them.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from bluehelmet.forcegen.data import PlanningData, budget_periods, cost_months, tour_month_cost
from bluehelmet.forcegen.formulation import (
    ceiling_room,
    ceiling_terms,
    committed,
    credited,
    gender_target_table,
    present,
)
from bluehelmet.optimize.linear import LinearModel
from bluehelmet.statistics.money import ACCOUNTS, budget_period


def tour_values(model: LinearModel, x: np.ndarray) -> np.ndarray:
    """Units per candidate tour in solution ``x`` (rounded to whole units)."""
    return np.round(model.values(x, "Tour-start")).astype(int)


def chosen(d: PlanningData, y: np.ndarray) -> tuple[PlanningData, np.ndarray]:
    """The planning data restricted to the tours the plan uses, and their units.

    A table summed over tours gets nothing from a tour with no unit, so it is computed on these
    alone: the plan's few thousand tours, not the millions of candidates at 100,000 pledges.
    """
    used = np.flatnonzero(y > 0)
    sub = d.candidates.iloc[used].reset_index(drop=True)
    return dataclasses.replace(d, candidates=sub), y[used]


def assignments_table(d: PlanningData, y: np.ndarray) -> pd.DataFrame:
    """One row per chosen tour."""
    cand = d.candidates[y > 0]
    units = y[y > 0]
    pl = d.pledges.iloc[cand["pledge"].to_numpy()].reset_index(drop=True)
    rq = d.requirements.iloc[cand["req"].to_numpy()].reset_index(drop=True)
    months = d.months
    last = cand["end"].to_numpy()
    # Month starts from the planning start on (past the horizon too), once per month.
    month_starts = pd.date_range(months[0], periods=int(last.max(initial=-1)) + 1, freq="MS")
    ends = pd.DatetimeIndex(month_starts[last])
    return pd.DataFrame(
        {
            "pledge_id": pl["id"],
            "contributor_id": pl["contributor_id"],
            "unit_type_id": pl["unit_type_id"],
            "mission_id": rq["mission_id"],
            "requirement_id": rq["id"],
            "priority": rq["priority"],
            "units": units,
            "pcrs_level": pl["pcrs_level"],
            "start": months[cand["start"].to_numpy()],
            "counts_from": months[np.minimum(cand["credit_from"].to_numpy(), d.n_months - 1)],
            "end": ends,
            "beyond_horizon": last > d.n_months - 1,
            "rotation_months": pl["rotation"],
            "rotations": cand["rotations"].to_numpy(),
            "personnel": pl["personnel"] * units,
            "aircraft": d.unit_aircraft.reindex(pl["unit_type_id"]).fillna(0).to_numpy() * units,
            "women_share": pl["women_share"],
            "cost_usd": cand["cost"].to_numpy() * units,
        }
    )


def planned_per_need(d: PlanningData, y: np.ndarray) -> np.ndarray:
    """Units of planned tours counted towards each row of ``d.need`` (requirement x month)."""
    d, y = chosen(d, y)
    k, t = credited(d)
    got = (
        pd.DataFrame({"req": d.candidates["req"].to_numpy()[k], "month": t, "u": y[k]})
        .groupby(["req", "month"])["u"]
        .sum()
    )
    idx = pd.MultiIndex.from_arrays([d.need["req"].to_numpy(), d.need["month"].to_numpy()])
    return got.reindex(idx).fillna(0).to_numpy()


def coverage_table(d: PlanningData, y: np.ndarray) -> pd.DataFrame:
    """Mission x unit type x month: required, in place, planned, covered and short.

    In units and personnel (personnel at the catalogue's size per unit).
    """
    req = d.requirements
    rows = d.need.copy()
    rows["planned"] = np.minimum(planned_per_need(d, y), rows["open"])
    rows["covered"] = rows["in_place"] + rows["planned"]
    rows["mission_id"] = req["mission_id"].to_numpy()[rows["req"]]
    rows["unit_type_id"] = req["unit_type_id"].to_numpy()[rows["req"]]
    rows["critical"] = req["critical"].to_numpy()[rows["req"]]
    rows["weight"] = req["weight"].to_numpy()[rows["req"]]
    rows["weighted_short"] = (rows["required"] - rows["covered"]) * rows["weight"]
    out = rows.groupby(["mission_id", "unit_type_id", "month"], as_index=False).agg(
        critical=("critical", "max"),
        required=("required", "sum"),
        in_place=("in_place", "sum"),
        planned=("planned", "sum"),
        covered=("covered", "sum"),
        weighted_short=("weighted_short", "sum"),
    )
    out["short"] = out["required"] - out["covered"]
    size = d.unit_personnel.reindex(out["unit_type_id"]).to_numpy(dtype=float)
    out["required_personnel"] = out["required"] * size
    out["planned_personnel"] = out["planned"] * size
    out["short_personnel"] = out["short"] * size
    planes = d.unit_aircraft.reindex(out["unit_type_id"]).fillna(0).to_numpy(dtype=float)
    out["required_aircraft"] = out["required"] * planes
    out["in_place_aircraft"] = out["in_place"] * planes
    out["planned_aircraft"] = out["planned"] * planes
    out["short_aircraft"] = out["short"] * planes
    out["month"] = d.months[out["month"].to_numpy()]
    return out


def gaps_table(d: PlanningData, y: np.ndarray) -> pd.DataFrame:
    """Per requirement: unit-months required, in place and unmet, and when the gap starts."""
    req = d.requirements
    frame = d.need.assign(short=np.clip(d.need["open"] - planned_per_need(d, y), 0, None))
    first_short = frame[frame["short"] > 0].groupby("req")["month"].min()
    agg = frame.groupby("req").agg(
        required=("required", "sum"), in_place=("in_place", "sum"), unmet=("short", "sum")
    )
    size = d.unit_personnel.reindex(req["unit_type_id"]).to_numpy(dtype=float)
    out = pd.DataFrame(
        {
            "requirement_id": req["id"],
            "mission_id": req["mission_id"],
            "unit_type_id": req["unit_type_id"],
            "priority": req["priority"],
            "critical": req["critical"],
            "count": req["count"],
            "required_unit_months": agg["required"].reindex(req.index).fillna(0).to_numpy(),
            "in_place_unit_months": agg["in_place"].reindex(req.index).fillna(0).to_numpy(),
            "unmet_unit_months": agg["unmet"].reindex(req.index).fillna(0).to_numpy(),
        }
    )
    out["weighted_unmet"] = out["unmet_unit_months"] * req["weight"].to_numpy()
    out["unmet_person_months"] = out["unmet_unit_months"] * size
    fm = first_short.reindex(req.index)
    out["first_gap_month"] = [d.months[int(v)] if pd.notna(v) else pd.NaT for v in fm]
    return out


def force_in_place_table(d: PlanningData) -> pd.DataFrame:
    """Mission x unit type x month: units and personnel in place (whole months present)."""
    ip = d.in_place
    out = ip.groupby(["mission_id", "unit_type_id", "month"], as_index=False).agg(
        units=("units", "sum"),
        personnel=("personnel", "sum"),
        contributors=("contributor_id", lambda c: ";".join(sorted(set(c)))),
    )
    out["aircraft"] = out["units"] * d.unit_aircraft.reindex(out["unit_type_id"]).fillna(
        0
    ).to_numpy(dtype=float)
    out["month"] = d.months[out["month"].to_numpy(dtype=int)]
    return out[
        ["mission_id", "unit_type_id", "month", "units", "personnel", "aircraft", "contributors"]
    ]


def ceiling_excess_table(d: PlanningData) -> pd.DataFrame:
    """Mission x component x month where the force in place alone exceeds the Council ceiling."""
    room = ceiling_room(d)
    out = room[(room["kind"] == "numeric") & (room["in_place"] > room["ceiling"])].copy()
    out["excess"] = out["in_place"] - out["ceiling"]
    out["month"] = d.months[out["month"].to_numpy(dtype=int)]
    return out[["mission_id", "component", "month", "in_place", "ceiling", "excess"]].reset_index(
        drop=True
    )


def ceilings_table(d: PlanningData, y: np.ndarray) -> pd.DataFrame:
    """Mission x component x month with a ceiling row: personnel in place, planned, ceiling.

    A component whose resolution sets no number (``kind`` none: UNTSO, UNMOGIP, UNMIK) has a
    row with the personnel and an empty ceiling and headroom: "no ceiling", not 0.
    """
    room = ceiling_room(d)
    sub, y = chosen(d, y)
    terms = ceiling_terms(sub)
    planned = (
        terms.assign(planned=terms["persons"].to_numpy() * y[terms["k"].to_numpy()])
        .groupby(["mission_id", "component", "month"])["planned"]
        .sum()
    )
    out = room.merge(
        planned.reset_index(), on=["mission_id", "component", "month"], how="left"
    ).fillna({"planned": 0.0})
    out["headroom"] = out["ceiling"] - out["in_place"] - out["planned"]
    out["month"] = d.months[out["month"].to_numpy(dtype=int)]
    return out[
        ["mission_id", "component", "month", "kind", "ceiling", "in_place", "planned", "headroom"]
    ].sort_values(["mission_id", "component", "month"], ignore_index=True)


def costs_table(d: PlanningData, y: np.ndarray) -> pd.DataFrame:
    """Mission x fiscal year: planned cost, budget headroom and the share used.

    Tours committed past the horizon add their later months to their own fiscal years. A mission
    and budget period that some candidate tour reaches has a row (cost 0 when the plan has none
    there), as has every budget row of a period the plan's months fall in.
    """
    reached = reached_periods(d)
    d, y = chosen(d, y)
    k, t = committed(d)
    cost = tour_month_cost(d, k, t) * y[k]
    frame = pd.DataFrame(
        {
            "mission_id": d.requirements["mission_id"].to_numpy()[
                d.candidates["req"].to_numpy()[k]
            ],
            "fiscal_year": budget_periods(d, k, t),
            "cost_usd": cost,
        }
    )
    spent = pd.concat([frame, reached.assign(cost_usd=0.0)], ignore_index=True)
    spent = pd.DataFrame(
        spent.groupby(["mission_id", "fiscal_year"], as_index=False)["cost_usd"].sum()
    )
    budgets = d.budgets.assign(
        mission_id=d.budgets["mission_id"].astype(str),
        fiscal_year=d.budgets["fiscal_year"].astype(str),
    )
    budgets = pd.DataFrame(
        budgets.groupby(["mission_id", "fiscal_year"], as_index=False)["headroom_usd"].sum()
    )
    fys = {str(f) for account in ACCOUNTS for f in budget_period(account, cost_months(d))}
    budgets = budgets[budgets["fiscal_year"].isin(fys)]
    out = spent.merge(budgets, on=["mission_id", "fiscal_year"], how="outer")
    out["cost_usd"] = out["cost_usd"].fillna(0.0)
    out["used_share"] = out["cost_usd"] / out["headroom_usd"]
    # Whether a budget binds is decided on the model by the knapsack rule (no unused unit fits
    # in what is left; explain.binding_constraints), which plan() writes here.
    out["budget_binding"] = out["used_share"] > 1 - 1e-6
    accounts = pd.concat(
        [
            pd.Series(
                d.requirements["account"].to_numpy(str),
                index=d.requirements["mission_id"].to_numpy(str),
            ),
            pd.Series(
                d.budgets["account"].to_numpy(str), index=d.budgets["mission_id"].to_numpy(str)
            ),
        ]
    )
    accounts = accounts[~accounts.index.duplicated()]
    out["account"] = out["mission_id"].astype(str).map(accounts).fillna("peacekeeping")
    return out.sort_values(["mission_id", "fiscal_year"]).reset_index(drop=True)


def reached_periods(d: PlanningData) -> pd.DataFrame:
    """Every (mission, budget period) some candidate tour is committed in.

    A tour committed from month ``s`` to ``e`` reaches every period from that of ``s`` to that
    of ``e`` (periods are runs of consecutive months), so the distinct (requirement, first
    period, last period) triples give the answer without listing the tours' months.
    """
    cand, req = d.candidates, d.requirements
    months = cost_months(d)
    labels = {a: np.asarray(budget_period(a, months), dtype=str) for a in ACCOUNTS}
    parts = []
    r = cand["req"].to_numpy()
    regular = (req["account"].to_numpy(str) == "regular_budget")[r]
    for account, mask in (("regular_budget", regular), ("peacekeeping", ~regular)):
        if not mask.any():
            continue
        codes, names = pd.factorize(labels[account])
        width = max(len(names), 1)
        key = (r[mask].astype(np.int64) * width + codes[cand["start"].to_numpy()[mask]]) * width
        key = pd.unique(key + codes[cand["end"].to_numpy()[mask]])
        first, last = (key // width) % width, key % width
        n = last - first + 1
        i = np.repeat(np.arange(len(key)), n)
        code = first[i] + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
        parts.append(
            pd.DataFrame(
                {
                    "mission_id": req["mission_id"].to_numpy()[key[i] // (width * width)],
                    "fiscal_year": np.asarray(names)[code],
                }
            )
        )
    if not parts:
        return pd.DataFrame({"mission_id": [], "fiscal_year": []})
    return pd.concat(parts, ignore_index=True).drop_duplicates(ignore_index=True)


def gender_table(d: PlanningData, y: np.ndarray) -> pd.DataFrame:
    """Category x year: women's share of the planned personnel-months against the target."""
    d, y = chosen(d, y)
    k, t = present(d)
    p = d.candidates["pledge"].to_numpy()[k]
    persons = d.pledges["personnel"].to_numpy()[p] * y[k]
    frame = pd.DataFrame(
        {
            "category": d.pledges["category"].to_numpy(str)[p],
            "year": d.months.year.to_numpy()[t],
            "person_months": persons,
            "women_months": persons * d.pledges["women_share"].to_numpy()[p],
        }
    )
    frame = frame[frame["person_months"] > 0]
    out = frame.groupby(["category", "year"], as_index=False)[
        ["person_months", "women_months"]
    ].sum()
    out = out.merge(gender_target_table(d, out), on=["category", "year"], how="left")
    out["women_share"] = out["women_months"] / out["person_months"].where(out["person_months"] > 0)
    out["shortfall_person_months"] = np.clip(
        out["target_share"] * out["person_months"] - out["women_months"], 0, None
    )
    out["meets_target"] = out["women_share"] >= out["target_share"] - 1e-9
    return out.rename(columns={"category": "personnel_category"})
