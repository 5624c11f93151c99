"""The time window and category that lists, the map, triage and exports are filtered by.

Report times are ISO 8601 text (``YYYY``, ``YYYY-MM-DD``, ``YYYY-MM-DDTHH:MM``), so a window is a
range of text: ``from`` is inclusive, ``to`` names the last period included (``2018`` means up
to the end of 2018) and becomes the start of the next period, exclusive. ISO times sort as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest

from bluehelmet.web.reports.models import CATEGORIES

PERIOD = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
Q = TypeVar("Q", bound=QuerySet[Any])


def _period(text: str | None) -> str | None:
    """``text`` if it is ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (a real date), else ``None``."""
    match = PERIOD.match((text or "").strip())
    if match is None:
        return None
    year, month, day = match.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    return match.group(0)


def after(period: str) -> str:
    """The start of the period following ``period`` (``2018-12`` -> ``2019-01``)."""
    year, month, day = PERIOD.match(period).groups()  # type: ignore[union-attr]
    if day is not None:
        return (date(int(year), int(month), int(day)) + timedelta(days=1)).isoformat()
    if month is not None:
        y, m = divmod(int(year) * 12 + int(month), 12)
        return f"{y:04d}-{m + 1:02d}"
    return f"{int(year) + 1:04d}"


@dataclass(frozen=True)
class Window:
    """``start`` (inclusive), ``end`` (last period included) and ``category``; each optional."""

    start: str | None = None
    end: str | None = None
    category: str | None = None

    @classmethod
    def from_request(cls, request: HttpRequest) -> Window:
        """The window of the query string (``from``, ``to``, ``category``); bad values ignored."""
        category = request.GET.get("category") or None
        return cls(
            _period(request.GET.get("from")),
            _period(request.GET.get("to")),
            category if category in CATEGORIES else None,
        )

    def apply(self, rows: Q, field: str = "time") -> Q:
        """``rows`` whose ``field`` lies in the window (and of the category)."""
        if self.start:
            rows = rows.filter(**{f"{field}__gte": self.start})
        if self.end:
            rows = rows.filter(**{f"{field}__lt": after(self.end)})
        if self.category:
            rows = rows.filter(category=self.category)
        return rows

    def detail(self) -> dict[str, str]:
        """The window for the access log (only what was set)."""
        return {
            k: v
            for k, v in (("from", self.start), ("to", self.end), ("category", self.category))
            if v
        }

    def query(self) -> str:
        """The window as a query string (for links to pages and exports)."""
        from urllib.parse import urlencode

        return urlencode(
            {
                k: v
                for k, v in (("from", self.start), ("to", self.end), ("category", self.category))
                if v
            }
        )
