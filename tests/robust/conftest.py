"""A tiny random scenario (3 missions, 16 pledges, 12 months; each plan is optimal in < 1 s)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bluehelmet.forcegen import random_scenario
from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.scenario.core import Scenario

READER = AccessContext("UN-DPO", Classification.CONFIDENTIAL)


def small() -> Scenario:
    return random_scenario(n_missions=3, n_months=12, n_pledges=16, seed=3)


@pytest.fixture
def scenario() -> Scenario:
    return small()


@pytest.fixture(scope="module")
def dask_client() -> Iterator[object]:
    """A real in-process Dask cluster with two single-threaded workers."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def write_grid(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
