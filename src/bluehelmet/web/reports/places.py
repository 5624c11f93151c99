"""Place picking from the gazetteer: a PostgreSQL table searched by prefix, served to HTMX.

The library's gazetteer (:mod:`bluehelmet.intel.gazetteer`: mission places, Natural Earth cities,
GeoNames places of the host countries, UCDP place descriptions; about 42,000 names) takes seconds
to build, so no request builds it: migration ``reports/0009`` builds it once and copies it into
:class:`~bluehelmet.web.reports.models.Place` (``COPY``), whose ``key`` (the library's
:func:`~bluehelmet.intel.gazetteer.place_key`: no case, accents or hyphens) has a
``varchar_pattern_ops`` index, so a prefix search is an index range scan.

The report form's place field asks :func:`search` as the user types (``hx-get``, 250 ms after the
last key); choosing a name asks :func:`pick`, whose answer replaces the place, longitude and
latitude fields (HTMX out-of-band swaps: no script of our own, the strict CSP holds). Without
JavaScript, a report given only a place name is located on the server by the same table
(:func:`locate`).
"""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from bluehelmet.web.reports.models import Place

#: Names offered per search.
OPTIONS = 10
COLUMNS = [
    "key",
    "name",
    "name_as_written",
    "longitude",
    "latitude",
    "precision_km",
    "source",
    "rank",
]


def load(connection: Any) -> int:
    """Copy the library's gazetteer into the (empty) place table; returns the rows copied."""
    from bluehelmet.intel.gazetteer import gazetteer

    table = gazetteer()
    table["rank"] = range(len(table))
    text = io.StringIO()
    table[COLUMNS].to_csv(text, index=False, header=False)
    with connection.cursor() as cur:
        raw = cur.cursor  # psycopg 3's cursor (Django wraps it)
        columns = ", ".join(COLUMNS)
        with raw.copy(f"COPY reports_place ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(text.getvalue())
    return len(table)


def matches(text: str, limit: int = OPTIONS) -> list[Place]:
    """Gazetteer names starting with ``text`` (as :func:`place_key` compares), best first.

    An exact name comes first, then the gazetteer's order (mission places and cities before
    small places).
    """
    from bluehelmet.intel.gazetteer import place_key

    key = place_key(text)
    if not key:
        return []
    found = list(Place.objects.filter(key__startswith=key).order_by("rank")[: limit * 5])
    found.sort(key=lambda p: (p.key != key, p.rank))
    return found[:limit]


def locate(name: str) -> Place | None:
    """The gazetteer entry of exactly ``name`` (compared by :func:`place_key`), if any."""
    from bluehelmet.intel.gazetteer import place_key

    key = place_key(name)
    return Place.objects.filter(key=key).order_by("rank").first() if key else None


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """The names starting with ``place_name`` (an HTMX fragment: a list of choices)."""
    text = request.GET.get("place_name", "")[:200]
    return render(request, "reports/_places.html", {"places": matches(text), "text": text})


class LocationForm(forms.Form):
    """The location fields of the report form (``StaffReportForm`` takes them from here)."""

    place_name = forms.CharField(
        max_length=200,
        required=False,
        help_text="type a few letters to pick a place from the gazetteer",
        widget=forms.TextInput(
            attrs={
                "hx-get": "/places/",
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#place-options",
                "autocomplete": "off",
            }
        ),
    )
    longitude = forms.FloatField(min_value=-180, max_value=180, required=False)
    latitude = forms.FloatField(min_value=-90, max_value=90, required=False)


@login_required
def pick(request: HttpRequest, pk: int) -> HttpResponse:
    """The place, longitude and latitude fields filled from place ``pk`` (out-of-band swaps)."""
    place = Place.objects.filter(pk=pk).first()
    if place is None:
        raise Http404("No such place.")
    form = LocationForm(
        initial={
            "place_name": place.name_as_written,
            "longitude": round(place.longitude, 5),
            "latitude": round(place.latitude, 5),
        }
    )
    oob = {"hx-swap-oob": "true"}
    fields = [form[n].as_widget(attrs=oob) for n in ("place_name", "longitude", "latitude")]
    return render(request, "reports/_place_pick.html", {"fields": fields, "place": place})
