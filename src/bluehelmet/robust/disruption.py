"""The disruption model: which pledges fail and how late units arrive, drawn per draw.

Every parameter is declared once in :data:`PARAMETERS` with its unit and source ("assumed" when
it is ours). A risk model file (TOML) may change them and set them per mission, contributor or
pledge::

    [parameters]
    pledge_withdraw_probability = 0.15

    [mission.MINUSMA]                # host-state obstruction is worse here
    delay_probability = 0.5
    delay_mean_months = 2

    [contributor.NLD]
    withdraw_probability = 0.0

    [pledge."PLG-ARG-soc_team-01"]
    withdraw_probability = 0.5
    delay_probability = 0.0

A draw (:func:`draw`) withdraws each contributor (all its pledges) and each pledge with its
probability, delays each pledge's readiness by a geometric number of months (late equipment, a
failed assessment visit) with its probability, and each mission's arrivals by another
(host-state obstruction: visas, customs). A unit planned to start in month ``s`` then arrives in
``max(s, earliest + delay)``, ``earliest`` being the first month it could have started at all,
and counts from its hand-over after arrival until its planned end. Draw ``i`` of seed ``S`` uses
``numpy.random.SeedSequence(S, spawn_key=(stream, i))`` — the ``i``-th child of
``SeedSequence(S).spawn`` for stream 0 — so each draw is reproducible on its own, on any worker.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bluehelmet.errors import DataError, Problem
from bluehelmet.forcegen.data import PlanningData

_AFP_2016 = (
    "AFP, 'UN: Countries slow to deliver promised peacekeeping contributions', "
    "17 June 2016: of 46 countries that pledged at the September 2015 Leaders' Summit, "
    "14 had failed completely or partly to deliver nine months later"
)
_GPOR_2016 = (
    "R. Rappa, 'The Challenges of Full Deployment on UN Peace Operations', Global "
    "Peace Operations Review, 2016: missions in Africa took almost 12 months to reach "
    "peak deployment, missions elsewhere less than 7"
)


@dataclass(frozen=True)
class RiskParameter:
    """A parameter of the disruption model."""

    value: float
    unit: str
    source: str
    description: str


#: The model's parameters at their defaults.
PARAMETERS: dict[str, RiskParameter] = {
    "pledge_withdraw_probability": RiskParameter(
        0.10,
        "probability",
        f"assumed; order of magnitude from {_AFP_2016} (30 %, partial "
        "deliveries included, over nine months)",
        "chance that a pledge is withdrawn or not delivered within the horizon",
    ),
    "contributor_withdraw_probability": RiskParameter(
        0.03,
        "probability",
        "assumed (the AFP 2016 report names Spain withdrawing its whole "
        "UNIFIL offer over a command dispute; no rate is published)",
        "chance that a contributor withdraws all its pledges",
    ),
    "pledge_delay_probability": RiskParameter(
        0.30,
        "probability",
        "assumed (late equipment, failed assessment and advisory visits; "
        "DOMAIN.md: PCRS lead times are not published)",
        "chance that a pledge's readiness slips",
    ),
    "pledge_delay_mean_months": RiskParameter(
        2.0, "months", "assumed", "mean slip of a slipping pledge (geometric, at least 1)"
    ),
    "mission_delay_probability": RiskParameter(
        0.20,
        "probability",
        "assumed (host-state obstruction is named in the 2018 debate, "
        "seed/kamerbrief-2018-03-23, without figures)",
        "chance that a host state delays every arrival into a mission (visas, customs)",
    ),
    "mission_delay_mean_months": RiskParameter(
        1.0, "months", "assumed", "mean of a mission-wide arrival delay (geometric, at least 1)"
    ),
    "africa_delay_factor": RiskParameter(
        1.7,
        "factor",
        f"derived: 12 / 7 from {_GPOR_2016}",
        "mission delay means are multiplied by this for missions in region africa",
    ),
}

#: Per-entity keys a risk model file may set.
ENTITY_KEYS = {
    "mission": ("delay_probability", "delay_mean_months"),
    "contributor": ("withdraw_probability",),
    "pledge": ("withdraw_probability", "delay_probability", "delay_mean_months"),
}


@dataclass
class DisruptionModel:
    """The parameters in force, and per-mission, -contributor and -pledge settings."""

    parameters: dict[str, float] = field(
        default_factory=lambda: {k: p.value for k, p in PARAMETERS.items()}
    )
    entities: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    file: str = ""

    def table(self) -> pd.DataFrame:
        """Every parameter in force with unit, source and description (``model.csv``)."""
        rows = [
            {
                "parameter": k,
                "applies_to": "all",
                "value": v,
                "unit": PARAMETERS[k].unit,
                "source": PARAMETERS[k].source
                if v == PARAMETERS[k].value
                else f"risk model file {self.file}",
                "description": PARAMETERS[k].description,
            }
            for k, v in self.parameters.items()
        ]
        for kind, ents in self.entities.items():
            for ident, values in ents.items():
                rows.extend(
                    {
                        "parameter": key,
                        "applies_to": f"{kind} {ident}",
                        "value": v,
                        "unit": "months" if "months" in key else "probability",
                        "source": f"risk model file {self.file}",
                        "description": "",
                    }
                    for key, v in values.items()
                )
        return pd.DataFrame(rows)


def load_model(path: str | Path | None) -> DisruptionModel:
    """The default model, changed by the risk model file at ``path`` if given.

    Raises
    ------
    DataError
        Naming the file, the key and the value that is wrong and what would be right.
    """
    model = DisruptionModel()
    if path is None:
        return model
    p = Path(path)
    model.file = str(p)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DataError(
            [
                Problem(
                    str(p),
                    None,
                    None,
                    None,
                    f"cannot read the risk model: {exc}",
                    "write valid TOML (see docs/robustness.md)",
                )
            ]
        ) from exc
    problems: list[Problem] = []

    def check(fld: str, key: str, value: Any) -> float | None:
        try:
            v = float(value)
        except (TypeError, ValueError):
            v = float("nan")
        ok = v >= 0 and (v <= 1 if "probability" in key else v < 1e6)
        if key.endswith("delay_mean_months"):
            ok = ok and v >= 1
        if not ok:
            problems.append(
                Problem(
                    str(p),
                    None,
                    fld,
                    value,
                    "out of range",
                    "a probability in [0, 1]"
                    if "probability" in key
                    else "a number of months >= 1"
                    if "months" in key
                    else "a number >= 0",
                )
            )
            return None
        return v

    for key, value in raw.get("parameters", {}).items():
        if key not in PARAMETERS:
            problems.append(
                Problem(
                    str(p),
                    None,
                    f"parameters.{key}",
                    value,
                    "unknown parameter",
                    f"use one of: {', '.join(PARAMETERS)}",
                )
            )
        elif (v := check(f"parameters.{key}", key, value)) is not None:
            model.parameters[key] = v
    for kind, ents in raw.items():
        if kind == "parameters":
            continue
        if kind not in ENTITY_KEYS or not isinstance(ents, dict):
            problems.append(
                Problem(
                    str(p),
                    None,
                    kind,
                    None,
                    "unknown table",
                    "use parameters, mission, contributor or pledge",
                )
            )
            continue
        for ident, values in ents.items():
            for key, value in dict(values).items():
                fld = f"{kind}.{ident}.{key}"
                if key not in ENTITY_KEYS[kind]:
                    problems.append(
                        Problem(
                            str(p),
                            None,
                            fld,
                            value,
                            "unknown key",
                            f"use one of: {', '.join(ENTITY_KEYS[kind])}",
                        )
                    )
                elif (v := check(fld, key, value)) is not None:
                    model.entities.setdefault(kind, {}).setdefault(str(ident), {})[key] = v
    if problems:
        raise DataError(problems)
    return model


@dataclass
class Draw:
    """One draw of disruptions, aligned with the planning data's pledges and missions."""

    index: int
    withdrawn: np.ndarray
    pledge_delay: np.ndarray
    mission_delay: np.ndarray


@dataclass
class Rates:
    """Per-pledge, per-contributor and per-mission probabilities and means, as arrays."""

    missions: np.ndarray
    contributors: np.ndarray
    pledge_contributor: np.ndarray
    req_mission: np.ndarray
    p_withdraw: np.ndarray
    c_withdraw: np.ndarray
    p_delay: np.ndarray
    p_delay_mean: np.ndarray
    m_delay: np.ndarray
    m_delay_mean: np.ndarray


def rates(model: DisruptionModel, data: PlanningData) -> Rates:
    """The model's probabilities for the pledges, contributors and missions of ``data``.

    Raises
    ------
    DataError
        If the model file sets a mission, contributor or pledge the data does not have.
    """
    par, ent = model.parameters, model.entities
    pl, req = data.pledges, data.requirements
    missions = np.array(sorted(set(req["mission_id"].astype(str))))
    contributors = np.array(sorted(set(pl["contributor_id"].astype(str))))
    known = {
        "mission": set(missions),
        "contributor": set(contributors),
        "pledge": set(pl["id"].astype(str)),
    }
    unknown = [
        Problem(
            model.file,
            None,
            f"{kind}.{i}",
            i,
            f"no such {kind} in the plan's data",
            f"use an id of a {kind} the planner sees",
        )
        for kind, ents in ent.items()
        for i in ents
        if i not in known[kind]
    ]
    if unknown:
        raise DataError(unknown)

    def per(kind: str, ids: np.ndarray, key: str, default: float) -> np.ndarray:
        own = ent.get(kind, {})
        return np.array([own.get(str(i), {}).get(key, default) for i in ids], float)

    region = req.drop_duplicates("mission_id").set_index("mission_id")["region"].astype(str)
    factor = np.where(
        region.reindex(missions).to_numpy() == "africa", par["africa_delay_factor"], 1.0
    )
    ids = pl["id"].astype(str).to_numpy()
    return Rates(
        missions,
        contributors,
        np.searchsorted(contributors, pl["contributor_id"].astype(str).to_numpy()),
        np.searchsorted(missions, req["mission_id"].astype(str).to_numpy()),
        per("pledge", ids, "withdraw_probability", par["pledge_withdraw_probability"]),
        per(
            "contributor",
            contributors,
            "withdraw_probability",
            par["contributor_withdraw_probability"],
        ),
        per("pledge", ids, "delay_probability", par["pledge_delay_probability"]),
        per("pledge", ids, "delay_mean_months", par["pledge_delay_mean_months"]),
        per("mission", missions, "delay_probability", par["mission_delay_probability"]),
        np.where(
            per("mission", missions, "delay_mean_months", np.nan) > 0,
            per("mission", missions, "delay_mean_months", np.nan),
            par["mission_delay_mean_months"] * factor,
        ),
    )


def seed_of(seed: int, index: int, stream: int = 0) -> np.random.SeedSequence:
    """The seed of draw ``index``: evaluation draws are stream 0, training draws stream 1."""
    return np.random.SeedSequence(seed, spawn_key=(stream, index))


def draw(r: Rates, seed: int, index: int, stream: int = 0) -> Draw:
    """Draw ``index`` of ``seed`` (the same arrays on every machine and in any order)."""
    rng = np.random.default_rng(seed_of(seed, index, stream))
    c_out = rng.random(len(r.c_withdraw)) < r.c_withdraw
    withdrawn = (rng.random(len(r.p_withdraw)) < r.p_withdraw) | c_out[r.pledge_contributor]
    slips = rng.random(len(r.p_delay)) < r.p_delay
    pledge_delay = np.where(slips, rng.geometric(1.0 / r.p_delay_mean), 0)
    obstructed = rng.random(len(r.m_delay)) < r.m_delay
    mission_delay = np.where(obstructed, rng.geometric(1.0 / r.m_delay_mean), 0)
    return Draw(index, withdrawn, pledge_delay.astype(np.int64), mission_delay.astype(np.int64))


def credit_start(data: PlanningData, r: Rates, d: Draw, handover: int) -> np.ndarray:
    """First month each candidate tour counts under draw ``d`` (-1: the pledge is withdrawn).

    A tour whose arrival slips past its end counts in no month (its start is after its end).
    """
    cand = data.candidates
    p, q = cand["pledge"].to_numpy(), cand["req"].to_numpy()
    delay = d.pledge_delay[p] + d.mission_delay[r.req_mission[q]]
    arrival = np.maximum(cand["start"].to_numpy(), cand["earliest"].to_numpy() + delay)
    return np.where(d.withdrawn[p], -1, arrival + handover)
