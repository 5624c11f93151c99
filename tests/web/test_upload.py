"""CSV upload of reports through the library's importer (accounting, rejects, rights, audit)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tests.web.conftest import member, unique

pytestmark = pytest.mark.usefixtures("platform")

HEADER = [
    "id",
    "time",
    "longitude",
    "latitude",
    "category",
    "source_type",
    "reliability",
    "credibility",
    "description",
    "classification",
    "owner",
    "releasable_to",
    "source",
    "reporter_contact",
]


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, HEADER, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "") for k in HEADER})
    return out.getvalue().encode()


def _row(
    rid: str, owner: str, classification: str = "confidential", **extra: str
) -> dict[str, str]:
    return {
        "id": rid,
        "time": "2018-06-01",
        "longitude": "2.4",
        "latitude": "15.9",
        "category": "ied",
        "source_type": "patrol",
        "reliability": "B",
        "credibility": "2",
        "description": f"uploaded {rid}",
        "classification": classification,
        "owner": owner,
        "source": "test upload",
        **extra,
    }


def _upload(client: Any, name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/reports/upload/", {"file": SimpleUploadedFile(name, content, "text/csv")})


def test_upload_accounts_for_every_row_with_the_librarys_rights() -> None:
    from django.test import Client

    from bluehelmet.web.audit.models import AccessLog
    from bluehelmet.web.reports.models import Report, ReporterIdentity, Upload

    org = unique("SEC")
    uploader = member(org, 1, ["reporter"])
    client = Client()
    client.force_login(uploader)
    mine, secret, theirs, bad, contact = (unique("p") for _ in range(5))
    content = _csv(
        [
            _row(mine, org, releasable_to="MINUSMA-JMAC"),
            _row(secret, org, "strictly_confidential"),  # above the uploader's clearance
            _row(theirs, "AU"),  # not the uploader's organisation
            _row(bad, org, category="riot"),  # not a category of the schema
            _row(contact, org, reporter_contact="+223 70 00 00 00"),
        ]
    )
    response = _upload(client, "patrols.csv", content)
    assert response.status_code == 302, response.content.decode()[:500]
    upload = Upload.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert upload.rows_read == 5 == upload.accepted + upload.repaired + upload.rejected
    assert (upload.rejected, upload.added, upload.present) == (3, 2, 0)
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="rows-read">5<' in page and 'data-testid="rejected">3<' in page

    stored = Report.objects.using("owner").filter(description__startswith="uploaded ")
    uids = set(stored.values_list("uid", flat=True))
    assert {f"{mine}@{org}:confidential", f"{contact}@{org}:confidential"} <= uids
    assert not any(u.startswith((secret, theirs, bad)) for u in uids)
    first = stored.get(uid=f"{mine}@{org}:confidential")
    assert (first.owner, first.releasable_to, first.category) == (org, ["MINUSMA-JMAC"], "ied")
    sealed = ReporterIdentity.objects.using("owner").get(
        report__uid=f"{contact}@{org}:confidential"
    )
    assert b"+223" not in bytes(sealed.ciphertext)

    rejects = client.get(f"/reports/uploads/{upload.pk}/rejects.csv")
    assert rejects.status_code == 200
    rows = list(csv.DictReader(io.StringIO(rejects.content.decode())))
    assert sorted(r["id"] for r in rows) == sorted([secret, theirs, bad])
    assert all(r["reason"] and r["fix"] for r in rows)
    assert {r["field"] for r in rows} >= {"owner", "category"}
    assert "reporter_contact" not in rows[0]  # never stored or shown in clear

    again = _upload(client, "patrols.csv", content)  # importing twice adds nothing
    second = Upload.objects.get(pk=int(again["Location"].rstrip("/").split("/")[-1]))
    assert (second.added, second.present, second.rejected) == (0, 2, 3)

    stranger = Client()
    stranger.force_login(member(org, 1, ["reporter"]))
    assert stranger.get(f"/reports/uploads/{upload.pk}/").status_code == 404
    assert stranger.get(f"/reports/uploads/{upload.pk}/rejects.csv").status_code == 404
    log = AccessLog.objects.filter(
        username=uploader.username, action="create", target=f"upload:{upload.pk}"
    ).get()
    assert log.detail["rows_read"] == 5 and log.detail["rejected"] == 3


def test_upload_refuses_unreadable_files_by_name_and_needs_a_writer_role() -> None:
    from django.test import Client

    from bluehelmet.web.audit.models import AccessLog

    org = unique("SEC")
    client = Client()
    client.force_login(member(org, 1, ["analyst"]))
    response = _upload(client, "alerts.csv", "id,time\n".encode("utf-16"))
    assert response.status_code == 400
    text = response.content.decode()
    assert "alerts.csv" in text and "UTF-16" in text and "bh-upload-" not in text
    empty = _upload(client, "empty.csv", b"")
    assert empty.status_code == 400

    auditor = Client()
    auditor.force_login(user := member(org, 1, ["auditor"]))
    assert auditor.get("/reports/upload/").status_code == 403
    assert AccessLog.objects.filter(
        username=user.username, action="denied", target="report:upload"
    ).exists()


def test_the_uid_length_limit_is_the_models() -> None:
    from bluehelmet.web.reports.models import Report
    from bluehelmet.web.reports.pgstore import UID_LENGTH

    assert Report._meta.get_field("uid").max_length == UID_LENGTH


def test_a_large_upload_is_a_job_that_survives_a_dead_worker_and_shows_its_accounting() -> None:
    from datetime import timedelta

    from django.test import Client, override_settings
    from django.utils import timezone

    from bluehelmet.web.audit.models import AccessLog
    from bluehelmet.web.reports import upload as uploads
    from bluehelmet.web.reports.jobs import jobs_dir
    from bluehelmet.web.reports.models import Report, UploadJob

    org = unique("SEC")
    user = member(org, 1, ["reporter"])
    client = Client()
    client.force_login(user)
    ids = [unique("big") for _ in range(3)]
    content = _csv([_row(i, org) for i in ids] + [_row(unique("x"), "AU")])
    with override_settings(UPLOAD_JOB_BYTES=len(content) - 1):  # "large": over the threshold
        queued = _upload(client, "night-patrols.csv", content)
    assert queued.status_code == 302 and "/reports/uploads/job/" in queued["Location"]
    job = UploadJob.objects.using("owner").get(membership__user=user)
    stored = jobs_dir() / job.stored
    assert stored.read_bytes() == content  # kept (synced) until the import has committed
    page = client.get(queued["Location"])
    assert page.context["job"].status == "queued" and b'http-equiv="refresh"' in page.content
    other = Client()
    other.force_login(member(org, 1, ["reporter"]))
    assert other.get(queued["Location"]).status_code == 404  # only the sender sees it

    claimed = uploads.claim()  # a worker takes it ... and dies before finishing
    assert claimed is not None and claimed.pk == job.pk and uploads.claim() is None
    reports = Report.objects.using("owner").filter(owner=org)
    assert reports.count() == 0
    later = timezone.now() + uploads.LEASE + timedelta(seconds=1)
    resumed = uploads.claim(now=later)  # after the lease another worker runs it from the start
    assert resumed is not None and resumed.attempts == 2
    assert uploads.run(resumed).status == "done"
    assert reports.count() == 3 and not stored.exists()
    job.refresh_from_db()
    done = client.get(queued["Location"])
    assert done.status_code == 302 and done["Location"].endswith(
        f"/reports/uploads/{job.upload_id}/"
    )
    result = client.get(done["Location"]).context["upload"]
    assert (result.rows_read, result.accepted, result.rejected, result.added) == (4, 3, 1, 3)
    assert AccessLog.objects.filter(
        username=user.username, action="create", target=f"upload:{result.pk}"
    ).exists()


def test_an_upload_job_of_an_unreadable_file_fails_with_the_files_name() -> None:
    from django.test import Client, override_settings

    from bluehelmet.web.reports import upload as uploads
    from bluehelmet.web.reports.models import UploadJob

    user = member(unique("SEC"), 1, ["reporter"])
    client = Client()
    client.force_login(user)
    with override_settings(UPLOAD_JOB_BYTES=1):
        _upload(client, "alerts.csv", "id,time\n".encode("utf-16"))
    job = UploadJob.objects.using("owner").get(membership__user=user)
    failed = uploads.run(job)
    assert failed.status == "failed" and "alerts.csv" in failed.error and "UTF-16" in failed.error
    assert "upload-" not in failed.error  # the stored name is never shown
    assert b"UTF-16" in client.get(f"/reports/uploads/job/{job.pk}/").content
