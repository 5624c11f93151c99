"""The "so what" of a brief: findings computed from the statistics, each pointing to its page.

A finding is an id (which sentence the brief writes), the page it rests on (an anchor of the
brief) and its figures; the sentence itself is in the template (and its translations), so the
English and French briefs state the same figures. Nothing here is hand-written about a scenario:
change the data and the findings change.
"""

from __future__ import annotations

import pandas as pd

#: A what-if gains "nothing" below this many weighted unmet requirement-months.
NO_GAIN = 1e-6


def what_if_findings(sensitivities: pd.DataFrame) -> pd.DataFrame:
    """The planner's what-ifs (LP estimates) as findings: which changes gain and which do not.

    Parameters
    ----------
    sensitivities
        ``plan.sensitivities``: ``change, weighted_unmet_lp, gain``.

    Returns
    -------
    DataFrame
        ``change, gain, gains`` (gain above :data:`NO_GAIN`), largest gain first; empty when the
        plan was made without what-ifs.
    """
    if sensitivities is None or sensitivities.empty:
        return pd.DataFrame(columns=["change", "gain", "gains"])
    out = sensitivities[["change", "gain"]].copy()
    out["gain"] = out["gain"].astype("float64")
    out["gains"] = out["gain"] > NO_GAIN
    return out.sort_values("gain", ascending=False, kind="stable").reset_index(drop=True)


def so_what(
    headline: pd.Series,
    gaps: pd.DataFrame,
    money_by_year: pd.DataFrame,
    themes: pd.DataFrame,
    what_ifs: pd.DataFrame,
) -> pd.DataFrame:
    """The three findings a delegation should take into the debate.

    Parameters
    ----------
    headline
        :func:`bluehelmet.statistics.coverage.coverage_headline` of the plan.
    gaps
        The plan's gap table (``critical_group``, ``unmet_unit_months``, ``mission_id``,
        ``unit_type``).
    money_by_year
        :func:`bluehelmet.statistics.finance.plan_against_approved`.
    themes
        :func:`bluehelmet.statistics.debate.debate_themes`.
    what_ifs
        :func:`what_if_findings` (may be empty).

    Returns
    -------
    DataFrame
        Three rows: ``finding`` (``critical_gap``, ``money``, ``safety``), ``page`` (the anchor
        of the brief's page it rests on) and ``values`` (a dict of the figures the sentence
        states).
    """
    open_critical = gaps.loc[gaps["critical_group"].notna() & (gaps["unmet_unit_months"] > 1e-9)]
    worst = open_critical.sort_values("unmet_unit_months", ascending=False).head(1)
    gains = what_ifs.loc[what_ifs["gains"]] if len(what_ifs) else what_ifs
    budget_rows = (
        what_ifs.loc[what_ifs["change"].str.startswith("budget")] if len(what_ifs) else what_ifs
    )
    rows = [
        {
            "finding": "critical_gap",
            "page": "coverage",
            "values": {
                "critical_share_closed": float(headline["critical_share_closed"]),
                "critical_gaps_open": len(open_critical),
                "worst_mission": str(worst["mission_id"].iloc[0]) if len(worst) else "",
                "worst_unit_type": str(worst["unit_type"].iloc[0]) if len(worst) else "",
                "worst_unmet_unit_months": float(worst["unmet_unit_months"].iloc[0])
                if len(worst)
                else 0.0,
                "best_what_if": str(gains["change"].iloc[0]) if len(gains) else "",
                "budget_gains": bool(budget_rows["gains"].any()) if len(budget_rows) else None,
            },
        }
    ]
    first = money_by_year.dropna(subset=["approved_total_usd"]).head(1)
    rows.append(
        {
            "finding": "money",
            "page": "money-approved",
            "values": {
                "fiscal_year": str(first.index[0]) if len(first) else "",
                "plan_cost_usd": float(first["plan_cost_usd"].iloc[0]) if len(first) else 0.0,
                "approved_total_usd": float(first["approved_total_usd"].iloc[0])
                if len(first)
                else float("nan"),
                "share_of_total": float(first["share_of_total"].iloc[0])
                if len(first)
                else float("nan"),
            },
        }
    )
    safety = themes["values"].loc[themes["theme"] == "safety"]
    rows.append(
        {
            "finding": "safety",
            "page": "debate",
            "values": dict(safety.iloc[0]) if len(safety) else {},
        }
    )
    return pd.DataFrame(rows, columns=["finding", "page", "values"])
