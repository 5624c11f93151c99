"""Why the plan is what it is: unused pledges, binding constraints, the smart-pledging list.

Unused pledges are explained in two steps. First the screening that created no candidate tour at
all (no requirement of the type, a caveat, too late). Then, for pledges that had candidate tours,
a slack analysis of the final plan: for each tour, which upper-bounded constraint would be violated
by one more unit (budget, lift, diversity, contributor limit, gender). A pledge none of whose tours
is blocked and none fills an open gap is dominated: others cover those months, cheaper or earlier.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bluehelmet.forcegen.data import PlanningData
from bluehelmet.optimize.linear import LinearModel

#: Reason codes, in the order they are reported when several apply.
REASONS = {
    "used": "used in the plan",
    "no_requirement": "no mission requires this unit type in the horizon",
    "caveat": "national caveat",
    "too_late": "cannot arrive while a requirement of its type is open",
    "budget": "the mission's budget headroom for the fiscal year is used up",
    "lift": "no strategic lift left in the month it would move",
    "diversity": "the contributor already provides the maximum share of the mission",
    "contributor_limit": "the contributor's maximum number of units is reached",
    "gender": "it would break the hard gender target",
    "dominated": "its requirements are covered in the months it could serve by the force in "
    "place or by cheaper or earlier units",
    "gap_tolerance": "useful but not chosen within the solver's optimality gap",
}
_FAMILY_REASON = {
    "Budget-fiscal-year": "budget",
    "Lift-moves": "lift",
    "Mission-contributor-share": "diversity",
    "Contributor-max-units": "contributor_limit",
    "Gender-target": "gender",
    "Pledge-capacity": "dominated",
}


def _blocking(model: LinearModel, x: np.ndarray, cols: np.ndarray) -> pd.DataFrame:
    """For tour columns ``cols``: blocking family (if any) and whether they would fill a gap.

    The blocking family of a column is that of its first blocked row (rows in matrix order).
    Worked on the sparse columns' arrays directly (tens of millions of entries at 100,000
    pledges), with the families as integer codes.
    """
    a = model.matrix
    act = a @ x
    _, _, _, lo, hi = model.bounds()
    sub = a[:, cols]
    sub.sort_indices()
    rows, vals = sub.indices, sub.data
    which = np.repeat(np.arange(len(cols)), np.diff(sub.indptr))
    names = list(model.con_families)
    code = np.zeros(model.n_rows, np.int32)
    for i, fam in enumerate(model.con_families.values()):
        code[fam.start : fam.stop] = i
    over = act[rows] + vals > hi[rows] + 1e-7
    col_lo, col_hi, _, _, _ = model.bounds()
    hard = (
        "Gender-shortfall" in model.var_families
        and not model.values(col_hi, "Gender-shortfall").any()
    )
    if hard:
        gender = model.con_families.get("Gender-target")
        under = (code[rows] == names.index("Gender-target")) if gender is not None else False
        over |= under & (act[rows] + vals < lo[rows] - 1e-7)
    cover = model.con_families["Requirement-cover"]
    tours = model.var_families["Tour-start"]
    short = model.var_families["Shortfall"]
    open_gap = np.zeros(model.n_rows, bool)
    s_val = x[short.start : short.stop]
    open_gap[cover.start : cover.stop] = s_val > 0.5
    blocked = np.flatnonzero(over)
    # Entries run column by column, rows ascending: a column's first blocked entry is the first.
    cols_blocked, first = np.unique(which[blocked], return_index=True)
    family = np.full(len(cols), np.nan, dtype=object)
    family[cols_blocked] = np.asarray(names, dtype=object)[code[rows[blocked[first]]]]
    out = pd.DataFrame({"cand": cols - tours.start})
    out["family"] = family
    out["fills_gap"] = np.bincount(which[open_gap[rows]], minlength=len(cols)) > 0
    return out


def _screen_reason(pairs: pd.DataFrame) -> pd.DataFrame:
    """Reason and detail for pledges whose every pair was screened out before the model.

    Vectorised over pledges (tens of thousands at 100,000 pledges): ``too_late`` when some
    pair passes the caveats (its earliest ready date given), else ``caveat`` with the
    excluded missions, regions and languages, each list sorted.
    """
    p = pairs.assign(caveat_ok=pairs["mission_ok"] & pairs["region_ok"] & pairs["language_ok"])
    order = pd.unique(p["pledge"])
    first = p.groupby("pledge", sort=False)[["until_date", "pcrs_level"]].first()
    ok = p[p["caveat_ok"]]
    ready = ok.groupby("pledge", sort=False)["ready_date"].min()
    late = pd.Index(order)[pd.Index(order).isin(ready.index)]
    late_text = [
        f"ready {pd.Timestamp(r):%Y-%m-%d} at the earliest (PCRS {lvl}, transit included), "
        f"after its requirements' last useful start"
        + ("" if pd.isna(u) else f"; its offer ends {pd.Timestamp(u):%Y-%m-%d}")
        for r, lvl, u in zip(
            ready.reindex(late),
            first["pcrs_level"].reindex(late),
            first["until_date"].reindex(late),
            strict=True,
        )
    ]
    rest = pd.Index(order)[~pd.Index(order).isin(ready.index)]
    why: dict[int, list[str]] = {int(q): [] for q in rest}
    for mask, column, prefix in (
        ("mission_ok", "mission_id", "excludes "),
        ("region_ok", "region", "excludes region "),
        ("language_ok", "language_needed", "does not work in "),
    ):
        bad = p.loc[~p[mask] & p["pledge"].isin(rest), ["pledge", column]].drop_duplicates()
        bad = bad.assign(value=bad[column].astype(str)).sort_values("value", kind="stable")
        listed = bad.groupby("pledge", sort=False)["value"].agg(", ".join)
        for pledge, text in listed.items():
            why[int(str(pledge))].append(prefix + text)
    return pd.DataFrame(
        {
            "pledge": np.concatenate([late.to_numpy(), rest.to_numpy()]).astype(np.int64),
            "reason_code": ["too_late"] * len(late) + ["caveat"] * len(rest),
            "detail": late_text + ["; ".join(w) for w in why.values()],
        }
    )


def _slack_reason(block: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Reason code and detail per pledge (index) from its tours' slack analysis ``block``.

    ``dominated`` when no tour fills an open gap; ``gap_tolerance`` when a tour that would is
    blocked by nothing; else the reason of the family blocking most of the useful tours (ties:
    the family met first), with ``binding: <family>`` as detail.
    """
    pledges = pd.unique(block["pledge"])
    useful = block[block["fills_gap"].to_numpy(bool)].reset_index(drop=True)
    free = useful["family"].isna().groupby(useful["pledge"], sort=False).any()
    named = useful[~useful["pledge"].isin(free.index[free])].dropna(subset=["family"])
    named = named.assign(pos=np.arange(len(named)))
    top = (
        named.groupby(["pledge", "family"], sort=False)
        .agg(n=("pos", "size"), first=("pos", "min"))
        .reset_index()
        .sort_values(["pledge", "n", "first"], ascending=[True, False, True], kind="stable")
        .drop_duplicates("pledge")
        .set_index("pledge")["family"]
    )
    code = pd.Series("dominated", index=pledges, dtype=object)
    detail = pd.Series("", index=pledges, dtype=object)
    code.loc[free.index[free]] = "gap_tolerance"
    code.loc[top.index] = np.array([_FAMILY_REASON.get(str(f), "dominated") for f in top])
    detail.loc[top.index] = np.array([f"binding: {f}" for f in top])
    return code, detail


def explain_pledges(
    d: PlanningData, pairs: pd.DataFrame, model: LinearModel, x: np.ndarray
) -> pd.DataFrame:
    """One row per pledge: units used, and for unused pledges the reason code and text."""
    tours = model.var_families["Tour-start"]
    y = np.round(x[tours.start : tours.stop]).astype(int)
    cand_p = d.candidates["pledge"].to_numpy()
    used_units = np.bincount(cand_p, weights=y, minlength=len(d.pledges))
    has_cand = np.bincount(cand_p, minlength=len(d.pledges)) > 0
    rows = pd.DataFrame(
        {
            "pledge": np.arange(len(d.pledges)),
            "units_used": used_units.astype(int),
            "reason_code": "",
            "detail": "",
        }
    )
    rows.loc[rows["units_used"] > 0, "reason_code"] = "used"
    rows.loc[~rows["pledge"].isin(pairs["pledge"]), "reason_code"] = "no_requirement"
    screened = _screen_reason(pairs[~pairs["pledge"].isin(np.flatnonzero(has_cand))])
    rows = rows.merge(screened, on="pledge", how="left", suffixes=("", "_s"))
    take = rows["reason_code_s"].notna() & (rows["reason_code"] == "")
    rows.loc[take, "reason_code"] = rows.loc[take, "reason_code_s"]
    rows.loc[take, "detail"] = rows.loc[take, "detail_s"]
    rows = rows.drop(columns=["reason_code_s", "detail_s"])
    unused = np.flatnonzero((rows["reason_code"] == "").to_numpy())
    cols = tours.start + np.flatnonzero(np.isin(cand_p, unused))
    if len(cols):
        block = _blocking(model, x, cols)
        block["pledge"] = cand_p[block["cand"].to_numpy()]
        code, detail = _slack_reason(block)
        rows.loc[code.index, "reason_code"] = code.to_numpy()
        rows.loc[detail.index, "detail"] = detail.to_numpy()
    pl = d.pledges
    out = pd.DataFrame(
        {
            "pledge_id": pl["id"],
            "contributor_id": pl["contributor_id"],
            "unit_type_id": pl["unit_type_id"],
            "pcrs_level": pl["pcrs_level"],
            "count": pl["count"],
        }
    )
    out["units_used"] = rows["units_used"].to_numpy()
    out["used"] = out["units_used"] > 0
    out["reason_code"] = rows["reason_code"].to_numpy()
    out["reason"] = out["reason_code"].map(REASONS)
    out["detail"] = rows["detail"].to_numpy()
    return out


def _column_entries(model: LinearModel, first: int, stop: int) -> tuple[np.ndarray, ...]:
    """(row, value, counts) of the entries of columns ``first..stop-1``, read in place.

    The matrix is stored by column: the rows and values are views of its arrays, ``counts``
    the entries per column; no sliced copy of the matrix (tens of millions of entries at
    100,000 pledges). :func:`_column_of` gives the column of chosen entries.
    """
    a = model.matrix
    lo, hi = int(a.indptr[first]), int(a.indptr[stop])
    return a.indices[lo:hi], a.data[lo:hi], np.diff(a.indptr[first : stop + 1])


def _column_of(model: LinearModel, first: int, at: np.ndarray) -> np.ndarray:
    """Column of the entries at positions ``at`` of :func:`_column_entries` (from ``first``)."""
    indptr = model.matrix.indptr
    return np.searchsorted(indptr, at + indptr[first], side="right") - 1


def spare_units(model: LinearModel, x: np.ndarray) -> np.ndarray:
    """Tour columns that could take one more unit: below their bound, pledge not used up.

    A unit of such a tour is an *unused unit*: its pledge has a unit free in every month of the
    tour (``Pledge-capacity``) and the tour is below its own bound.
    """
    tours = model.var_families["Tour-start"]
    col_lo, col_hi, _, _, hi = model.bounds()
    cols = np.arange(tours.start, tours.stop)
    spare = x[cols] < col_hi[cols] - 0.5
    cap = model.con_families.get("Pledge-capacity")
    if cap is not None and cap.stop > cap.start:
        act = model.matrix @ x
        rows, vals, _ = _column_entries(model, tours.start, tours.stop)
        at = np.flatnonzero((rows >= cap.start) & (rows < cap.stop))
        at = at[act[rows[at]] + vals[at] > hi[rows[at]] + 1e-7]
        blocked = np.zeros(len(cols), bool)
        blocked[_column_of(model, tours.start, at) - tours.start] = True
        spare &= ~blocked
    return cols[spare]


def binding_constraints(
    model: LinearModel,
    x: np.ndarray,
    families: tuple[str, ...] = (
        "Budget-fiscal-year",
        "Lift-moves",
        "Contributor-max-units",
        "Mission-contributor-share",
    ),
    scale: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Upper-bounded constraints of ``families`` that bind in the plan.

    A row binds when it has no slack left, or when it is a knapsack over lumpy units that no
    unused unit fits into any more: some unused unit (:func:`spare_units`) enters the row, and
    each would push it over its limit (a budget at 99.85 % binds if the cheapest unused unit
    costs more than the 0.15 % left).
    """
    act = model.matrix @ x
    _, _, _, _, hi = model.bounds()
    scale = scale or {}
    spare = spare_units(model, x)
    # The spare columns' entries once, split by family below (not a row slice per family).
    is_spare = np.zeros(model.n_cols, bool)
    is_spare[spare] = True
    rows, vals, counts = _column_entries(model, 0, model.n_cols)
    keep = np.repeat(is_spare, counts) & (vals > 0)
    rows, vals = rows[keep], vals[keep]
    del keep
    parts = []
    for name in families:
        fam = model.con_families.get(name)
        if fam is None or len(fam.labels) == 0:
            continue
        used, limit = act[fam.start : fam.stop], hi[fam.start : fam.stop]
        tol = 1e-6 * np.maximum(1.0, np.abs(limit))
        tight = used >= limit - tol
        enters = (rows >= fam.start) & (rows < fam.stop)
        r, v = rows[enters] - fam.start, vals[enters]
        # No unused unit fits: some enters, and none of those entering stays within the limit.
        n = fam.stop - fam.start
        fits = np.bincount(r[used[r] + v <= limit[r] + tol[r]], minlength=n) > 0
        no_fit = (np.bincount(r, minlength=n) > 0) & ~fits
        tight |= no_fit
        if not tight.any():
            continue
        lab = fam.labels[tight]
        key = lab.astype(str).agg(" ".join, axis=1)
        f = scale.get(name, 1.0)
        parts.append(
            pd.DataFrame(
                {
                    "constraint": name,
                    "key": key.to_numpy(),
                    "used": used[tight] * f,
                    "limit": limit[tight] * f,
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["constraint", "key", "used", "limit"])
    return pd.concat(parts, ignore_index=True)
