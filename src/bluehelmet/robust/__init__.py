"""Robust plans: sweeps over parameter changes and Monte Carlo of deployment risk.

:func:`~bluehelmet.robust.sweep.run_sweep` plans every variant of a grid
(:func:`~bluehelmet.robust.grid.load_grid`); :func:`~bluehelmet.robust.risk.run_risk` evaluates
the nominal plan (and the robust plan of :mod:`bluehelmet.robust.saa`) under drawn disruptions
(:mod:`bluehelmet.robust.disruption`). Both run their solves through one executor interface
(:mod:`bluehelmet.robust.executor`): a local process pool, or Dask on a cluster. The planner is
called only from :mod:`bluehelmet.robust.run`.
"""

from bluehelmet.robust.disruption import DisruptionModel, load_model
from bluehelmet.robust.executor import DaskExecutor, LocalPool, make_executor
from bluehelmet.robust.grid import Grid, load_grid
from bluehelmet.robust.risk import RiskSettings, run_risk
from bluehelmet.robust.sweep import run_sweep

__all__ = [
    "DaskExecutor",
    "DisruptionModel",
    "Grid",
    "LocalPool",
    "RiskSettings",
    "load_grid",
    "load_model",
    "make_executor",
    "run_risk",
    "run_sweep",
]
