"""Pages over reports: lists, counts, detail, export, identity reveal, the public alert form."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from bluehelmet.model.access import Classification
from bluehelmet.web.accounts.middleware import has_role
from bluehelmet.web.accounts.models import Role
from bluehelmet.web.audit.models import Action, record
from bluehelmet.web.identity import Sealed, unseal
from bluehelmet.web.reports.exports import CONTENT_TYPES
from bluehelmet.web.reports.intake import InboundAlert, IntakeError, TwilioSMS, receive
from bluehelmet.web.reports.jobs import jobs_dir, write_csv
from bluehelmet.web.reports.models import CATEGORIES, ExportJob, Report, ReporterIdentity
from bluehelmet.web.reports.window import Window


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Answer for a request over its rate limit."""
    return HttpResponse(
        "Too many requests; try again later.", status=429, content_type="text/plain"
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The reader's overview: how many reports they may see."""
    count = Report.objects.visible_to(request.reader).count()
    record(request, Action.COUNT, "reports", count=count)
    return render(
        request, "web/home.html", {"count": count, "memberships": request.user.memberships.all()}
    )


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    """Reports the reader may see, newest first, with their count."""
    window = Window.from_request(request)
    reports = window.apply(Report.objects.visible_to(request.reader))
    page = Paginator(reports.order_by("-time", "uid"), 50).get_page(request.GET.get("page"))
    record(
        request,
        Action.LIST,
        "reports",
        count=page.paginator.count,
        page=page.number,
        **window.detail(),
    )
    template = (
        "reports/_report_rows.html"
        if request.headers.get("HX-Request") == "true"
        else "reports/list.html"
    )
    return render(
        request,
        template,
        {"page": page, "categories": CATEGORIES, "window": window, "category": window.category},
    )


def _visible_report(request: HttpRequest, uid: str) -> Report:
    report = Report.objects.visible_to(request.reader).filter(uid=uid).first()
    if report is None:  # hidden and missing look the same
        record(request, Action.DENIED, f"report:{uid}")
        raise Http404("No such report.")
    return report


@login_required
def report_detail(request: HttpRequest, uid: str) -> HttpResponse:
    """One report; the reporter's identity only through :func:`reveal_identity`."""
    report = _visible_report(request, uid)
    record(request, Action.VIEW, f"report:{uid}")
    return render(request, "reports/detail.html", _detail_context(request, report))


def _detail_context(request: HttpRequest, report: Report, **extra: Any) -> dict[str, Any]:
    liaison = has_role(request, Role.COMMUNITY_LIAISON)
    has_identity = liaison and ReporterIdentity.objects.filter(report=report).exists()
    approver = has_role(request, Role.APPROVER) and report.owner == request.reader.organisation
    lower = [c.label for c in Classification if c < Classification.parse(report.classification)]
    pending = list(report.downgrades.filter(applied_at__isnull=True)) if approver else []
    return {
        "report": report,
        "can_reveal": has_identity,
        "can_downgrade": approver and lower,
        "lower_levels": lower,
        "pending": pending,
        **extra,
    }


@login_required
@require_POST
def reveal_identity(request: HttpRequest, uid: str) -> HttpResponse:
    """Decrypt the reporter's identity: community liaison only, every decryption audited."""
    report = _visible_report(request, uid)
    if not has_role(request, Role.COMMUNITY_LIAISON):
        record(request, Action.DENIED, f"identity:{uid}")
        raise PermissionDenied("Only community liaison staff may see a reporter's identity.")
    stored = ReporterIdentity.objects.filter(report=report).first()
    if stored is None:
        raise Http404("This report has no reporter identity.")
    identity = unseal(
        Sealed(stored.key_id, bytes(stored.wrapped_key), bytes(stored.ciphertext)),
        report.uid,
        settings.IDENTITY_KEY_FILE,
    )
    record(request, Action.DECRYPT, f"identity:{uid}")
    response = render(
        request, "reports/detail.html", _detail_context(request, report, identity=identity)
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    """The reader's visible reports as CSV (never identities), audited."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="reports.csv"'
    rows = write_csv(Report.objects.visible_to(request.reader), response)
    record(request, Action.EXPORT, "reports.csv", rows=rows)
    return response


def _own_job(request: HttpRequest, pk: int) -> ExportJob:
    job = (
        ExportJob.objects.visible_to(request.reader)
        .filter(pk=pk, membership__user=request.user)
        .first()
    )
    if job is None:
        record(request, Action.DENIED, f"job:{pk}")
        raise Http404("No such job.")
    return job


@login_required
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """A job's progress, and its file when done (only for the user who asked)."""
    return render(request, "reports/job.html", {"job": _own_job(request, pk)})


@login_required
def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The finished export file, audited."""
    job = _own_job(request, pk)
    if job.status != ExportJob.DONE:
        raise Http404("The export is not finished.")
    record(request, Action.EXPORT, f"job:{pk}", rows=job.rows)
    fmt = job.fmt if job.fmt == "geojson" else "csv"
    return FileResponse(
        open(jobs_dir() / job.file_name, "rb"),
        as_attachment=True,
        filename=f"{job.layer}.{fmt}",
        content_type=CONTENT_TYPES[fmt],
    )


class AlertForm(forms.Form):
    """The public community alert form (a few fields, no JavaScript)."""

    text = forms.CharField(
        label=_("What happened?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    place_name = forms.CharField(label=_("Where? (village, town)"), max_length=200, required=False)
    category = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            ("attack_on_civilians", _("Attack on civilians")),
            ("armed_group_movement", _("Armed men moving")),
            ("displacement", _("People fleeing")),
            ("other", _("Other")),
        ],
        initial="other",
    )
    name = forms.CharField(
        label=_("Your name (optional, kept secret)"), max_length=120, required=False
    )
    phone = forms.CharField(
        label=_("Your phone (optional, kept secret)"), max_length=40, required=False
    )
    #: Idempotency key put in the form by the server (a resend never duplicates the alert).
    key = forms.RegexField(regex=r"^[0-9a-f]{32}$", required=False, widget=forms.HiddenInput)


@ratelimit(key="ip", rate=lambda group, request: settings.ALERT_RATE, method="POST", block=True)
def alert_form(request: HttpRequest, lang: str = "en") -> HttpResponse:
    """Public, unauthenticated alert form in English, French or Arabic (right to left)."""
    if lang not in dict(settings.LANGUAGES):
        raise Http404("Unknown language.")
    with translation.override(lang):
        form = AlertForm(request.POST or None, label_suffix="", initial={"key": uuid.uuid4().hex})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            report, _new = receive(
                InboundAlert(
                    text=data["text"],
                    provider="web",
                    message_id=data["key"] or uuid.uuid4().hex,
                    place_name=data["place_name"],
                    category=data["category"],
                    name=data["name"],
                    phone=data["phone"],
                    language=lang,
                )
            )
            record(request, Action.CREATE, f"report:{report.uid}", source="public form")
            return render(request, "reports/alert_done.html", {"lang": lang})
        return render(
            request,
            "reports/alert.html",
            {"form": form, "lang": lang, "languages": settings.LANGUAGES},
        )


@csrf_exempt
@require_POST
def twilio_webhook(request: HttpRequest) -> HttpResponse:
    """Twilio SMS webhook: verified, idempotent on ``MessageSid``."""
    try:
        alerts = TwilioSMS(settings.TWILIO_AUTH_TOKEN_FILE).parse(request)
    except IntakeError as exc:
        record(request, Action.DENIED, "webhook:twilio", reason=str(exc))
        return HttpResponse(str(exc), status=403, content_type="text/plain")
    for alert in alerts:
        report, new = receive(alert)
        record(request, Action.CREATE, f"report:{report.uid}", source="twilio", new=new)
    return HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?><Response/>', content_type="text/xml"
    )
