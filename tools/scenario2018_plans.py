"""Requirements and pledges of the ``2018`` scenario (used by ``build_scenario_2018.py``).

Requirements come from two public bases: the authorised strength minus the 2018 deployment (for
the four large protection-of-civilians missions), and the capability gaps hand-curated in
``tools/facts/requirements_capability.csv``. Pledges are the real public ones
(``facts/pledges_real.csv``) plus illustrative ones (``facts/pledges_illustrative.csv``) whose
readiness, dates, rotation, women's share and (some) restrictions follow the rules below, drawn
from a random generator seeded by each pledge's id so that the build is reproducible and adding a
row does not change the others.
"""

from __future__ import annotations

import datetime as dt
import math
import zlib
from collections.abc import Callable

import numpy as np
import pandas as pd

#: Missions whose gap between authorised and deployed strength is treated as a need. UNIFIL's
#: 15,000 ceiling (2006) and the observer missions' figures are ceilings the UN did not seek to
#: fill; UNAMID was drawing down.
GAP_MISSIONS = ("MINUSMA", "MINUSCA", "MONUSCO", "UNMISS")
HORIZON = (dt.date(2018, 7, 1), dt.date(2020, 6, 30))
#: Capabilities that work with the population and host authorities: in a francophone mission they
#: must work in French. Technical enablers (aviation, ISR, intelligence, medical, engineering,
#: signals, logistics, riverine, airlift) work in English there, as Canada's, Germany's and
#: Sweden's units did in MINUSMA (assumed rule; an empty language would mean French).
POPULATION_FACING = frozenset(
    {"infantry", "quick_reaction", "special_forces", "police", "staff_observers"}
)
CONFIDENTIAL = {"classification": "confidential", "owner": "UN-DPO", "releasable_to": ""}

# --- requirements -----------------------------------------------------------------------------


def _half_up(x: float) -> int:
    return math.floor(x + 0.5)


def strength_gaps(
    missions: pd.DataFrame, deployments: pd.DataFrame, unit_types: pd.DataFrame
) -> pd.DataFrame:
    """Infantry battalions and FPUs needed to fill each gap mission to its authorised strength.

    The deployments carry no personnel type, so the gap is split between military and police in
    proportion to the authorised military and police ceilings.
    """
    deployed = (deployments["women"] + deployments["men"]).groupby(deployments["mission_id"]).sum()
    size = unit_types.set_index("id")["personnel"]
    rows = []
    for m in missions.loc[missions["id"].isin(GAP_MISSIONS)].itertuples():
        troops, police = int(str(m.authorised_troops)), int(str(m.authorised_police))
        gap = troops + police - int(deployed.get(m.id, 0))
        if gap <= 0:
            continue
        troop_gap = gap * troops / (troops + police)
        for unit, persons in (("inf_bn", troop_gap), ("fpu", gap - troop_gap)):
            count = _half_up(persons / int(size[unit]))
            if count < 1:
                continue
            rows.append(
                {
                    "mission_id": m.id,
                    "unit_type_id": unit,
                    "count": str(count),
                    "start": HORIZON[0].isoformat(),
                    "end": HORIZON[1].isoformat(),
                    "priority": "high",
                    "source": (
                        f"illustrative: authorised {troops:,} military + {police:,} police "
                        f"minus {int(deployed.get(m.id, 0)):,} deployed (2018 average) = "
                        f"{gap:,} persons, split pro rata: {persons:,.0f} -> {count} x "
                        f"{unit} of {int(size[unit])} (rounded half up)"
                    ),
                }
            )
    return pd.DataFrame(rows)


def build_requirements(
    missions: pd.DataFrame,
    deployments: pd.DataFrame,
    capability: pd.DataFrame,
    unit_types: pd.DataFrame,
) -> pd.DataFrame:
    """All requirements as text rows with the common columns (confidential, owner UN-DPO)."""
    rows = pd.concat(
        [strength_gaps(missions, deployments, unit_types), capability], ignore_index=True
    )
    mission_lang = rows["mission_id"].map(missions.set_index("id")["language"].astype(str))
    capability_of = rows["unit_type_id"].map(unit_types.set_index("id")["capability"].astype(str))
    facing = capability_of.isin(POPULATION_FACING)
    rows["language"] = np.where(mission_lang == "en", "", np.where(facing, mission_lang, "en"))
    technical = (mission_lang != "en") & ~facing
    rows.loc[technical, "source"] = rows.loc[technical, "source"] + (
        "; language en: technical enabler, works in English (aviation per ICAO), assumed"
    )
    rows["id"] = "REQ-" + rows["mission_id"] + "-" + rows["unit_type_id"]
    if rows["id"].duplicated().any():
        dupes = sorted(rows.loc[rows["id"].duplicated(), "id"])
        raise ValueError(f"duplicate requirements: {dupes}")
    rows["basis"] = "illustrative"
    return rows.assign(**CONFIDENTIAL).sort_values("id", ignore_index=True)


def requirements_as_totals(
    requirements: pd.DataFrame, in_place: pd.DataFrame, start: dt.date
) -> pd.DataFrame:
    """Requirements restated as the total a mission needs: open need + units in place at start.

    The requirements above are what was open on the planning start (authorised minus deployed,
    capability gaps). The planner subtracts the force in place month by month, so each count
    becomes that open need plus the units of the mission and unit type in place for the whole
    first month (the planner's rule, :mod:`bluehelmet.forcegen.inplace`); the source says so.
    Units in place moved from the pledge registry (``pledge_id`` set) are not added: the open
    need already counted on them (the planner of the previous release filled it with that
    pledge, e.g. Germany's Heron for MINUSMA's UAS requirement, Portugal's QRF for MINUSCA's).
    """
    first = pd.Timestamp(start)
    last = first + pd.offsets.MonthEnd(0)
    since, until = pd.to_datetime(in_place["since"]), pd.to_datetime(in_place["until"])
    there = in_place[
        (since.isna() | (since <= first))
        & (until.isna() | (until >= last))
        & in_place["pledge_id"].isna()
    ]
    n = there.groupby(["mission_id", "unit_type_id"])["count"].sum()
    out = requirements.copy()
    key = pd.MultiIndex.from_arrays(
        [out["mission_id"].astype(str), out["unit_type_id"].astype(str)]
    )
    add = n.reindex(key).fillna(0).astype("int64").to_numpy()
    old = out["count"].astype("int64").to_numpy()
    out["count"] = old + add
    has = add > 0
    out.loc[has, "source"] = [
        f"{src}; count = total the mission needs: {o} open on "
        f"{first:%-d %B %Y} + {a} in place then (units_in_place)"
        for src, o, a in zip(out.loc[has, "source"], old[has], add[has], strict=True)
    ]
    return out


# --- pledges ----------------------------------------------------------------------------------

LEVEL_WEIGHTS = {  # by the contributor's 2018 deployment size (assumed)
    "large": [0.15, 0.35, 0.35, 0.15],  # >= 2,000 deployed
    "medium": [0.30, 0.35, 0.25, 0.10],  # >= 300
    "small": [0.45, 0.35, 0.15, 0.05],
}
LEVELS = ["L1", "L2", "L3", "RDL"]
#: Women's share of a unit relative to its contributor's 2018 average, by capability (assumed):
#: medical and police units have more women, aviation and special forces fewer.
WOMEN_FACTOR = {
    "medical": 2.0,
    "police": 1.5,
    "staff_observers": 1.5,
    "signals": 1.2,
    "aviation": 0.5,
    "special_forces": 0.3,
    "quick_reaction": 0.7,
    "tactical_airlift": 0.7,
}
ORG_WOMEN_SHARE = {"AU": 0.05, "EU": 0.08}
RESTRICTIONS = {
    "aviation": [
        "daylight operations only",
        "no flights across international borders",
        "no offensive air operations",
    ],
    "default": [
        "no offensive operations",
        "unit must deploy as one (no split deployment)",
        "requires a level II hospital within one hour",
        "no operations beyond 300 km of its base without national approval",
    ],
}
UNTIL_MONTHS = [12, 18, 24, 36, None]
UNTIL_WEIGHTS = [0.25, 0.2, 0.25, 0.1, 0.2]


def _add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    return dt.date(day.year + y, m + 1, 1)


def _pledge_ids(rows: pd.DataFrame) -> pd.Series:
    base = "PLG-" + rows["contributor_id"] + "-" + rows["unit_type_id"]
    return base + "-" + (rows.groupby(base).cumcount() + 1).map("{:02d}".format)


def illustrative_attributes(
    pid: str, row: pd.Series, capability: str, women_base: float, tier: str, rotation: str
) -> dict[str, str]:
    """Readiness, dates, women's share and restriction of one illustrative pledge.

    ``rotation`` is the pledge's rotation period in months, from the scenario's
    ``rotation_periods`` table (the contributor's row for the unit type, else the unit type's):
    data, not a rule by region.
    """
    rng = np.random.default_rng(zlib.crc32(pid.encode()))
    level = row["pcrs_level"] or str(rng.choice(LEVELS, p=LEVEL_WEIGHTS[tier]))
    offsets = np.arange(19)
    start = _add_months(
        HORIZON[0], int(rng.choice(offsets, p=(19 - offsets) / (19 - offsets).sum()))
    )
    span = UNTIL_MONTHS[int(rng.choice(len(UNTIL_MONTHS), p=UNTIL_WEIGHTS))]
    until = "" if span is None else (_add_months(start, span) - dt.timedelta(days=1)).isoformat()
    if row["women_share"]:
        women = float(row["women_share"])
    else:
        women = round(min(0.6, women_base * WOMEN_FACTOR.get(capability, 1.0)), 2)
    restriction = row["national_restrictions"]
    if not restriction and rng.random() < 0.15:
        options = RESTRICTIONS["aviation" if capability == "aviation" else "default"]
        restriction = str(rng.choice(options))
    return {
        "pcrs_level": level,
        "available_from": start.isoformat(),
        "available_until": until,
        "rotation_months": str(rotation),
        "women_share": repr(women),
        "national_restrictions": restriction,
    }


def build_pledges(
    real: pd.DataFrame,
    illustrative: pd.DataFrame,
    women_2018: pd.Series,
    deployed_2018: pd.Series,
    rotation: Callable[[str, str], tuple[str, str]],
    missions: list[str],
    capabilities: pd.Series,
) -> pd.DataFrame:
    """The pledge registry as text rows with the common columns.

    Parameters
    ----------
    real, illustrative
        The two facts tables (text).
    women_2018, deployed_2018
        Each contributor's 2018 women's share and total deployed (by ISO3).
    rotation
        (months, basis) of the rotation period of a unit type and contributor, from the
        scenario's ``rotation_periods`` table.
    missions
        Mission ids in the scenario (caveats must name only these).
    capabilities
        Capability family per unit type id.
    """
    real = real.assign(basis="real", owner="UN-DPO", releasable_to="")
    real["id"] = _pledge_ids(real)
    ill = illustrative.copy()
    ill["id"] = _pledge_ids(pd.concat([real, ill], ignore_index=True)).iloc[len(real) :].to_numpy()
    records = []
    for _, row in ill.iterrows():
        cid = row["contributor_id"]
        size = float(deployed_2018.get(cid, 0))
        tier = "large" if size >= 2000 else "medium" if size >= 300 else "small"
        base = ORG_WOMEN_SHARE.get(cid, float(women_2018.get(cid, 0.0)))
        months, rotation_basis = rotation(str(row["unit_type_id"]), str(cid))
        attrs = illustrative_attributes(
            row["id"], row, str(capabilities[row["unit_type_id"]]), base, tier, months
        )
        fields = {str(k): v for k, v in row.drop(labels=["basis"]).items()}
        records.append(
            {
                **fields,
                **attrs,
                "basis": "illustrative",
                **CONFIDENTIAL,
                "source": (
                    f"illustrative: {row['basis']}; level, dates and "
                    "women's share from the builder's rules (contributor's 2018 "
                    "deployment size and women's share; docs/scenario-2018.md); "
                    f"rotation from {rotation_basis}"
                ),
            }
        )
    out = pd.concat([real, pd.DataFrame(records)], ignore_index=True)
    named = out["excluded_missions"].str.split(";").explode().str.strip()
    unknown = sorted(set(named[named != ""]) - set(missions))
    if unknown:
        raise ValueError(f"pledge caveats name missions not in the scenario: {unknown}")
    return out.sort_values("id", ignore_index=True)
