"""The force generation model: an ordered list of ``define_*`` functions.

Reading :data:`FORMULATION` top to bottom is reading the model. Each function adds one family of
variables or constraints with a stable name, and its docstring's *Math* section is the
documentation (``tools/gen_forcegen_math.py`` copies it into ``docs/force-generation.md``).

Notation: ``k`` a candidate tour (pledge ``p(k)``, requirement ``r(k)``, start ``s_k``, last month
``e_k``, counted as coverage from ``s_k + h``); ``t`` a month; ``h`` the hand-over months.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np
import pandas as pd

from bluehelmet.forcegen.data import PlanningData, tour_period_costs, tour_year_months
from bluehelmet.forcegen.inplace import by_ceiling_component
from bluehelmet.optimize.linear import INF, LinearModel

#: Objective stages, in lexicographic order (the last only breaks ties, see define_tiebreak).
STAGES = ("unmet", "cost", "gender", "tiebreak")
#: Costs enter the model in millions of USD to keep the coefficients well scaled.
COST_SCALE = 1e6


def expand(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For intervals ``start..end`` (inclusive) return (interval index, month) for every month."""
    n = np.clip(end - start + 1, 0, None)
    idx = np.repeat(np.arange(len(start)), n)
    month = start[idx] + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    return idx, month


def present(d: PlanningData) -> tuple[np.ndarray, np.ndarray]:
    """(candidate tour, month) for every month a tour's units are in the mission area."""
    c = d.candidates
    return expand(c["start"].to_numpy(), np.minimum(c["end"].to_numpy(), d.n_months - 1))


def committed(d: PlanningData) -> tuple[np.ndarray, np.ndarray]:
    """(candidate tour, month) for every month a tour is committed to, also past the horizon."""
    c = d.candidates
    return expand(c["start"].to_numpy(), c["end"].to_numpy())


def credited(d: PlanningData) -> tuple[np.ndarray, np.ndarray]:
    """(candidate tour, month) for every month a tour counts towards its requirement."""
    c = d.candidates
    return expand(c["credit_from"].to_numpy(), np.minimum(c["end"].to_numpy(), d.n_months - 1))


def define_tours(m: LinearModel, d: PlanningData) -> None:
    """Tour starts ``Tour-start``.

    Math
    ----
    y_k ∈ {0, 1, …, n_p(k)}: number of units of pledge p(k) starting a tour on requirement r(k)
    in month s_k (within the horizon), present until e_k = min(s_k + j_k L_p − 1, last month of
    r, last month offered) for j_k = 1, 2, … rotations (j_k − 1 self-rotations: the contributor
    relieves its own unit in place, one deployment and one repatriation, hand-over months only
    at s_k; j_k only up to the first that reaches the last month of r planned). e_k may lie past
    the horizon: such a tour is a commitment
    (``beyond_horizon``), costed in full, counted as coverage and in the monthly rows (capacity,
    lift, ceilings, diversity, gender) only within the horizon (regional organisations' bridging
    forces may also leave earlier). Only tours that
    satisfy every caveat (excluded missions and regions, language), readiness
    (s_k ≥ max(available_from, planning start) + PCRS lead time + transit + loading, or, where
    the pledge says when it reached its PCRS level, s_k ≥ max(level_since + lead time,
    available_from) + transit + loading) and unit-type match exist as
    variables. y_k ≤ min(n_p, max_{t: s_k+h ≤ t ≤ e_k} o_{r,t}) (see ``Requirement-cover``): a
    unit beyond the most its requirement leaves open fills nothing and costs money, so no
    optimum of the first two stages uses it (a tour over months the force in place covers gets
    0).
    """
    c = d.candidates
    ub = (
        c["max_units"].to_numpy()
        if "max_units" in c
        else d.pledges["count"].to_numpy()[c["pledge"].to_numpy()]
    )
    m.add_variables("Tour-start", c[["pledge", "req", "start", "end"]], 0.0, ub, integer=True)


def define_requirement_cover(m: LinearModel, d: PlanningData) -> None:
    """Coverage of what the force in place leaves open ``Requirement-cover``.

    Math
    ----
    For every requirement r and month t it is active:
    Σ_{k: r(k)=r, s_k+h ≤ t ≤ e_k} y_k + u_{r,t} ≥ o_{r,t}, with shortfall
    u_{r,t} ∈ {0, 1, …, o_{r,t}}. o_{r,t} = n_r − I_{r,t} is what the force in place leaves
    open: n_r the units the mission needs in total, I_{r,t} the units in place of its mission
    and unit type counted towards r in month t (present the whole month; shared between
    requirements of one mission and unit type in priority order, each up to n_r; see
    :mod:`bluehelmet.forcegen.inplace`). A unit in place that leaves opens the gap from its
    first month not present.
    u is integral at every optimum anyway (o_{r,t} and y are); declaring it integer lets the solver
    round its bound up to the next attainable value when the priority weights are whole numbers.
    A unit counts from the end of its hand-over (induction) months, so a relief that arrives h
    months before its predecessor leaves keeps the capability without a lapse.
    """
    req = d.requirements
    ridx, month = d.need["req"].to_numpy(), d.need["month"].to_numpy()
    labels = pd.DataFrame({"req": ridx, "month": month})
    count = d.need["open"].to_numpy().astype(float)
    m.add_variables("Shortfall", labels, 0.0, count, integer=True)
    k, t = credited(d)
    counted = m.terms("Tour-start", k, req=d.candidates["req"].to_numpy()[k], month=t)
    shortfall = m.terms("Shortfall")
    m.add_constraint(
        "Requirement-cover", (counted + shortfall).sum(by=["req", "month"], over=labels) >= count
    )
    m.set_objective("unmet", "Shortfall", req["weight"].to_numpy()[ridx])


def define_pledge_capacity(m: LinearModel, d: PlanningData) -> None:
    """No unit in two places ``Pledge-capacity``.

    Math
    ----
    For every pledge p and month t: Σ_{k: p(k)=p, s_k ≤ t ≤ e_k} y_k ≤ n_p.
    """
    k, t = present(d)
    present_units = m.terms("Tour-start", k, pledge=d.candidates["pledge"].to_numpy()[k], month=t)
    capacity = d.pledges["count"].reset_index(drop=True).rename_axis("pledge")
    m.add_constraint("Pledge-capacity", present_units.sum(by=["pledge", "month"]) <= capacity)


def define_contributor_limit(m: LinearModel, d: PlanningData) -> None:
    """Contributor caveat ``Contributor-max-units``.

    Math
    ----
    For every contributor c with a limit U_c and month t: Σ_{k: c(p(k))=c, s_k ≤ t ≤ e_k} y_k ≤ U_c.
    """
    limits = d.max_units
    if not limits:
        return
    k, t = present(d)
    # Contributors as codes (a categorical label): tens of millions of tour-months at scale.
    of_pledge, contributors = pd.factorize(d.pledges["contributor_id"].to_numpy())
    contrib = of_pledge[d.candidates["pledge"].to_numpy()[k]]
    limited = np.isin(np.asarray(contributors), list(limits))[contrib]
    present_units = m.terms(
        "Tour-start",
        k[limited],
        contributor_id=pd.Categorical.from_codes(contrib[limited], pd.Index(contributors)),
        month=t[limited],
    )
    cap = pd.Series(limits, dtype=float).rename_axis("contributor_id")
    m.add_constraint(
        "Contributor-max-units", present_units.sum(by=["contributor_id", "month"]) <= cap
    )


def define_mission_diversity(m: LinearModel, d: PlanningData) -> None:
    """Diversity ``Mission-contributor-share``.

    Math
    ----
    For every mission m, contributor c and month t:
    Σ_{k: mission(r(k))=m, c(p(k))=c, s_k+h ≤ t ≤ e_k} y_k ≤ max(1, ⌈σ · N_{m,t}⌉),
    where σ = max_contributor_share and N_{m,t} the units mission m's requirements leave open in
    month t after the force in place (the units the plan is asked for). The cap is
    taken on the requirement (a constant), not on the units deployed, so that it stays linear and a
    mission needing one unit can still receive it. Rows that could never bind are not generated.
    """
    share = float(d.params["max_contributor_share"])
    if share >= 1.0:
        return
    # Missions and contributors as integer codes: tens of millions of tour-months at 100,000
    # pledges are grouped by arithmetic on the codes, and labelled by categoricals (no text).
    mission_of_req, missions = pd.factorize(d.requirements["mission_id"].to_numpy())
    contrib_of_pledge, contributors = pd.factorize(d.pledges["contributor_id"].to_numpy())
    n_t = d.n_months
    ridx, month = d.need["req"].to_numpy(), d.need["month"].to_numpy()
    mission_month = mission_of_req[ridx] * n_t + month
    need = np.bincount(mission_month, d.need["open"].to_numpy(float), len(missions) * n_t)
    asked = np.bincount(mission_month, minlength=len(missions) * n_t) > 0
    cap_of = np.where(asked, np.maximum(1.0, np.ceil(share * need)), np.nan)
    k, t = credited(d)
    cand = d.candidates
    p = cand["pledge"].to_numpy()[k]
    mission = mission_of_req[cand["req"].to_numpy()[k]]
    contributor = contrib_of_pledge[p]
    cap = cap_of[mission * n_t + t]
    # Only rows whose members could together exceed the cap can bind.
    key = (mission.astype(np.int64) * len(contributors) + contributor) * n_t + t
    groups, _ = pd.factorize(key)
    possible = np.bincount(groups, d.pledges["count"].to_numpy(float)[p])
    keep = possible[groups] > cap
    counted = m.terms(
        "Tour-start",
        k,
        mission_id=pd.Categorical.from_codes(mission, pd.Index(missions)),
        contributor_id=pd.Categorical.from_codes(contributor, pd.Index(contributors)),
        month=t,
    )
    per_row = counted.where(keep).sum(by=["mission_id", "contributor_id", "month"])
    row_cap = np.empty(len(per_row.keys))
    row_cap[per_row.rows] = cap[keep]  # one cap per mission and month: equal within a row
    m.add_constraint("Mission-contributor-share", per_row <= row_cap)


def define_council_ceiling(m: LinearModel, d: PlanningData) -> None:
    """Security Council ceilings ``Council-ceiling``.

    Math
    ----
    For every mission m, component c (military: troops, staff officers and observers; police:
    formed and individual police; and, where the resolution sets them, the police sub-ceilings
    formed_police and individual_police) and month t with a numeric ceiling K_{m,c,t} (the
    lowest of the ceilings in force on any day of t; none where the resolution sets no number):
    Σ_{k: mission(r(k))=m, c ∈ C(p(k)), s_k ≤ t ≤ e_k} P_p y_k ≤ max(0, K_{m,c,t} − Q_{m,c,t}),
    with C(p) the components pledge p counts against (a formed police unit: police and
    formed_police),
    P_p the personnel of one unit of pledge p and Q_{m,c,t} the personnel of the units in
    place (present the whole month). Where the force in place alone exceeds the ceilings
    (Q > K) no tour may add personnel and the excess is reported (``ceiling_excess``), not made
    infeasible. Rows no tour can enter are not generated, nor rows that cannot bind: those where
    every pledge with a tour present, at its full count, stays within the room
    (Σ_{p present} P_p n_p ≤ K − Q).
    """
    if len(d.ceilings) == 0 or not (d.ceilings["kind"] == "numeric").any():
        return
    frame = ceiling_terms(d)
    pl = d.pledges
    room = ceiling_room(d)
    room = room[room["kind"] == "numeric"]
    keys = ["mission_id", "component", "month"]
    frame = frame.merge(room, on=keys, how="inner")
    # Rows that cannot bind: every pledge present at its full count stays within the room.
    most = frame.drop_duplicates([*keys, "pledge"]).assign(
        most=lambda f: f["persons"] * pl["count"].to_numpy()[f["pledge"].to_numpy()]
    )
    can_bind = most.groupby(keys)["most"].sum() > most.groupby(keys)["room"].first()
    frame = frame[can_bind.reindex(pd.MultiIndex.from_frame(frame[keys])).to_numpy()]
    if len(frame) == 0:
        return
    persons = m.terms(
        "Tour-start",
        frame["k"].to_numpy(),
        frame["persons"].to_numpy(),
        mission_id=frame["mission_id"].to_numpy(),
        component=frame["component"].to_numpy(),
        month=frame["month"].to_numpy(),
    )
    per_row = persons.sum(by=["mission_id", "component", "month"])
    limit = frame.groupby(per_row.rows)["room"].first().to_numpy()
    m.add_constraint("Council-ceiling", per_row <= limit)


def ceiling_terms(d: PlanningData) -> pd.DataFrame:
    """(tour, month present, ceiling component) with the tour's mission, pledge and personnel.

    A tour of a formed police unit appears twice per month: under ``police`` and under
    ``formed_police`` (:data:`~bluehelmet.forcegen.inplace.CEILING_COMPONENTS`).
    """
    k, t = present(d)
    cand, req, pl = d.candidates, d.requirements, d.pledges
    p = cand["pledge"].to_numpy()[k]
    # Components per pledge (few), then each (tour, month) once per component of its pledge.
    of_pledge, comps = by_ceiling_component(pl["category"].to_numpy(str))
    count = np.bincount(of_pledge, minlength=len(pl))
    first = np.cumsum(count) - count
    n = count[p]
    i = np.repeat(np.arange(len(p)), n)
    component = comps[first[p[i]] + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))]
    return pd.DataFrame(
        {
            "mission_id": req["mission_id"].to_numpy()[cand["req"].to_numpy()[k[i]]],
            "component": component,
            "month": t[i],
            "k": k[i],
            "pledge": p[i],
            "persons": pl["personnel"].to_numpy()[p[i]],
        }
    )


def ceiling_room(d: PlanningData) -> pd.DataFrame:
    """Per mission, component and month with a ceiling row: ceiling, personnel in place, room.

    ``kind`` none (the resolution sets no number): ``ceiling`` and ``room`` are empty.
    """
    keys = ["mission_id", "component", "month"]
    if len(d.in_place):
        ip = d.in_place
        i, component = by_ceiling_component(ip["category"].to_numpy(str))
        ip = ip.iloc[i].assign(component=component)
        there = pd.DataFrame(ip.groupby(keys, as_index=False)["personnel"].sum())
        there = there.rename(columns={"personnel": "in_place"})
    else:
        there = pd.DataFrame(
            {
                "mission_id": pd.Series(dtype=object),
                "component": pd.Series(dtype=object),
                "month": pd.Series(dtype="int64"),
                "in_place": pd.Series(dtype=float),
            }
        )
    out = d.ceilings.merge(there, on=keys, how="left").fillna({"in_place": 0.0})
    out["room"] = np.clip(out["ceiling"] - out["in_place"], 0.0, None)
    return out


def define_budget(m: LinearModel, d: PlanningData) -> None:
    """Money ``Budget-fiscal-year``.

    Math
    ----
    For every mission m and budget period f with a budget row:
    Σ_k (Σ_{t ∈ f, s_k ≤ t ≤ e_k} c_{k,t}) · y_k ≤ H_{m,f}, with c_{k,t} = P_p · ρ_{g,t} + E_u + A_u
    + D_u · ([t = s_k] + [t = e_k]) for a new deployment (D_u = 0 for self-rotation):
    P personnel, ρ_{g,t} the rate of personnel category g in month t (troop cost reimbursement in
    force, or mission subsistence allowance for individual officers), E the equipment (wet lease),
    A the letter of assist (fixed fleet cost + flying hours × rate per hour) per month, D the
    one-way emplacement or repatriation cost, H the budget headroom. f is the peacekeeping fiscal
    year (July-June), or the regular budget's period for regular-budget missions. The months of a
    tour past the horizon count in their own period (a commitment). Missions without a budget
    row for a period are not limited (and reported as such).
    """
    cand, req = d.candidates, d.requirements
    # Per tour and budget period, without listing the tours' months (tour_period_costs).
    k, period, cost = tour_period_costs(d)
    budgets = d.budgets.assign(
        mission_id=d.budgets["mission_id"].astype(str),
        fiscal_year=d.budgets["fiscal_year"].astype(str),
    )
    budgets = pd.DataFrame(
        budgets.groupby(["mission_id", "fiscal_year"], as_index=False)["headroom_usd"].sum()
    )
    # Each piece's budget row, found through integer codes (millions of pieces at scale): the
    # rows are the budget rows some tour enters, in the budget table's (sorted) order.
    mission_of_req, missions = pd.factorize(req["mission_id"].to_numpy())
    period_code, periods = pd.factorize(period)
    at = np.full((len(missions), len(periods)), -1, dtype=np.int64)
    mi = pd.Index(missions).get_indexer(budgets["mission_id"])
    pi = pd.Index(periods).get_indexer(budgets["fiscal_year"])
    known = (mi >= 0) & (pi >= 0)
    at[mi[known], pi[known]] = np.flatnonzero(known)
    pos = at[mission_of_req[cand["req"].to_numpy()[k]], period_code]
    keep = pos >= 0
    used, row = np.unique(pos[keep], return_inverse=True)
    tours = m.var_families["Tour-start"]
    m.add_constraints(
        "Budget-fiscal-year",
        budgets.loc[used, ["mission_id", "fiscal_year"]],
        row,
        tours.start + k[keep],
        cost[keep] / COST_SCALE,
        -INF,
        budgets["headroom_usd"].to_numpy()[used] / COST_SCALE,
    )


def define_strategic_lift(m: LinearModel, d: PlanningData) -> None:
    """Strategic lift ``Lift-moves``.

    Math
    ----
    For every month t of the horizon: Σ_{k: s_k = t} M_u y_k + Σ_{k: e_k + 1 = t} M_u y_k ≤ Λ,
    where M_u is the lift moves one unit needs (deployment and repatriation each) and
    Λ = lift_moves_per_month. A repatriation after the last month planned (e_k + 1 beyond the
    horizon, which includes every tour cut at the horizon) is not counted.
    """
    cand = d.candidates
    moves = d.pledges["lift_moves"].to_numpy()[cand["pledge"].to_numpy()]
    back = cand["end"].to_numpy() + 1
    home = back < d.n_months
    out = m.terms("Tour-start", None, moves, month=cand["start"].to_numpy())
    repatriated = m.terms("Tour-start", np.flatnonzero(home), moves[home], month=back[home])
    moved = (out + repatriated).where(np.concatenate([moves, moves[home]]) > 0)
    months = pd.DataFrame({"month": np.arange(d.n_months)})
    m.add_constraint(
        "Lift-moves",
        moved.sum(by=["month"], over=months) <= float(d.params["lift_moves_per_month"]),
    )


def gender_target_table(d: PlanningData, keys: pd.DataFrame) -> pd.DataFrame:
    """UGPS target for each (category, year) key: that year's, else the latest earlier one's."""
    t = d.gender_targets
    years = t["year"].astype("int64").to_numpy()
    cats = t["personnel_category"].astype(str).to_numpy()
    shares = t["target_share"].astype(float).to_numpy()
    out = []
    for cat, year in zip(keys["category"].astype(str), keys["year"].astype(int), strict=True):
        ok = (cats == cat) & (years <= year)
        if ok.any():
            out.append((cat, year, float(shares[ok][np.argmax(years[ok])])))
    return pd.DataFrame(out, columns=["category", "year", "target_share"])


def define_gender(m: LinearModel, d: PlanningData) -> None:
    """Gender ``Gender-target``.

    Math
    ----
    For every personnel category g and calendar year Y with a UGPS target τ_{g,Y} (the latest
    earlier year's target when the year has none):
    Σ_k P_p (w_p − τ_{g,Y}) · |{t ∈ Y : s_k ≤ t ≤ e_k}| · y_k + v_{g,Y} ≥ 0, v ≥ 0 (person-months of
    women short of the target). gender_mode = hard fixes v = 0; soft penalises Σ v in the last
    objective stage.
    """
    cand, pl = d.candidates, d.pledges
    k, year, months = tour_year_months(d)
    p = cand["pledge"].to_numpy()[k]
    # Categories and years as codes (millions of tour-years at scale); the rows are the
    # (category, year) pairs that occur and have a target, sorted.
    cat_of_pledge, categories = pd.factorize(pl["category"].to_numpy(str))
    cat = cat_of_pledge[p]
    year_code, years = pd.factorize(year)
    pair = np.unique(cat * max(len(years), 1) + year_code)
    occurring = pd.DataFrame(
        {
            "category": np.asarray(categories)[pair // max(len(years), 1)],
            "year": np.asarray(years)[pair % max(len(years), 1)],
        }
    )
    keys = gender_target_table(d, occurring).sort_values(["category", "year"], ignore_index=True)
    row_of = np.full((len(categories), max(len(years), 1)), -1, dtype=np.int64)
    row_of[
        pd.Index(categories).get_indexer(keys["category"]),
        pd.Index(years).get_indexer(keys["year"]),
    ] = np.arange(len(keys))
    row = row_of[cat, year_code]
    keep = row >= 0
    persons = pl["personnel"].to_numpy()[p][keep] * months[keep]
    target = keys["target_share"].to_numpy()[row[keep]]
    coef = persons * (pl["women_share"].to_numpy()[p][keep] - target)
    labels = keys[["category", "year"]]
    hard = str(d.params["gender_mode"]) == "hard"
    short = m.add_variables("Gender-shortfall", labels, 0.0, 0.0 if hard else INF)
    tours = m.var_families["Tour-start"]
    m.add_constraints(
        "Gender-target",
        labels,
        np.concatenate([row[keep], np.arange(len(labels))]),
        np.concatenate([tours.start + k[keep], short.start + np.arange(len(labels))]),
        np.concatenate([coef, np.ones(len(labels))]),
        0.0,
        INF,
    )
    m.set_objective("gender", "Gender-shortfall", np.ones(len(labels)))


def define_cost(m: LinearModel, d: PlanningData) -> None:
    """Cost objective ``cost``.

    Math
    ----
    Stage 2 minimises Σ_k C_k y_k, with C_k = Σ_{t=s_k}^{e_k} (P_p · ρ_t + E_u + A_u) the UN cost
    of tour k over all its months, past the horizon too (same monthly cost as in the budget
    constraint; a month past the last reimbursement rate row uses that rate). Stage 1 minimises
    Σ_{r,t} ω_r u_{r,t}, ω the priority weight; stage 3 minimises Σ v. Each stage is solved with
    the previous stages' optimal values as constraints (lexicographic), see
    :mod:`bluehelmet.forcegen.solve`.
    """
    m.set_objective("cost", "Tour-start", d.candidates["cost"].to_numpy() / COST_SCALE)


def tiebreak_weights(d: PlanningData) -> np.ndarray:
    """A weight in [1, 2) per candidate tour, fixed by the tour's identity alone.

    The weight is the first 8 bytes of the SHA-256 of ``pledge id|requirement id|start|end``
    (months as ``YYYY-MM``) read as a fraction: the same tour gets the same weight in every run,
    model and command, whatever the order of the rows.
    """
    c = d.candidates
    if len(c) == 0:
        return np.zeros(0)
    start = c["start"].to_numpy()
    end = c["end"].to_numpy()
    # Month labels computed once per month index, not once per tour (900,000 tours at 100,000
    # pledges); the text hashed is the same as ever.
    months = pd.date_range(d.months[0], periods=int(max(start.max(), end.max())) + 1, freq="MS")
    label = np.asarray(months.strftime("%Y-%m"), dtype=object)
    pid = d.pledges["id"].astype(str).to_numpy(dtype=object)
    rid = d.requirements["id"].astype(str).to_numpy(dtype=object)
    # The text "pledge|requirement|start|end" as bytes, assembled from its distinct
    # "pledge|requirement|" and "start|end" parts (millions of tours, far fewer parts).
    pledge, req = c["pledge"].to_numpy(), c["req"].to_numpy()
    pair, pairs = pd.factorize(pledge.astype(np.int64) * len(rid) + req)
    first = np.asarray(pairs) // len(rid), np.asarray(pairs) % len(rid)
    prefix = np.array(
        [f"{a}|{b}|".encode() for a, b in zip(pid[first[0]], rid[first[1]], strict=True)],
        dtype=object,
    )
    span, spans = pd.factorize(start.astype(np.int64) * len(label) + end)
    ends = np.asarray(spans) // len(label), np.asarray(spans) % len(label)
    suffix = np.array(
        [f"{a}|{b}".encode() for a, b in zip(label[ends[0]], label[ends[1]], strict=True)],
        dtype=object,
    )
    text = prefix[pair] + suffix[span]
    head = [hashlib.sha256(t).digest()[:8] for t in text]
    return 1.0 + np.frombuffer(b"".join(head), dtype=">u8").astype(float) / 2.0**64


def define_tiebreak(m: LinearModel, d: PlanningData) -> None:
    """Tie-break objective ``tiebreak``.

    Math
    ----
    Stage 4 minimises Σ_k β_k y_k over the plans optimal in stages 1–3, with β_k ∈ [1, 2) a
    weight fixed by the tour's identity (SHA-256 of pledge id, requirement id, first and last
    month; :func:`tiebreak_weights`), solved with a zero gap. Plans equal in coverage, cost and
    gender shortfall differ in some tours, and then (unless their weighted sums agree to within
    the solver's tolerance, which generic weights make a measure-zero event) in Σ β y: the stage
    picks one allocation, the same in every run, command and load.
    """
    m.set_objective("tiebreak", "Tour-start", tiebreak_weights(d))


#: The formulation, in order.
FORMULATION: tuple[Callable[[LinearModel, PlanningData], None], ...] = (
    define_tours,
    define_requirement_cover,
    define_pledge_capacity,
    define_contributor_limit,
    define_mission_diversity,
    define_council_ceiling,
    define_budget,
    define_strategic_lift,
    define_gender,
    define_cost,
    define_tiebreak,
)


def build_model(d: PlanningData) -> LinearModel:
    """Build the model by running every function of :data:`FORMULATION` in order."""
    m = LinearModel()
    for define in FORMULATION:
        define(m, d)
    return m
