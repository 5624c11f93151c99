"""The library's report-store interface on the platform's PostgreSQL tables.

:class:`PlatformReportStore` implements :class:`bluehelmet.intel.store.ReportStore` (add, view,
count, check) over :class:`~bluehelmet.web.reports.models.Report`, so a CSV upload goes through
the library's importer (:func:`bluehelmet.intel.importing.read_input` and
:func:`~bluehelmet.intel.importing.add_to_store`): the same validation, repairs, rejects and
write rights as ``bluehelmet intel import``.

Identity. The library keys a report by ``(owner, classification, id)``: a writer can only
collide with ids in a namespace it can read, so no answer reveals a hidden id. The platform keys
reports by one ``uid``; an uploaded report's uid is therefore ``id@owner:classification`` (for
example ``p-7@MINUSMA-JOC:confidential``). Published event data (UCDP GED, written with no
writer) keeps its id (``ucdp-123``), as the demo seeds it. Importing the same file twice adds
nothing; a different report under a used id is rejected, as in the library.

Everything runs inside the request's transaction, as the request's reader (row-level security
applies: the database refuses a row the writer does not own): a kill at any moment leaves the
reports as they were before the upload or as they are after it.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings

from bluehelmet.intel.store import AddResult
from bluehelmet.intel.view import ReportView, admit
from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.model.schema import entity
from bluehelmet.web.identity import seal
from bluehelmet.web.policy import acting_as
from bluehelmet.web.reports.models import Report, ReporterIdentity

#: Columns of the library's report table stored as model fields of the same name.
FIELDS = [
    "time",
    "time_precision",
    "longitude",
    "latitude",
    "place_name",
    "place_precision_km",
    "category",
    "fatalities",
    "civilian_deaths",
    "source_type",
    "reliability",
    "credibility",
    "mission",
    "description",
    "classification",
    "owner",
    "releasable_to",
    "basis",
    "source",
]
#: The owner of published event data (written without a writer).
PUBLISHER = "UCDP"
#: Length of ``Report.uid`` (checked against the model in tests/web/test_upload.py).
UID_LENGTH = 80
_LEVELS = {c.label: int(c) for c in Classification}


def platform_uid(ids: pd.Series, owner: pd.Series, classification: pd.Series) -> pd.Series:
    """The platform's uid of uploaded reports: ``id@owner:classification``."""
    return (
        ids.astype("string") + "@" + owner.astype("string") + ":" + classification.astype("string")
    )


def _value(value: Any) -> Any:
    """A table cell as a model value (missing as ``None``, releasability as a list)."""
    if isinstance(value, tuple):
        return list(value)
    if value is None or (not isinstance(value, list | str) and pd.isna(value)):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _fields(row: dict[Any, Any]) -> dict[str, Any]:
    out = {name: _value(row.get(name)) for name in FIELDS}
    for text in ("place_name", "mission", "description", "source"):
        out[text] = out[text] or ""
    out["releasable_to"] = out["releasable_to"] or []
    return out


def _same(stored: Report, new: dict[str, Any]) -> bool:
    def norm(value: Any) -> str:
        if isinstance(value, float):
            value = value + 0.0
        return "" if value is None else str(value)

    return all(norm(getattr(stored, name)) == norm(new[name]) for name in FIELDS)


def _rejects(mask: np.ndarray, name: str, values: pd.Series, reason: str, fix: str) -> pd.DataFrame:
    where = np.flatnonzero(mask)
    return pd.DataFrame(
        {
            "position": where,
            "field": name,
            "value": values.astype("string").to_numpy(dtype=object)[where],
            "reason": reason,
            "fix": fix,
        }
    )


class PlatformReportStore:
    """Reports in the platform's database, behind the library's storage interface."""

    def add(self, table: pd.DataFrame, writer: AccessContext | None) -> AddResult:
        """Add validated reports inside the current transaction (see the module docstring).

        Parameters
        ----------
        table
            Reports as :func:`bluehelmet.intel.reports.validate_reports` returns them.
        writer
            Only reports owned by ``writer.organisation`` at or below ``writer.clearance`` are
            accepted. ``None`` for published, unclassified event data.
        """
        table = table[entity("reports").column_names].reset_index(drop=True)
        level = (
            table["classification"]
            .astype("string")
            .map(_LEVELS)
            .fillna(-1)
            .astype("int64")
            .to_numpy()
        )
        owner = table["owner"].astype("string")
        ids = table["id"].astype("string")
        rejected: list[pd.DataFrame] = []
        ok: np.ndarray = level >= 0
        if writer is None:
            uid = ids
            allowed = ok & (level == 0) & owner.eq(PUBLISHER).fillna(False).to_numpy(bool)
            reason = f"published event data must be unclassified and owned by {PUBLISHER}"
            fix = "import it as a report CSV under your organisation"
        else:
            uid = platform_uid(ids, owner, table["classification"])
            allowed = (
                ok
                & owner.eq(writer.organisation).fillna(False).to_numpy(bool)
                & (level <= int(writer.clearance))
            )
            reason = (
                "you may only create reports owned by your organisation "
                f"({writer.organisation}) at or below your clearance "
                f"({writer.clearance.label})"
            )
            fix = (
                "set owner to your organisation and a classification you hold, or ask a "
                "member of the owning organisation to upload it"
            )
        rejected.append(
            _rejects(
                ok & ~allowed,
                "owner",
                owner + "/" + table["classification"].astype("string"),
                reason,
                fix,
            )
        )
        ok = allowed
        unusable = (uid.str.len().fillna(0).to_numpy() > UID_LENGTH) | ids.str.contains(
            "/", regex=False
        ).fillna(False).to_numpy(bool)
        rejected.append(
            _rejects(
                ok & unusable,
                "id",
                ids,
                f"the id is too long or contains '/' (the platform's id "
                f"id@owner:classification has at most {UID_LENGTH} characters "
                "and no '/')",
                "give the report a shorter id without '/'",
            )
        )
        ok &= ~unusable
        twice = ok & uid.duplicated(keep="first").fillna(False).to_numpy(bool)
        rejected.append(
            _rejects(
                twice & ok,
                "id",
                ids,
                "an earlier row of this file has the same id, owner and classification",
                "give each report its own id",
            )
        )
        ok &= ~twice
        publisher = AccessContext(PUBLISHER, Classification.UNCLASSIFIED)
        with acting_as(publisher) if writer is None else nullcontext():
            return self._insert(table, uid, ok, rejected)

    def _insert(
        self, table: pd.DataFrame, uid: pd.Series, ok: np.ndarray, rejected: list[pd.DataFrame]
    ) -> AddResult:
        records = table.to_dict("records")
        wanted = {str(uid.iloc[i]): int(i) for i in np.flatnonzero(ok)}
        stored = {r.uid: r for r in Report.objects.filter(uid__in=list(wanted))}
        conflict = np.zeros(len(table), dtype=bool)
        same = np.zeros(len(table), dtype=bool)
        new: list[Report] = []
        contacts: list[tuple[Report, str]] = []
        for key, i in wanted.items():
            values = _fields(records[i])
            if key in stored:
                (same if _same(stored[key], values) else conflict)[i] = True
                continue
            report = Report(uid=key, **values)
            new.append(report)
            contact = records[i].get("reporter_contact")
            if isinstance(contact, str) and contact.strip():
                contacts.append((report, contact.strip()))
        rejected.append(
            _rejects(
                conflict,
                "id",
                table["id"],
                "a different report with this id is already stored under the "
                "same owner and classification; reports are never altered",
                "give the new report its own id",
            )
        )
        Report.objects.bulk_create(new, batch_size=2000)
        for report, contact in contacts:
            sealed = seal(
                {"name": "", "phone": "", "contact": contact},
                report.uid,
                settings.IDENTITY_KEY_FILE,
            )
            ReporterIdentity.objects.create(
                report=report,
                key_id=sealed.key_id,
                wrapped_key=sealed.wrapped_key,
                ciphertext=sealed.ciphertext,
            )
        result = AddResult(added=len(new), present=int(same.sum()))
        result.rejected = pd.concat(rejected, ignore_index=True).sort_values(
            "position", kind="stable", ignore_index=True
        )
        return result

    def view(self, reader: AccessContext) -> ReportView:
        """The reports ``reader`` may see (never identities), in the order they were stored.

        The query selects with the platform's policy (and row-level security underneath); the
        rows then pass the library's gate (:func:`bluehelmet.intel.view.admit`), which applies
        the same predicate again in memory and writes the audit line.
        """
        rows = Report.objects.visible_to(reader).order_by("pk").values_list("uid", *FIELDS)
        out = pd.DataFrame(list(rows), columns=["id", *FIELDS])
        out["releasable_to"] = out["releasable_to"].map(tuple)
        return admit(out, reader, "platform report store")

    def count(self, reader: AccessContext) -> int:
        """How many reports ``reader`` may see."""
        return int(Report.objects.visible_to(reader).count())

    def check(self) -> None:
        """PostgreSQL keeps its own integrity (WAL, constraints); nothing to check here."""
