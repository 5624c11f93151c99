"""An independent second formulation with PuLP + CBC, written with plain loops from the math.

It shares only the input preparation (dates, readiness, caveat screening) with the package and
re-derives every tour, coverage term, budget coefficient, lift move and gender row itself.
"""

from __future__ import annotations

import pulp

from bluehelmet.forcegen.data import PlanningData

#: Relative slack on an earlier stage's optimum when it becomes a constraint (as in the package).
SLACK = 1e-7


def cbc() -> pulp.COIN_CMD:
    """CBC through PuLP's current API: the binary of the cbcbox package (``pulp[cbc]``)."""
    import cbcbox

    return pulp.COIN_CMD(msg=False, gapRel=0, path=cbcbox.cbc_bin_path())


def target_share(d: PlanningData, category: str, year: int) -> float | None:
    """UGPS target of ``category`` in ``year``: that year's, else the latest earlier year's."""
    best_year, best = None, None
    for row in d.gender_targets.itertuples():
        if (
            str(row.personnel_category) == category
            and int(row.year) <= year
            and (best_year is None or int(row.year) > best_year)
        ):
            best_year, best = int(row.year), float(row.target_share)
    return best


def solve_reference(d: PlanningData, pairs) -> tuple[float, float, float]:  # noqa: ANN001
    """(weighted unmet, cost in MUSD, gender shortfall) lexicographic optimum with CBC.

    The gender stage is the soft mode: one shortfall v_{g,Y} >= 0 per personnel category g and
    calendar year Y with a target, minimised after the first two stages.
    """
    n_t, h = d.n_months, int(d.params["handover_months"])
    req, pl = d.requirements, d.pledges
    tours = []  # (pledge, req, start, end)
    for row in pairs.itertuples():
        if not (row.mission_ok and row.region_ok and row.language_ok):
            continue
        r = req.loc[row.req]
        p = pl.loc[row.pledge]
        for s in range(max(row.earliest, r["first"] - h, 0), r["last"] - h + 1):
            # A tour runs to the end of its rotation, of the need or of the offer, also past
            # the horizon (a commitment, costed in full; counted only within the horizon).
            full = min(s + p["rotation"] - 1, r["end_month"], p["until_month"])
            if p["kind"] == "regional_organisation":
                # Bridging forces may leave early (ends within the horizon, or the full tour).
                ends = sorted({*range(s + h, min(full, r["last"]) + 1), full})
            else:
                # The contributor may relieve itself in place: j rotations, up to the first
                # that reaches the last month of the need planned.
                cap = min(r["end_month"], p["until_month"])
                ends, j = [full], 1
                while ends[-1] < min(r["last"], cap):
                    j += 1
                    ends.append(min(s + j * p["rotation"] - 1, cap))
            for e in ends:
                if s + h <= e:
                    tours.append((row.pledge, row.req, s, e))
    prob = pulp.LpProblem("ref", pulp.LpMinimize)
    y = {
        k: prob.add_variable(f"y{i}", 0, int(pl.loc[k[0], "count"]), cat="Integer")
        for i, k in enumerate(tours)
    }
    u = {}
    # What the force in place leaves open: o_{r,t} = n_r - I_{r,t} (d.need, the input side).
    open_units = {(int(n.req), int(n.month)): int(n.open) for n in d.need.itertuples()}
    for r in req.itertuples():
        for t in range(r.first, r.last + 1):
            o = open_units[r.Index, t]
            u[r.Index, t] = prob.add_variable(f"u{r.Index}_{t}", 0, o)
            prob += (
                pulp.lpSum(v for (p, rr, s, e), v in y.items() if rr == r.Index and s + h <= t <= e)
                + u[r.Index, t]
                >= o
            )
    msa = float(d.params["msa_usd_per_person_month"])

    def month_cost(p: int, s: int, e: int, t: int) -> float:
        # Individual officers are paid MSA, contingents the troop rate; a new unit's emplacement
        # in its first month and its repatriation in its last committed month.
        individual = str(pl.loc[p, "category"]) in ("individual_police", "staff_officers_observers")
        monthly = (
            pl.loc[p, "personnel"] * (msa if individual else d.rate[t]) + pl.loc[p, "fixed_monthly"]
        )
        moves = float(pl.loc[p, "lift_moves"])
        once = (
            moves * float(d.params["lift_move_usd"])
            if moves > 0
            else pl.loc[p, "personnel"] * float(d.params["travel_usd_per_person"])
        )
        return monthly + once * ((t == s) + (t == e))

    for p in pl.index:
        for t in range(n_t):
            terms = [v for (pp, _, s, e), v in y.items() if pp == p and s <= t <= e]
            if terms:
                prob += pulp.lpSum(terms) <= int(pl.loc[p, "count"])
    for c, cap in d.max_units.items():
        for t in range(n_t):
            terms = [
                v
                for (p, _, s, e), v in y.items()
                if pl.loc[p, "contributor_id"] == c and s <= t <= e
            ]
            if terms:
                prob += pulp.lpSum(terms) <= cap
    share = float(d.params["max_contributor_share"])
    if share < 1:
        import math

        for m in set(req["mission_id"]):
            for c in set(pl["contributor_id"]):
                for t in range(n_t):
                    need = sum(
                        open_units[r.Index, t]
                        for r in req.itertuples()
                        if r.mission_id == m and r.first <= t <= r.last
                    )
                    terms = [
                        v
                        for (p, rr, s, e), v in y.items()
                        if req.loc[rr, "mission_id"] == m
                        and pl.loc[p, "contributor_id"] == c
                        and s + h <= t <= e
                    ]
                    if terms:
                        prob += pulp.lpSum(terms) <= max(1, math.ceil(share * need))
    # Council ceilings: personnel of tours present <= ceiling - personnel in place (at least 0).
    for c in d.ceilings.itertuples():
        there = sum(
            float(i.personnel)
            for i in d.in_place.itertuples()
            if i.mission_id == c.mission_id
            and i.component == c.component
            and int(i.month) == int(c.month)
        )
        terms = [
            float(pl.loc[p, "personnel"]) * v
            for (p, rr, s, e), v in y.items()
            if req.loc[rr, "mission_id"] == c.mission_id
            and pl.loc[p, "component"] == c.component
            and s <= int(c.month) <= e
        ]
        if terms:
            prob += pulp.lpSum(terms) <= max(0.0, float(c.ceiling) - there)
    for b in d.budgets.itertuples():
        terms = []
        for (p, rr, s, e), v in y.items():
            if req.loc[rr, "mission_id"] != b.mission_id:
                continue
            c = sum(
                month_cost(p, s, e, t) for t in range(s, e + 1) if d.fiscal_year[t] == b.fiscal_year
            )
            if c:
                terms.append(c / 1e6 * v)
        if terms:
            prob += pulp.lpSum(terms) <= b.headroom_usd / 1e6
    for t in range(n_t):
        terms = [
            pl.loc[p, "lift_moves"] * v for (p, _, s, e), v in y.items() if s == t or e + 1 == t
        ]
        if terms:
            prob += pulp.lpSum(terms) <= float(d.params["lift_moves_per_month"])
    # Gender: for every category g and calendar year Y with a target tau (else the latest earlier
    # year's), sum over tours of P_p (w_p - tau) * (months of Y present, s..min(e, last month))
    # * y_k + v_{g,Y} >= 0.
    v_gender = {}
    for g in sorted(set(pl["category"].astype(str))):
        for year in sorted(set(int(m.year) for m in d.months)):
            tau = target_share(d, g, year)
            if tau is None:
                continue
            terms = []
            for (p, _, s, e), v in y.items():
                if str(pl.loc[p, "category"]) != g:
                    continue
                months = sum(1 for t in range(s, min(e, n_t - 1) + 1) if d.months[t].year == year)
                coef = pl.loc[p, "personnel"] * (pl.loc[p, "women_share"] - tau) * months
                if coef:
                    terms.append(coef * v)
            if terms:
                v_gender[g, year] = prob.add_variable(f"v_{g}_{year}", 0)
                prob += pulp.lpSum(terms) + v_gender[g, year] >= 0
    unmet = pulp.lpSum(req.loc[r, "weight"] * v for (r, _), v in u.items())
    cost = pulp.lpSum(
        sum(month_cost(p, s, e, t) for t in range(s, e + 1)) / 1e6 * v
        for (p, _, s, e), v in y.items()
    )
    solver = cbc()

    def optimum(objective: pulp.LpAffineExpression) -> float:
        prob.setObjective(objective)
        status = prob.solve(solver)
        assert pulp.LpStatus[status] == "Optimal", pulp.LpStatus[status]
        return float(pulp.value(objective) or 0.0)

    z1 = optimum(unmet)
    prob += unmet <= z1 + SLACK * max(1.0, abs(z1))
    z2 = optimum(cost)
    if not v_gender:
        return z1, z2, 0.0
    prob += cost <= z2 + SLACK * max(1.0, abs(z2))
    return z1, z2, optimum(pulp.lpSum(v_gender.values()))
