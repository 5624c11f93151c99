"""An independent second formulation with PuLP + CBC, written with plain loops from the math.

It shares only the input preparation (dates, readiness, caveat screening) with the package and
re-derives every tour, coverage term, budget coefficient and lift move itself.
"""

from __future__ import annotations

import pulp

from bluehelmet.forcegen.data import PlanningData


def solve_reference(d: PlanningData, pairs) -> tuple[float, float]:  # noqa: ANN001
    """(weighted unmet, cost in MUSD) lexicographic optimum with CBC."""
    n_t, h = d.n_months, int(d.params["handover_months"])
    req, pl = d.requirements, d.pledges
    tours = []  # (pledge, req, start, end)
    for row in pairs.itertuples():
        if not (row.mission_ok and row.region_ok and row.language_ok):
            continue
        r = req.loc[row.req]
        p = pl.loc[row.pledge]
        for s in range(max(row.earliest, r["first"] - h, 0), r["last"] - h + 1):
            full = min(s + p["rotation"] - 1, r["last"], p["until_month"])
            ends = range(s + h, full + 1) if p["kind"] == "regional_organisation" else [full]
            for e in ends:
                if s + h <= e:
                    tours.append((row.pledge, row.req, s, e))
    prob = pulp.LpProblem("ref", pulp.LpMinimize)
    y = {k: pulp.LpVariable(f"y{i}", 0, int(pl.loc[k[0], "count"]), cat="Integer")
         for i, k in enumerate(tours)}
    u = {}
    for r in req.itertuples():
        for t in range(r.first, r.last + 1):
            u[r.Index, t] = pulp.LpVariable(f"u{r.Index}_{t}", 0, r.count)
            prob += pulp.lpSum(v for (p, rr, s, e), v in y.items()
                               if rr == r.Index and s + h <= t <= e) + u[r.Index, t] >= r.count
    def month_cost(p: int, t: int) -> float:
        return pl.loc[p, "personnel"] * d.rate[t] + pl.loc[p, "fixed_monthly"]
    for p in pl.index:
        for t in range(n_t):
            terms = [v for (pp, _, s, e), v in y.items() if pp == p and s <= t <= e]
            if terms:
                prob += pulp.lpSum(terms) <= int(pl.loc[p, "count"])
    for c, cap in d.max_units.items():
        for t in range(n_t):
            terms = [v for (p, _, s, e), v in y.items()
                     if pl.loc[p, "contributor_id"] == c and s <= t <= e]
            if terms:
                prob += pulp.lpSum(terms) <= cap
    share = float(d.params["max_contributor_share"])
    if share < 1:
        import math
        for m in set(req["mission_id"]):
            for c in set(pl["contributor_id"]):
                for t in range(n_t):
                    need = sum(r.count for r in req.itertuples()
                               if r.mission_id == m and r.first <= t <= r.last)
                    terms = [v for (p, rr, s, e), v in y.items()
                             if req.loc[rr, "mission_id"] == m and pl.loc[p, "contributor_id"] == c
                             and s + h <= t <= e]
                    if terms:
                        prob += pulp.lpSum(terms) <= max(1, math.ceil(share * need))
    for b in d.budgets.itertuples():
        terms = []
        for (p, rr, s, e), v in y.items():
            if req.loc[rr, "mission_id"] != b.mission_id:
                continue
            c = sum(month_cost(p, t) for t in range(s, min(e, n_t - 1) + 1)
                    if d.fiscal_year[t] == b.fiscal_year)
            if c:
                terms.append(c / 1e6 * v)
        if terms:
            prob += pulp.lpSum(terms) <= b.headroom_usd / 1e6
    for t in range(n_t):
        terms = [pl.loc[p, "lift_moves"] * v for (p, _, s, e), v in y.items()
                 if s == t or e + 1 == t]
        if terms:
            prob += pulp.lpSum(terms) <= float(d.params["lift_moves_per_month"])
    unmet = pulp.lpSum(req.loc[r, "weight"] * v for (r, _), v in u.items())
    cost = pulp.lpSum(sum(month_cost(p, t) for t in range(s, min(e, n_t - 1) + 1)) / 1e6 * v
                      for (p, _, s, e), v in y.items())
    solver = pulp.PULP_CBC_CMD(msg=False, gapRel=0)
    prob.setObjective(unmet)
    prob.solve(solver)
    z1 = pulp.value(unmet) or 0.0
    prob += unmet <= z1 + 1e-7 * max(1.0, abs(z1))
    prob.setObjective(cost)
    prob.solve(solver)
    return z1, float(pulp.value(cost) or 0.0)
