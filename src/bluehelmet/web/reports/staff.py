"""The staff report form: patrol, partner and open-source reports, owned by the writer's org."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.web.accounts.middleware import has_role
from bluehelmet.web.accounts.models import Organisation, Role
from bluehelmet.web.audit.models import Action, record
from bluehelmet.web.reports.models import CATEGORIES, Report
from bluehelmet.web.reports.places import LocationForm, locate

STAFF_SOURCES = ["patrol", "partner", "regional_organisation", "open_source"]
PRECISIONS = ["minute", "hour", "day", "month", "year"]


class StaffReportForm(forms.Form):
    """A report as the library's ``reports`` schema declares it."""

    time = forms.RegexField(
        regex=r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2})?)?)?$",
        help_text="UTC, YYYY-MM-DD or YYYY-MM-DDTHH:MM",
        error_messages={"invalid": "use YYYY-MM-DD or YYYY-MM-DDTHH:MM"},
    )
    time_precision = forms.ChoiceField(choices=[(p, p) for p in PRECISIONS], initial="day")
    place_name = LocationForm.base_fields["place_name"]
    longitude = LocationForm.base_fields["longitude"]
    latitude = LocationForm.base_fields["latitude"]
    category = forms.ChoiceField(choices=[(c, c) for c in CATEGORIES])
    source_type = forms.ChoiceField(choices=[(s, s) for s in STAFF_SOURCES])
    reliability = forms.ChoiceField(choices=[(r, r) for r in "ABCDEF"], initial="F")
    credibility = forms.TypedChoiceField(
        choices=[(str(i), str(i)) for i in range(1, 7)], coerce=int, initial="6"
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    classification = forms.ChoiceField()
    releasable_to = forms.CharField(
        required=False, max_length=500, help_text="organisation codes, separated by commas"
    )

    def __init__(self, *args: Any, reader: AccessContext, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reader = reader
        self.fields["classification"].choices = [
            (c.label, c.label) for c in Classification if c <= reader.clearance
        ]

    def clean_releasable_to(self) -> list[str]:
        """Organisation codes that exist (unknown codes are named in the error)."""
        codes = [c.strip() for c in self.cleaned_data["releasable_to"].split(",") if c.strip()]
        known = set(Organisation.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise forms.ValidationError(f"unknown organisation(s): {', '.join(unknown)}")
        return sorted(set(codes) - {self.reader.organisation})

    def clean(self) -> dict[str, Any]:
        """Coordinates come in pairs; a report needs a place or coordinates.

        A place name without coordinates is located by the gazetteer when it knows the name
        (the report then carries the gazetteer's precision), else kept as a name only.
        """
        data = super().clean() or {}
        lon, lat = data.get("longitude"), data.get("latitude")
        if (lon is None) != (lat is None):
            raise forms.ValidationError("give both longitude and latitude, or neither")
        if lon is None and not data.get("place_name"):
            raise forms.ValidationError("give a place name or coordinates")
        data["place_precision_km"] = None
        if lon is None and (place := locate(data["place_name"])) is not None:
            data["longitude"], data["latitude"] = place.longitude, place.latitude
            data["place_precision_km"] = place.precision_km
        return data


@login_required
def new_report(request: HttpRequest) -> HttpResponse:
    """Write a report owned by the active membership's organisation (reporters, analysts)."""
    if not (has_role(request, Role.REPORTER) or has_role(request, Role.ANALYST)):
        record(request, Action.DENIED, "report:new")
        raise PermissionDenied("Only reporters and analysts write reports.")
    reader: AccessContext = request.reader
    form = StaffReportForm(request.POST or None, reader=reader)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        report = Report.objects.create(
            uid=f"rep-{uuid.uuid4().hex[:12]}",
            time=data["time"],
            time_precision=data["time_precision"],
            place_name=data["place_name"],
            longitude=data["longitude"],
            latitude=data["latitude"],
            place_precision_km=data["place_precision_km"],
            category=data["category"],
            source_type=data["source_type"],
            reliability=data["reliability"],
            credibility=data["credibility"],
            description=data["description"],
            classification=data["classification"],
            owner=reader.organisation,
            releasable_to=data["releasable_to"],
            basis="real",
            source=f"staff report by {request.user.get_username()}",
        )
        record(request, Action.CREATE, f"report:{report.uid}")
        return redirect("report-detail", uid=report.uid)
    return render(request, "reports/new.html", {"form": form})
