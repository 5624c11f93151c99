"""The brief's charts drawn in its language as SVG text, with the time spent drawing them."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from matplotlib.figure import Figure

from bluehelmet.plot.labels import ChartWords
from bluehelmet.plot.style import to_svg


@dataclass
class Charts:
    """Draws the brief's charts in its language as SVG text, and keeps the time spent drawing."""

    words: ChartWords
    seconds: float = 0.0

    def svg(self, draw: Callable[..., Figure], *args: Any, **kwargs: Any) -> str:
        """``draw(*args, words=..., **kwargs)`` as SVG text."""
        start = time.perf_counter()
        try:
            return to_svg(draw(*args, words=self.words, **kwargs))
        finally:
            self.seconds += time.perf_counter() - start
