"""One visual language for every chart: colour-blind safe, legible in black-and-white print.

Colours come from the Okabe-Ito palette (Okabe & Ito 2008), which stays distinguishable for the
common forms of colour-vision deficiency. Colour is never the only carrier of meaning: series also
differ by hatching, marker or line style, and are labelled directly where space allows, so a chart
printed in grey or read by a colour-blind reader says the same thing.

Figures are returned as SVG text whose words are SVG text in DejaVu Sans (the font the brief itself
uses and embeds in its PDF), so a brief that embeds them makes no request to render them.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure

#: The Okabe-Ito palette by name.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: Roles used across charts: what is required, what exists before the plan, what the plan adds.
REQUIRED = OKABE_ITO["black"]
BEFORE = "#9A9A9A"
AFTER = OKABE_ITO["blue"]
GAP = OKABE_ITO["vermillion"]
BUDGET = OKABE_ITO["black"]
COST = OKABE_ITO["sky_blue"]
ACCENT = OKABE_ITO["orange"]

#: The UN's gender traffic lights, with the symbol and word that carry the same meaning.
TRAFFIC_LIGHTS: dict[str, dict[str, str]] = {
    "green": {
        "colour": OKABE_ITO["bluish_green"],
        "symbol": "\u2714",
        "text": "meets target",
        "hatch": "",
    },
    "yellow": {
        "colour": OKABE_ITO["yellow"],
        "symbol": "\u25d0",
        "text": "some women",
        "hatch": "...",
    },
    "red": {
        "colour": OKABE_ITO["vermillion"],
        "symbol": "\u2716",
        "text": "no women",
        "hatch": "xxx",
    },
}

#: Series styles for line charts with several series: colour, marker, dash.
SERIES: list[tuple[str, str, str]] = [
    (OKABE_ITO["blue"], "o", "-"),
    (OKABE_ITO["orange"], "s", "--"),
    (OKABE_ITO["bluish_green"], "^", "-."),
    (OKABE_ITO["vermillion"], "D", ":"),
    (OKABE_ITO["reddish_purple"], "v", "-"),
    (OKABE_ITO["sky_blue"], "P", "--"),
    (OKABE_ITO["black"], "X", "-."),
]

#: Widths in inches that fit an A4 page with 18 mm margins (full width and half width).
FULL_WIDTH = 6.8
HALF_WIDTH = 3.3

_RC: dict[str, Any] = {
    # Every "$" in a chart is a dollar sign, never the start of mathtext ("$3.4 m of $14.6 m"
    # would otherwise print as maths): no chart of the project uses mathtext.
    "text.parse_math": False,
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.labelsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.5,
    "legend.fontsize": 7,
    "legend.frameon": False,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "hatch.linewidth": 0.6,
    # Text stays text in the SVG (DejaVu Sans, the brief's own font): as glyph paths every
    # label became dozens of path references, which made the charts heavy to write and the
    # PDF two to three times slower to draw (docs/briefing.md, measured).
    "svg.fonttype": "none",
    # A fixed salt makes the SVG ids, and so the brief, identical from run to run.
    "svg.hashsalt": "bluehelmet",
}


@contextmanager
def chart_style() -> Iterator[None]:
    """Apply the house style for the duration of a ``with`` block (no global change)."""
    with mpl.rc_context(_RC):  # type: ignore[arg-type]
        yield


def new_figure(width: float = FULL_WIDTH, height: float = 3.0) -> Figure:
    """A figure not registered with pyplot, so that nothing leaks between charts."""
    return Figure(figsize=(width, height), layout="constrained")


def to_svg(fig: Figure) -> str:
    """The figure as standalone SVG text (no date metadata, glyphs as paths)."""
    buf = io.StringIO()
    with chart_style():  # the SVG settings (glyphs, id salt) are read when saving
        # dpi applies only to the artists drawn rasterised (hatched areas, map outlines).
        fig.savefig(buf, format="svg", dpi=150, metadata={"Date": None, "Creator": "bluehelmet"})
    return buf.getvalue()


def to_png(fig: Figure, dpi: int = 200) -> bytes:
    """The figure as PNG bytes (for documents that cannot embed SVG)."""
    buf = io.BytesIO()
    with chart_style():
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": "bluehelmet"})
    return buf.getvalue()


def svg_data_uri(svg: str) -> str:
    """A ``data:`` URI holding ``svg``, for embedding in a self-contained HTML page."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def figure_data_uri(fig: Figure) -> str:
    """Render ``fig`` as SVG and return it as a ``data:`` URI."""
    return svg_data_uri(to_svg(fig))
