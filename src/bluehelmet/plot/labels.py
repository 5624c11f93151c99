"""Map labels that do not overlap: a greedy placement in display space.

Each label is tried, in order (most important first), at a fixed list of offsets around its
point; the first position whose box overlaps no label placed before, no marker box given and
stays inside the axes wins. A label that fits nowhere takes the position with the least overlap
and a leader line. Greedy placement is deterministic (the same map every run, which the brief's
tests and the reader's comparisons need) and, unlike iterative repulsion, guarantees no
overlap whenever some candidate fits.

:class:`ChartWords` gives every chart its words and number notation in the brief's language: the
chart functions write each word as ``words("...")`` (the message id of the brief's gettext
catalogue, extracted from these modules with the keyword ``words``) and format numbers with
``words.num``, ``words.pct`` and ``words.usd_m``; by default (English) the text is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from babel.dates import format_date
from babel.numbers import format_decimal
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Annotation
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import Bbox


def _same(message: str) -> str:
    return message


@dataclass(frozen=True)
class ChartWords:
    """A chart's words and number notation in one language (English: unchanged).

    Parameters
    ----------
    gettext
        The translation of a message id (the brief's catalogue; identity for English).
    locale
        Babel locale of the numbers and month names (``en_GB``: the charts' English notation,
        ``1,234.5``, ``58%``, ``$3.4 m``, ``Jul``; ``fr_FR``: ``1 234,5``, ``58 %``, ``3,4 M$``,
        ``juil.``).
    """

    gettext: Callable[[str], str] = field(default=_same)
    locale: str = "en_GB"

    @property
    def english(self) -> bool:
        """True when the charts are written in English (the messages as written)."""
        return self.locale.startswith("en")

    def __call__(self, message: str, **values: Any) -> str:
        """``message`` in the chart's language, with ``{name}`` fields filled from ``values``."""
        text = self.gettext(message)
        return text.format(**values) if values else text

    def num(self, value: float, digits: int = 0) -> str:
        """A number with thousands separators in the language's notation."""
        if self.english:
            return f"{float(value):,.{digits}f}"
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return str(format_decimal(round(float(value), digits), format=pattern, locale=self.locale))

    def pct(self, fraction: float, digits: int = 0) -> str:
        """A fraction as a percentage (``0.58`` -> ``58%``, in French ``58 %``)."""
        if self.english:
            return f"{100 * float(fraction):.{digits}f}%"
        return self.num(100 * float(fraction), digits) + "\u00a0%"

    def usd_m(self, usd: float) -> str:
        """US dollars in millions (``$3.4 m``, in French ``3,4 M$``)."""
        if self.english:
            return f"${float(usd) / 1e6:,.1f} m"
        return self.num(float(usd) / 1e6, 1) + "\u00a0M$"

    def month(self, value: object, year: bool = True) -> str:
        """A month's short name, with its year on a second line (``Jul`` above ``2018``)."""
        day = pd.Timestamp(value).date()  # type: ignore[arg-type]
        name = (
            day.strftime("%b") if self.english else str(format_date(day, "MMM", locale=self.locale))
        )
        return f"{name}\n{day.year}" if year else name

    def country(self, iso3: str, name: str) -> str:
        """A country's name: ``name`` in English, else CLDR's name of ``iso3`` (Babel)."""
        if self.english:
            return name
        from babel.core import Locale, get_global

        codes = get_global("territory_aliases").get(str(iso3), [])
        found = Locale.parse(self.locale).territories.get(codes[0]) if codes else None
        return str(found) if found else name

    def month_formatter(self) -> FuncFormatter:
        """A Matplotlib tick formatter writing dates as :meth:`month` does."""
        from matplotlib.dates import num2date

        return FuncFormatter(lambda x, _pos: self.month(num2date(x)))


#: The charts' words in English (no translation).
ENGLISH = ChartWords()

#: Offsets (points) tried around a point, nearest first.
OFFSETS: tuple[tuple[float, float], ...] = tuple(
    (dx * r, dy * r)
    for r in (1.0, 2.0, 3.2)
    for dx, dy in ((5, 3), (5, -9), (-5, 3), (-5, -9), (0, 7), (0, -12), (8, -3), (-8, -3))
)


def renderer_of(fig: Figure) -> RendererBase:
    """A renderer to measure text with.

    Figures made outside pyplot have no canvas of their own: an Agg canvas is attached, which
    ``savefig`` replaces for any other format.
    """
    canvas = fig.canvas
    if not isinstance(canvas, FigureCanvasAgg):
        canvas = FigureCanvasAgg(fig)
    return canvas.get_renderer()


def _overlap(a: Bbox, b: Bbox) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


def place_labels(
    ax: Axes,
    xs: Sequence[float],
    ys: Sequence[float],
    texts: Sequence[str],
    *,
    fontsize: float = 7.0,
    weight: str = "normal",
    avoid: Sequence[Bbox] = (),
) -> list[Annotation]:
    """Annotate each point with its text where it overlaps no other label.

    Parameters
    ----------
    ax
        The axes, already framed (limits and aspect set): positions are computed in display
        space.
    xs, ys, texts
        Points (data coordinates) and their labels, most important first.
    avoid
        Display-space boxes no label may cover (e.g. markers).

    Returns
    -------
    list of Annotation
        One per label, in the order given.
    """
    figure = ax.get_figure(root=True)
    if not isinstance(figure, Figure):
        raise ValueError("the axes belong to no figure: place labels after adding them to one")
    renderer = renderer_of(figure)
    frame = ax.get_window_extent(renderer)
    placed: list[Bbox] = list(avoid)
    out: list[Annotation] = []
    scale = figure.dpi / 72.0  # offsets are in points, boxes in display pixels
    for x, y, text in zip(xs, ys, texts, strict=True):
        best: tuple[float, tuple[float, float]] | None = None
        note: Annotation | None = None
        # The label's box is measured once, at the point itself; each candidate offset moves it
        # (a box per candidate annotation measured anew cost most of a map's drawing).
        probe = ax.annotate(
            text,
            (x, y),
            textcoords="offset points",
            xytext=(0, 0),
            ha="left",
            fontsize=fontsize,
            weight=weight,
            zorder=6,
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
        )
        at = probe.get_window_extent(renderer)
        px, py = ax.transData.transform((x, y))
        width = at.width
        for dx, dy in OFFSETS:
            left = px + dx * scale + (0.0 if dx > 0 else -width if dx < 0 else -width / 2)
            box = Bbox.from_bounds(left + (at.x0 - px), at.y0 + dy * scale, width, at.height)
            inside = (
                box.x0 >= frame.x0
                and box.x1 <= frame.x1
                and box.y0 >= frame.y0
                and box.y1 <= frame.y1
            )
            cost = sum(_overlap(box, other) for other in placed) + (0.0 if inside else 1e6)
            if cost == 0.0:
                probe.set_position((dx, dy))
                probe.set_horizontalalignment("left" if dx > 0 else "right" if dx < 0 else "center")
                note = probe
                placed.append(box)
                break
            if best is None or cost < best[0]:
                best = (cost, (dx, dy))
        if note is None:
            probe.remove()
        if note is None and best is not None:
            dx, dy = best[1]
            note = ax.annotate(
                text,
                (x, y),
                textcoords="offset points",
                xytext=(dx * 1.6, dy * 1.6),
                ha="left" if dx > 0 else "right" if dx < 0 else "center",
                fontsize=fontsize,
                weight=weight,
                zorder=6,
                arrowprops={"arrowstyle": "-", "lw": 0.4},
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
            )
            placed.append(note.get_window_extent(renderer))
        if note is not None:
            out.append(note)
    return out


def overlapping_pairs(labels: Sequence[Annotation]) -> int:
    """How many pairs of ``labels`` overlap on the page (0 for a readable map).

    Annotations without text (arrow heads) are not labels and are skipped.
    """
    labels = [label for label in labels if label.get_text()]
    if not labels:
        return 0
    figure = labels[0].get_figure(root=True)
    if not isinstance(figure, Figure):
        return 0
    renderer = renderer_of(figure)
    boxes = [label.get_window_extent(renderer) for label in labels]
    return sum(1 for i, a in enumerate(boxes) for b in boxes[i + 1 :] if _overlap(a, b) > 0)
