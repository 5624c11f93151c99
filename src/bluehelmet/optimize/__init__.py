"""The one model builder of bluehelmet's optimisation models (force generation, protection).

:class:`~bluehelmet.optimize.linear.LinearModel` holds named, labelled families of variables
and constraints and assembles one sparse matrix; constraints are written over labelled terms
(``units.sum(by=["pledge", "month"]) <= capacity``) and passed to HiGHS by
:func:`bluehelmet.highs.to_highs`.
"""
