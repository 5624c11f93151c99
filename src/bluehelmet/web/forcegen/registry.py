"""The pledge registry's rules: stages, validation through the library's schema, CSV in and out.

Pledges are validated by the library's ``pledges`` schema (:func:`bluehelmet.model.validate.
coerce_table`), whether they come from the web form or a CSV file, so a value the library would
refuse is refused here with the same message (file or form, row, field, value, fix). The CSV
export is the library's pledge file (``scenario/pledges.csv`` columns, written by the one CSV
writer :func:`bluehelmet.io.write.write_csv`); a pledge not yet verified at a PCRS level is
exported with an empty ``pcrs_level``, which the library refuses to plan on until DPO verifies it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from bluehelmet.errors import BluehelmetError, Problem
from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.model.schema import entity, split_list
from bluehelmet.model.validate import coerce_table
from bluehelmet.web.forcegen.models import (
    FORCE_GENERATION_ORG,
    PCRS_LEVELS,
    Pledge,
    PledgeStage,
    Stage,
)

#: The bundled scenario whose catalogue (missions, contributors, unit types) the platform uses.
BASE_SCENARIO = "2018"
#: Stages from which a pledge may be moved to L2 or higher (PCRS: L2 follows an assessment and
#: advisory visit).
NEEDS_VISIT = (Stage.L2, Stage.L3, Stage.RDL)
LIST_FIELDS = ("excluded_missions", "excluded_regions", "languages")


class RegistryError(BluehelmetError):
    """A pledge or stage change that the registry's rules refuse; carries the problems."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@lru_cache(maxsize=1)
def catalogue() -> dict[str, pd.DataFrame]:
    """Missions, contributors and unit types of the bundled scenario (read once)."""
    from bluehelmet.scenario.io import load_scenario

    s = load_scenario(BASE_SCENARIO)
    return {"missions": s.missions, "contributors": s.contributors, "unit_types": s.unit_types}


def unit_type_choices() -> list[tuple[str, str]]:
    """``(id, name)`` of every unit type in the catalogue."""
    types = catalogue()["unit_types"]
    return [(str(i), f"{n} ({i})") for i, n in zip(types["id"], types["name"], strict=True)]


def latest_level(on: dt.date | None = None, field: str = "stage") -> Subquery:
    """Subquery: ``field`` of a pledge's latest PCRS level (L1-RDL) recorded on or before ``on``."""
    stages = PledgeStage.objects.filter(pledge=OuterRef("pk"), stage__in=list(PCRS_LEVELS))
    if on is not None:
        stages = stages.filter(on__lte=on)
    return Subquery(stages.order_by("-on", "-recorded_at", "-pk").values(field)[:1])


def latest_stage() -> Subquery:
    """Subquery: a pledge's latest stage of any kind."""
    return Subquery(
        PledgeStage.objects.filter(pledge=OuterRef("pk"))
        .order_by("-on", "-recorded_at", "-pk")
        .values("stage")[:1]
    )


def with_levels(pledges: QuerySet[Pledge], on: dt.date | None = None) -> QuerySet[Pledge]:
    """Pledges annotated with ``level`` (PCRS) and ``stage`` (latest step)."""
    return pledges.annotate(
        level=latest_level(on),
        level_on=latest_level(on, "on"),
        level_known=latest_level(on, "date_known"),
        stage=latest_stage(),
    )


# --- validation through the library's schema -------------------------------------------------


def text_row(values: dict[str, object]) -> dict[str, str]:
    """A pledge's values as the text a pledges CSV holds (lists joined with ``;``)."""
    out: dict[str, str] = {}
    for key, value in values.items():
        if value is None:
            out[key] = ""
        elif isinstance(value, (list, tuple)):
            out[key] = ";".join(str(v) for v in value)
        elif isinstance(value, dt.date):
            out[key] = value.isoformat()
        else:
            out[key] = str(value)
    return out


def validate(rows: pd.DataFrame, label: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Rows of text in the library's pledge columns, typed and checked against the catalogue.

    An empty ``pcrs_level`` stands for "not yet verified" (the platform's own stages); every
    other value goes through :func:`~bluehelmet.model.validate.coerce_table` exactly as in a
    scenario file.
    """
    rows = rows.reset_index(drop=True).astype(str)
    unverified = rows["pcrs_level"].str.strip() == "" if "pcrs_level" in rows else None
    checked = rows.copy()
    if unverified is not None:
        checked.loc[unverified, "pcrs_level"] = Stage.L1.value  # checked as the platform's
    table, problems = coerce_table("pledges", checked, label)
    if unverified is not None:
        table["pcrs_level"] = table["pcrs_level"].where(~unverified.to_numpy(), None)
    cat = catalogue()
    known = {
        "contributor_id": set(cat["contributors"]["id"]),
        "unit_type_id": set(cat["unit_types"]["id"]),
    }
    for col, ids in known.items():
        for i, value in enumerate(table[col]):
            if isinstance(value, str) and value not in ids:
                what = "contributors" if col == "contributor_id" else "unit types"
                problems.append(
                    Problem(
                        label,
                        i + 2,
                        col,
                        value,
                        f"not in the catalogue of {what}",
                        f"use one of the {len(ids)} {what} of the catalogue",
                    )
                )
    missions = set(cat["missions"]["id"])
    for i, value in enumerate(table["excluded_missions"]):
        for mission in split_list(value) if isinstance(value, str) else ():
            if mission not in missions:
                problems.append(
                    Problem(
                        label,
                        i + 2,
                        "excluded_missions",
                        mission,
                        "not a mission of the catalogue",
                        f"use mission ids such as {', '.join(sorted(missions)[:4])}",
                    )
                )
    return table, problems


def stage_problem(
    pledge: Pledge, stage: Stage, on: dt.date, reader: AccessContext, today: dt.date | None = None
) -> Problem | None:
    """Why recording ``stage`` on ``on`` for ``pledge`` is refused (``None``: allowed)."""
    today = today or dt.date.today()
    where = f"pledge {pledge.uid}"
    if stage in (Stage.REGISTERED, Stage.WITHDRAWN):
        return Problem(
            where,
            None,
            "stage",
            stage.value,
            "a pledge is registered once, when it is created, and withdrawn with its own action",
            "record a PCRS level or an assessment visit",
        )
    if withdrawn_on(pledge) is not None:
        return Problem(
            where,
            None,
            "stage",
            stage.value,
            f"the pledge was withdrawn on {withdrawn_on(pledge)}",
            "register a new pledge for a new offer",
        )
    if reader.organisation != FORCE_GENERATION_ORG:
        return Problem(
            where,
            None,
            "stage",
            stage.value,
            f"only {FORCE_GENERATION_ORG} force generation records stages",
            "ask the force generation service to verify the pledge",
        )
    if on > today:
        return Problem(
            where,
            None,
            "on",
            on.isoformat(),
            "a stage is recorded when it has happened",
            f"give a date on or before {today.isoformat()}",
        )
    registered = pledge.stages.filter(stage=Stage.REGISTERED).values_list("on", flat=True).first()
    if registered is not None and on < registered:
        return Problem(
            where,
            None,
            "on",
            on.isoformat(),
            "before the pledge was registered",
            f"give a date on or after {registered.isoformat()}",
        )
    if (
        stage in NEEDS_VISIT
        and not pledge.stages.filter(stage=Stage.ASSESSMENT_VISIT, on__lte=on).exists()
    ):
        return Problem(
            where,
            None,
            "stage",
            stage.value,
            "a pledge moves to L2 or higher only after an assessment and advisory visit",
            "record the assessment visit (with its date) first",
        )
    return None


def record_stage(
    pledge: Pledge, stage: Stage, on: dt.date, reader: AccessContext, username: str, note: str = ""
) -> PledgeStage:
    """Record a stage of ``pledge`` (DPO force generation), or raise :class:`RegistryError`."""
    problem = stage_problem(pledge, stage, on, reader)
    if problem is not None:
        raise RegistryError([problem])
    return PledgeStage.objects.create(
        pledge=pledge,
        stage=stage.value,
        on=on,
        recorded_by=username,
        organisation=reader.organisation,
        note=note,
    )


def withdrawn_on(pledge: Pledge) -> dt.date | None:
    """The date ``pledge`` was withdrawn (``None`` while it stands)."""
    on: dt.date | None = (
        pledge.stages.filter(stage=Stage.WITHDRAWN).values_list("on", flat=True).first()
    )
    return on


def withdraw(
    pledge: Pledge,
    on: dt.date,
    reader: AccessContext,
    username: str,
    note: str = "",
    force_generation: bool = False,
) -> PledgeStage:
    """Withdraw ``pledge`` from ``on`` (its owner, or DPO ``force_generation``), or raise.

    A withdrawn pledge is not planned on from that date (a plan of the registry at an earlier
    date still sees it, as it was); its offer and stages are kept, and nothing more is recorded.
    """
    where = f"pledge {pledge.uid}"
    problems = []
    if pledge.owner not in reader.policy.principals and not force_generation:
        problems.append(
            Problem(
                where,
                None,
                "stage",
                Stage.WITHDRAWN.value,
                "only the pledge's owner or DPO force generation withdraws it",
                "ask the pledge's owner",
            )
        )
    elif (before := withdrawn_on(pledge)) is not None:
        problems.append(
            Problem(
                where,
                None,
                "stage",
                Stage.WITHDRAWN.value,
                f"already withdrawn on {before}",
                "nothing to do",
            )
        )
    registered = pledge.stages.filter(stage=Stage.REGISTERED).values_list("on", flat=True).first()
    if on > dt.date.today() or (registered is not None and on < registered):
        problems.append(
            Problem(
                where,
                None,
                "on",
                on.isoformat(),
                "a withdrawal is dated between the registration and today",
                f"give a date from {registered} to {dt.date.today()}",
            )
        )
    if problems:
        raise RegistryError(problems)
    return PledgeStage.objects.create(
        pledge=pledge,
        stage=Stage.WITHDRAWN.value,
        on=on,
        recorded_by=username,
        organisation=reader.organisation,
        note=note,
    )


# --- CSV in and out --------------------------------------------------------------------------


def pledge_frame(
    pledges: QuerySet[Pledge], on: dt.date | None = None, versions: Mapping[int, Any] | None = None
) -> pd.DataFrame:
    """The pledges as text in the library's ``pledges`` columns.

    ``pcrs_level`` is the latest PCRS level on or before ``on``, ``level_since`` the date it was
    recorded (empty when that date is not known). With ``versions`` (pledge key -> the pledge's
    version in force, :func:`bluehelmet.web.forcegen.history.versions_on`) the offer's fields
    are the version's; the need-to-know columns stay the pledge's current ones.
    """
    columns = entity("pledges").column_names
    rows = []
    for p in with_levels(pledges, on).order_by("uid"):
        v = p if versions is None else versions.get(p.pk, p)
        rows.append(
            text_row(
                {
                    "id": p.uid,
                    "contributor_id": v.contributor,
                    "unit_type_id": v.unit_type,
                    "count": v.count,
                    "pcrs_level": p.level or "",
                    "available_from": v.available_from,
                    "level_since": p.level_on if p.level_known else None,
                    "available_until": v.available_until,
                    "rotation_months": v.rotation_months,
                    "women_share": v.women_share,
                    "excluded_missions": v.excluded_missions,
                    "excluded_regions": v.excluded_regions,
                    "languages": v.languages,
                    "national_restrictions": v.national_restrictions,
                    "classification": p.classification,
                    "owner": p.owner,
                    "releasable_to": p.releasable_to,
                    "basis": v.basis,
                    "source": v.source,
                }
            )
        )
    frame = pd.DataFrame(rows, columns=list(columns)).fillna("")
    return frame.astype("string")


def export_pledges(pledges: QuerySet[Pledge], path: Path) -> int:
    """Write ``pledges`` as the library's pledge CSV at ``path``; returns the rows written."""
    from bluehelmet.io.write import write_csv

    frame = pledge_frame(pledges)
    write_csv(frame, path)
    return len(frame)


@dataclass
class ImportOutcome:
    """What a CSV import did: rows read = created + updated + unchanged, or the problems.

    ``unchanged`` are others' pledges, and withdrawn ones, exactly as the registry holds them
    (an exported file imported back); they are not the importer's to change.
    """

    rows: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def import_pledges(
    path: Path, label: str, reader: AccessContext, username: str, force_generation: bool
) -> ImportOutcome:
    """Import a pledges CSV (the library's format): every row, or none and every problem.

    A member state imports pledges it owns and contributes; the ``pcrs_level`` it gives is kept
    as its declared level (DPO verifies it). DPO force generation may import pledges it owns of
    any contributor, and their levels are recorded as verified stages dated ``level_since``
    (the import date when it is empty).
    """
    from bluehelmet.scenario.io import read_text_csv

    raw = read_text_csv(path, empty_columns=entity("pledges").column_names)
    out = ImportOutcome(rows=len(raw))
    table, problems = validate(raw, label)
    acts_for = set(reader.policy.principals)
    # Rows of others' pledges and of withdrawn ones exactly as the export wrote them are kept as
    # they are (a file exported and imported back); any change to them is refused below.
    withdrawn = Exists(PledgeStage.objects.filter(pledge=OuterRef("pk"), stage=Stage.WITHDRAWN))
    theirs = pledge_frame(
        Pledge.objects.visible_to(reader).filter(
            Q(withdrawn) | ~Q(owner__in=acts_for), uid__in=list(raw.get("id", pd.Series(dtype=str)))
        )
    )
    current = {r["id"]: r for r in theirs.astype(str).to_dict("records")}
    same = [
        str(r.get("id")) in current
        and {k: str(r.get(k, "")) for k in current[str(r.get("id"))]} == current[str(r.get("id"))]
        for r in raw.astype(str).to_dict("records")
    ]
    out.unchanged = [str(i) for i, s in zip(raw.get("id", []), same, strict=False) if s]
    table = table[[not s for s in same]]
    for i, row in table.iterrows():
        line = int(str(i)) + 2
        if row["owner"] not in acts_for:
            problems.append(
                Problem(
                    label,
                    line,
                    "owner",
                    str(row["owner"]),
                    f"you import as {reader.organisation}",
                    f"write {reader.organisation} (pledges are owned by the "
                    "organisation that registers them)",
                )
            )
        if not force_generation and row["contributor_id"] != reader.organisation:
            problems.append(
                Problem(
                    label,
                    line,
                    "contributor_id",
                    str(row["contributor_id"]),
                    "a member state registers its own pledges",
                    f"write {reader.organisation}",
                )
            )
        if Classification.parse(str(row["classification"])) > reader.clearance:
            problems.append(
                Problem(
                    label,
                    line,
                    "classification",
                    str(row["classification"]),
                    "above your clearance",
                    f"classify at or below {reader.clearance.label}",
                )
            )
    gone = dict(
        PledgeStage.objects.filter(
            stage=Stage.WITHDRAWN, pledge__uid__in=[str(i) for i in table["id"]]
        ).values_list("pledge__uid", "on")
    )
    for i, row in table.iterrows():
        if row["id"] in gone:
            problems.append(
                Problem(
                    label,
                    int(str(i)) + 2,
                    "id",
                    str(row["id"]),
                    f"the pledge was withdrawn on {gone[row['id']]}",
                    "give a new id for a new offer",
                )
            )
    if problems:
        out.problems = sorted(problems, key=lambda p: (p.row or 0, p.field or ""))
        return out
    today = dt.date.today()
    with transaction.atomic():
        for record in table.to_dict("records"):
            values = pledge_values(record)
            level = record["pcrs_level"]
            existing = Pledge.objects.filter(uid=record["id"]).first()
            if existing is None:
                pledge = Pledge.objects.create(
                    uid=record["id"],
                    created_by=username,
                    **values,
                    declared_level="" if force_generation else (level or ""),
                )
                PledgeStage.objects.create(
                    pledge=pledge,
                    stage=Stage.REGISTERED.value,
                    on=today,
                    recorded_by=username,
                    organisation=reader.organisation,
                    note=f"imported from {label}",
                )
                out.created.append(pledge.uid)
            else:
                Pledge.objects.filter(pk=existing.pk).update(**values)
                pledge = existing
                out.updated.append(pledge.uid)
            if force_generation and level:
                since: Any = record.get("level_since")
                PledgeStage.objects.create(
                    pledge=pledge,
                    stage=level,
                    on=today if _missing(since) else pd.Timestamp(since).date(),
                    recorded_by=username,
                    organisation=reader.organisation,
                    note=f"level given in {label}",
                )
    return out


def _missing(value: Any) -> bool:
    return value is None or bool(pd.isna(value))


def pledge_values(row: Mapping[Hashable, Any]) -> dict[str, Any]:
    """Model field values of one typed row of the library's pledges table."""

    def lst(value: Any) -> list[str]:
        if isinstance(value, (list, tuple)):
            return [str(v) for v in value]
        return split_list(value) if isinstance(value, str) else []

    def day(value: Any) -> dt.date | None:
        return None if _missing(value) else pd.Timestamp(value).date()

    restrictions = row["national_restrictions"]
    return {
        "contributor": row["contributor_id"],
        "unit_type": row["unit_type_id"],
        "count": int(row["count"]),
        "available_from": day(row["available_from"]),
        "available_until": day(row["available_until"]),
        "rotation_months": int(row["rotation_months"]),
        "women_share": float(row["women_share"]),
        "excluded_missions": lst(row["excluded_missions"]),
        "excluded_regions": lst(row["excluded_regions"]),
        "languages": lst(row["languages"]),
        "national_restrictions": "" if _missing(restrictions) else str(restrictions),
        "classification": row["classification"],
        "owner": row["owner"],
        "releasable_to": lst(row["releasable_to"]),
        "basis": row["basis"],
        "source": row["source"],
    }


def register(
    fields: dict[str, object], reader: AccessContext, username: str, answers: object | None = None
) -> Pledge:
    """Register a member state's pledge from the web form (validated as a CSV row would be).

    The pledge is owned and contributed by the reader's organisation, ``confidential`` unless
    the form says otherwise, released to DPO force generation, and starts at stage
    ``registered`` (dated today).
    """
    org = reader.organisation
    n = Pledge.objects.filter(uid__startswith=f"PLG-{org}-{fields['unit_type_id']}-").count()
    uid = f"PLG-{org}-{fields['unit_type_id']}-W{n + 1:02d}"
    while Pledge.objects.filter(uid=uid).exists():  # ids are never reused
        n += 1
        uid = f"PLG-{org}-{fields['unit_type_id']}-W{n + 1:02d}"
    row = text_row(
        {
            "id": uid,
            "contributor_id": org,
            "owner": org,
            "basis": "real",
            "source": f"registered on the platform by {org}",
            "releasable_to": [FORCE_GENERATION_ORG],
            **fields,
        }
    )
    table, problems = validate(pd.DataFrame([row]), "the pledge form")
    if problems:
        raise RegistryError(problems)
    record = table.to_dict("records")[0]
    values = pledge_values(record)
    with transaction.atomic():
        pledge = Pledge.objects.create(
            uid=uid,
            created_by=username,
            answers=answers,
            declared_level=str(record["pcrs_level"] or ""),
            **values,
        )
        PledgeStage.objects.create(
            pledge=pledge,
            stage=Stage.REGISTERED.value,
            on=dt.date.today(),
            recorded_by=username,
            organisation=org,
            note="registered on the platform",
        )
    return pledge


def update(pledge: Pledge, fields: dict[str, object], answers: object | None = None) -> Pledge:
    """Change a pledge's offer (its owner only; every change is kept by pghistory).

    ``answers``: the published request line the change answers (kept on the pledge).
    """
    if (gone := withdrawn_on(pledge)) is not None:
        raise RegistryError(
            [
                Problem(
                    f"pledge {pledge.uid}",
                    None,
                    "stage",
                    Stage.WITHDRAWN.value,
                    f"the pledge was withdrawn on {gone}",
                    "register a new pledge for a new offer",
                )
            ]
        )
    row = text_row(
        {
            "id": pledge.uid,
            "contributor_id": pledge.contributor,
            "owner": pledge.owner,
            "basis": pledge.basis,
            "source": pledge.source,
            "releasable_to": pledge.releasable_to,
            **fields,
        }
    )
    table, problems = validate(pd.DataFrame([row]), f"pledge {pledge.uid}")
    if problems:
        raise RegistryError(problems)
    record = table.to_dict("records")[0]
    values = pledge_values(record)
    if record["pcrs_level"]:
        values["declared_level"] = record["pcrs_level"]
    for key, value in values.items():
        setattr(pledge, key, value)
    if answers is not None:
        pledge.answers = answers
    pledge.save()
    return pledge
