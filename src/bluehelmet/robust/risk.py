"""Monte Carlo of deployment risk: the nominal plan (and the robust plan) under drawn disruptions.

:func:`run_risk` plans the reader's view once, draws ``N`` disruptions
(:mod:`bluehelmet.robust.disruption`), evaluates the fixed plan under each, optionally re-plans
each draw knowing its disruptions (through an executor; the best any adaptation could do) and
optionally solves the robust plan (:mod:`bluehelmet.robust.saa`) on separate training draws.
It writes (CSV, the long tables also as Parquet):

``draws``        one row per draw: its seed, what was withdrawn or delayed
``outcomes``     draw x plan: unmet and weighted unmet requirement-months
``unmet``        plan x draw x mission x capability: unmet requirement-months
``distribution`` plan x mission x capability: mean, 5/50/95 % quantiles, chance of no gap
``critical_held`` plan x critical requirement: probability that it is held in every month
``criticality``  plan x pledge: what its failure costs (alone, and on average in the draws)
``comparison``   the plans side by side under the same draws
``model``        the disruption model's parameters with their sources
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bluehelmet.forcegen.data import PlanningData
from bluehelmet.io.write import neutralised_frame
from bluehelmet.model.access import AccessContext
from bluehelmet.robust.disruption import DisruptionModel, Draw, Rates, draw, rates, seed_of
from bluehelmet.robust.evaluate import evaluate, no_disruption, withdrawal_losses
from bluehelmet.robust.executor import Executor, run_tasks, write_json_atomic
from bluehelmet.robust.run import PlannedTours, reader_view, solve_data, solve_nominal
from bluehelmet.robust.sweep import write_table
from bluehelmet.scenario.core import Scenario


@dataclass(frozen=True)
class RiskSettings:
    """How a risk run is made (the CLI's flags).

    ``time_limit`` and ``robust_time_limit`` are solver seconds per plan; ``None`` (the
    default) solves every plan to proven optimality, so a seed gives the same tables whatever
    the machine's load (a plan cut by the clock depends on it).
    """

    draws: int = 200
    seed: int = 1
    horizon: int | None = None
    time_limit: float | None = None
    replan: bool = False
    robust: bool = False
    robust_draws: int = 20
    robust_time_limit: float | None = None


@dataclass
class RiskShared:
    """What every re-planning worker holds once."""

    data: PlanningData
    rates: Rates
    seed: int
    time_limit: float | None


def replan_task(shared: RiskShared, index: int) -> dict[str, Any]:
    """Re-plan draw ``index`` knowing its disruptions; unmet unit-months per requirement."""
    try:
        d = draw(shared.rates, shared.seed, index)
        data = shared.data
        cand = data.candidates
        p, q = cand["pledge"].to_numpy(), cand["req"].to_numpy()
        delay = d.pledge_delay[p] + d.mission_delay[shared.rates.req_mission[q]]
        keep = ~d.withdrawn[p] & (cand["start"].to_numpy() >= cand["earliest"].to_numpy() + delay)
        sub = dataclasses.replace(data, candidates=cand[keep].reset_index(drop=True))
        planned = solve_data(sub, time_limit=shared.time_limit)
        none = no_disruption(shared.rates, len(sub.pledges))
        unmet = evaluate(sub, planned.units, shared.rates, none)
        return {
            "unmet": [float(v) for v in unmet],
            "status": planned.status,
            "mip_gap": planned.mip_gap,
            "solve_seconds": planned.solve_seconds,
            "error": "",
        }
    except Exception as exc:
        return {"status": "error", "error": f"{type(exc).__name__}: {exc}"}


@dataclass
class RiskResult:
    """The tables of a risk run by name, and the plans compared."""

    tables: dict[str, pd.DataFrame]
    summary: dict[str, Any]


def _capability(view: Scenario, data: PlanningData) -> np.ndarray:
    cap = view.unit_types.set_index("id")["capability"].astype(str)
    return cap.reindex(data.requirements["unit_type_id"].astype(str)).fillna("").to_numpy()


def run_risk(
    scenario: Scenario,
    reader: AccessContext,
    model: DisruptionModel,
    settings: RiskSettings,
    out: Path,
    executor: Executor | None = None,
    progress: Callable[[str], None] | None = None,
) -> RiskResult:
    """Plan, draw, evaluate (and re-plan, and plan robustly); write the tables into ``out``."""
    say = progress or (lambda _msg: None)
    view = reader_view(scenario, reader)
    say("planning the nominal plan")
    nominal = solve_nominal(view, horizon=settings.horizon, time_limit=settings.time_limit)
    data = nominal.data
    r = rates(model, data)
    draws = [draw(r, settings.seed, i) for i in range(settings.draws)]
    plans: dict[str, PlannedTours] = {"nominal": nominal}
    unmet: dict[str, np.ndarray] = {}
    if settings.robust:
        say(f"planning the robust plan against {settings.robust_draws} training draws")
        from bluehelmet.robust.saa import robust_plan

        train = [draw(r, settings.seed, i, stream=1) for i in range(settings.robust_draws)]
        plans["robust"] = robust_plan(data, r, train, nominal.units, settings.robust_time_limit)
    for name, planned in plans.items():
        unmet[name] = np.array([evaluate(data, planned.units, r, d) for d in draws])
    statuses = {
        name: {"status": p.status, "mip_gap": p.mip_gap, "solve_seconds": p.solve_seconds}
        for name, p in plans.items()
    }
    if settings.replan:
        if executor is None:
            raise ValueError("re-planning needs an executor")
        say(f"re-planning {settings.draws} draws on {executor.workers} {executor.name} worker(s)")
        digest = hashlib.sha256(
            pd.util.hash_pandas_object(data.candidates, index=False).to_numpy().tobytes()
            + json.dumps(
                [model.parameters, model.entities, settings.time_limit], sort_keys=True
            ).encode()
        ).hexdigest()[:12]
        tasks = {f"{digest}-s{settings.seed}-d{i:06d}": i for i in range(settings.draws)}
        run = run_tasks(
            executor,
            replan_task,
            RiskShared(data, r, settings.seed, settings.time_limit),
            tasks,
            out / "replans",
        )
        rows = [run.results[k] for k in tasks]
        nan = np.full(len(data.requirements), np.nan)
        unmet["replan"] = np.array([row["unmet"] if not row.get("error") else nan for row in rows])
        statuses["replan"] = {
            "errors": sum(1 for row in rows if row.get("error")),
            "not_optimal": sum(1 for row in rows if row.get("status") != "optimal"),
        }
    tables = risk_tables(view, data, r, settings, draws, plans, unmet)
    summary = {
        "scenario": scenario.name,
        "draws": settings.draws,
        "seed": settings.seed,
        "horizon_months": data.n_months,
        "plans": statuses,
        "robust_training_draws": settings.robust_draws if settings.robust else 0,
        "uses_illustrative_data": view.uses_illustrative_data,
        "model_file": model.file,
    }
    tables["model"] = model.table()
    write_risk(tables, summary, out)
    return RiskResult(tables, summary)


def risk_tables(
    view: Scenario,
    data: PlanningData,
    r: Rates,
    settings: RiskSettings,
    draws: list[Draw],
    plans: dict[str, PlannedTours],
    unmet: dict[str, np.ndarray],
) -> dict[str, pd.DataFrame]:
    """Every table of a risk run from the unmet unit-months per draw and requirement."""
    req = data.requirements
    weight = req["weight"].to_numpy()
    capability = _capability(view, data)
    critical = (req["priority"].astype(str) == "critical").to_numpy()
    pl = data.pledges
    draws_t = pd.DataFrame(
        {
            "draw": [d.index for d in draws],
            "seed": settings.seed,
            "spawn_key": [
                ",".join(map(str, seed_of(settings.seed, d.index).spawn_key)) for d in draws
            ],
            "pledges_withdrawn": [int(d.withdrawn.sum()) for d in draws],
            "withdrawn": [";".join(pl["id"].to_numpy()[d.withdrawn]) for d in draws],
            "pledges_delayed": [int((d.pledge_delay > 0).sum()) for d in draws],
            "missions_delayed": [
                ";".join(
                    f"{m}+{v}" for m, v in zip(r.missions, d.mission_delay, strict=True) if v > 0
                )
                for d in draws
            ],
        }
    )
    outcome_rows, unmet_rows, dist_rows, held_rows = [], [], [], []
    groups = pd.DataFrame({"mission_id": req["mission_id"].astype(str), "capability": capability})
    keys = groups.drop_duplicates().sort_values(["mission_id", "capability"])
    code = groups.merge(keys.reset_index(drop=True).reset_index(), how="left")["index"].to_numpy()
    required = req["count"].to_numpy() * (req["last"] - req["first"] + 1).clip(lower=0).to_numpy()
    nominal_world = {
        name: evaluate(data, p.units, r, no_disruption(r, len(pl))) for name, p in plans.items()
    }
    for name, u in unmet.items():
        outcome_rows.append(
            pd.DataFrame(
                {
                    "draw": draws_t["draw"],
                    "plan": name,
                    "unmet_requirement_months": u.sum(axis=1),
                    "weighted_unmet": u @ weight,
                    "critical_unmet": u[:, critical].sum(axis=1),
                }
            )
        )
        by_group = np.stack([np.bincount(code, weights=row, minlength=len(keys)) for row in u])
        long = pd.DataFrame(
            {
                "plan": name,
                "draw": np.repeat(draws_t["draw"].to_numpy(), len(keys)),
                "mission_id": np.tile(keys["mission_id"].to_numpy(), len(u)),
                "capability": np.tile(keys["capability"].to_numpy(), len(u)),
                "unmet_requirement_months": by_group.ravel(),
            }
        )
        unmet_rows.append(long)
        q = (
            np.nanquantile(by_group, [0.05, 0.5, 0.95], axis=0)
            if len(u)
            else np.full((3, len(keys)), np.nan)
        )
        # The re-plans have no undisrupted world of their own: the nominal plan's is theirs.
        world = nominal_world.get(name, nominal_world["nominal"])
        base = np.bincount(code, weights=world, minlength=len(keys))
        dist_rows.append(
            pd.DataFrame(
                {
                    "plan": name,
                    "mission_id": keys["mission_id"].to_numpy(),
                    "capability": keys["capability"].to_numpy(),
                    "required_requirement_months": np.bincount(
                        code, weights=required, minlength=len(keys)
                    ),
                    "unmet_without_disruption": base,
                    "mean": np.nanmean(by_group, axis=0),
                    "p05": q[0],
                    "p50": q[1],
                    "p95": q[2],
                    "max": np.nanmax(by_group, axis=0),
                    "probability_no_gap": np.mean(by_group <= 1e-9, axis=0),
                }
            )
        )
        held_rows.append(
            pd.DataFrame(
                {
                    "plan": name,
                    "requirement_id": req["id"].to_numpy()[critical],
                    "mission_id": req["mission_id"].to_numpy()[critical],
                    "unit_type_id": req["unit_type_id"].to_numpy()[critical],
                    "capability": capability[critical],
                    "count": req["count"].to_numpy()[critical],
                    "unmet_without_disruption": world[critical],
                    "probability_held": np.mean(u[:, critical] <= 1e-9, axis=0),
                    "probability_as_planned": np.mean(
                        u[:, critical] <= world[critical] + 1e-9, axis=0
                    ),
                }
            )
        )
    tables = {
        "draws": draws_t,
        "outcomes": pd.concat(outcome_rows, ignore_index=True),
        "unmet": pd.concat(unmet_rows, ignore_index=True),
        "distribution": pd.concat(dist_rows, ignore_index=True),
        "critical_held": pd.concat(held_rows, ignore_index=True),
    }
    tables["criticality"] = criticality(data, r, draws, plans, unmet)
    tables["comparison"] = comparison(data, plans, unmet, nominal_world, critical)
    return tables


def criticality(
    data: PlanningData,
    r: Rates,
    draws: list[Draw],
    plans: dict[str, PlannedTours],
    unmet: dict[str, np.ndarray],
) -> pd.DataFrame:
    """Pledges ranked by the weighted requirement-months their failure costs each plan.

    ``loss_if_withdrawn``: this pledge alone withdrawn, nothing else disrupted (exact).
    ``excess_when_withdrawn``: mean weighted unmet over the draws in which it was withdrawn minus
    the mean over those in which it was not (empty when it never or always was).
    """
    weight = data.requirements["weight"].to_numpy()
    pl, cand = data.pledges, data.candidates
    out = []
    withdrawn = np.array([d.withdrawn for d in draws]) if draws else np.zeros((0, len(pl)), bool)
    for name, planned in plans.items():
        units = planned.units
        loss = withdrawal_losses(data, units, r)
        used = units > 0
        served = pd.DataFrame(
            {
                "pledge": cand["pledge"].to_numpy()[used],
                "mission": data.requirements["mission_id"].to_numpy()[cand["req"].to_numpy()[used]],
                "units": units[used],
            }
        )
        agg = served.groupby("pledge").agg(
            units=("units", "sum"),
            missions=("mission", lambda s: ";".join(sorted(set(map(str, s))))),
        )
        w = unmet[name] @ weight
        pledges = agg.index.to_numpy(dtype=np.int64)
        hit = withdrawn[:, pledges]
        n_hit = hit.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_hit = (w @ hit) / n_hit
            mean_miss = (w @ ~hit) / (len(w) - n_hit)
        excess = np.where((n_hit > 0) & (n_hit < len(w)), mean_hit - mean_miss, np.nan)
        rows = pd.DataFrame(
            {
                "plan": name,
                "pledge_id": pl["id"].to_numpy()[pledges],
                "contributor_id": pl["contributor_id"].to_numpy()[pledges],
                "unit_type_id": pl["unit_type_id"].to_numpy()[pledges],
                "missions": agg["missions"].to_numpy(),
                "tours_units": agg["units"].to_numpy(int),
                "loss_if_withdrawn": loss[pledges],
                "excess_when_withdrawn": excess,
                "draws_withdrawn": n_hit.astype(int),
            }
        )
        frame = rows
        if len(frame):
            frame = frame.sort_values(
                ["loss_if_withdrawn", "excess_when_withdrawn", "pledge_id"],
                ascending=[False, False, True],
                kind="mergesort",
            )
            frame.insert(1, "rank", np.arange(1, len(frame) + 1))
        out.append(frame)
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def comparison(
    data: PlanningData,
    plans: dict[str, PlannedTours],
    unmet: dict[str, np.ndarray],
    nominal_world: dict[str, np.ndarray],
    critical: np.ndarray,
) -> pd.DataFrame:
    """The plans side by side under the same draws (one column per plan)."""
    weight = data.requirements["weight"].to_numpy()
    cost = data.candidates["cost"].to_numpy()
    cols = {}
    for name, u in unmet.items():
        w, total = u @ weight, u.sum(axis=1)
        planned = plans.get(name)
        world = nominal_world.get(name, nominal_world["nominal"])
        cols[name] = {
            "planned_cost_usd": float(cost @ planned.units) if planned else float("nan"),
            "unmet_without_disruption": float(world.sum()),
            "mean_unmet_requirement_months": float(np.nanmean(total)),
            "p95_unmet_requirement_months": float(np.nanquantile(total, 0.95)),
            "mean_weighted_unmet": float(np.nanmean(w)),
            "p95_weighted_unmet": float(np.nanquantile(w, 0.95)),
            "probability_all_critical_held": float(np.mean((u[:, critical] <= 1e-9).all(axis=1))),
            "probability_all_critical_as_planned": float(
                np.mean((u[:, critical] <= world[critical] + 1e-9).all(axis=1))
            ),
            "mean_share_critical_as_planned": float(
                np.mean((u[:, critical] <= world[critical] + 1e-9).mean(axis=1))
            )
            if critical.any()
            else float("nan"),
        }
    out = pd.DataFrame(cols)
    out.index.name = "figure"
    return out.reset_index()


def write_risk(tables: dict[str, pd.DataFrame], summary: dict[str, Any], out: Path) -> None:
    """Write every table as CSV (the long ones also as Parquet) and ``summary.json``."""
    out.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        if name in ("unmet", "outcomes"):
            write_table(table, out / name)
        else:
            tmp = out / f".{name}.csv.tmp"
            neutralised_frame(table).to_csv(tmp, index=False)  # formula-safe text cells
            tmp.replace(out / f"{name}.csv")
    write_json_atomic(out / "summary.json", summary)
