"""HiGHS, the default solver of every optimisation model in bluehelmet (planner, protection)."""

from __future__ import annotations

import highspy


class QuietHighs(highspy.Highs):
    """A HiGHS instance that logs nothing unless asked to.

    HiGHS prints its banner ("Running HiGHS ...") the first time any method other than setting an
    option is called while ``output_flag`` is on; highspy calls such a method
    (``enableCallbacks``) in its constructor. This class switches logging off by HiGHS's own
    options before that call, so nothing reaches the process's stdout. No file descriptor is
    touched: other threads' output (a web worker's, the CLI's progress display) goes on
    untouched. Callers that want a solver log switch ``output_flag`` back on.
    """

    def enableCallbacks(self) -> None:  # noqa: N802 (highspy's name)
        """Switch logging off, then enable highspy's callbacks (called by the constructor)."""
        self.setOptionValue("output_flag", False)
        self.setOptionValue("log_to_console", False)
        super().enableCallbacks()


def new_highs() -> highspy.Highs:
    """A silent HiGHS instance (see :class:`QuietHighs`)."""
    return QuietHighs()
