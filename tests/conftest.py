"""Suite-wide settings: how the tests are shared between two pytest-xdist workers.

The suite runs on two workers (``-n 2 --dist loadscope`` in pyproject's ``addopts``; ``-n 0``
runs it in one process). A worker receives whole groups, so that an expensive session or module
fixture is built once: the platform tests (``tests/web``: one PostgreSQL cluster, one server,
one Chromium) are one group, the modules that read the bundled 2018 brief (``brief_2018``)
another, and every other module is its own group. The groups known to be long are handed out
first, so that no worker is left with a long group at the end; docs/testing.md has the
measurements behind the order. (xdist's own ``loadgroup`` marks do not reach its scheduler under
pytest 9.2, so the grouping is this scheduler's.)
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

import pytest

_MADE_BASETEMP = pytest.StashKey[str]()

#: Modules that share one expensive session fixture, by group.
SHARED = {
    "brief_2018": (
        "tests/brief/test_cli_and_2018.py",
        "tests/brief/test_issue11_build.py",
        "tests/brief/test_issue11_errors.py",
        "tests/brief/test_poc_section.py",
        "tests/brief/test_same_plan.py",
    ),
}

#: Groups handed out first, longest first (measured; see docs/testing.md).
LONG_FIRST = (
    "web",
    "brief_2018",
    "tests/test_quality.py",
    "tests/scenario/test_io.py",
    "tests/test_need_to_know_registry.py",
    "tests/robust/test_sweep.py",
    "tests/intel/test_early_warning.py",
    "tests/io/test_kill.py",
    "tests/intel/test_kill.py",
)


def pytest_configure_node(node: Any) -> None:
    """xdist controller: tell each worker the terminal width the run was started with."""
    node.workerinput["columns"] = os.environ.get("COLUMNS")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Make a worker's run look like a plain ``pytest`` run to the command line's consoles.

    A worker starts with ``COLUMNS=80``: it gets the controller's value instead. And a worker's
    temporary folders are ``popen-gwN`` deeper than a single process's: some tests look for
    words in 80-column error boxes that quote a temporary path, and where the box wraps depends
    on the path's length. With workers and no ``--basetemp``, the run's base is a
    ``/tmp/bh-tst-*`` folder (removed at the end) whose ``popen-gwN`` folders are exactly as
    long as a single root run's ``/tmp/pytest-of-root/pytest-NNN``.
    """
    controller = not hasattr(config, "workerinput")
    if controller and config.getoption("numprocesses", None) and config.option.basetemp is None:
        config.option.basetemp = tempfile.mkdtemp(prefix="bh-tst-", dir="/tmp")
        config.stash[_MADE_BASETEMP] = config.option.basetemp
    if hasattr(config, "workerinput"):
        columns = config.workerinput.get("columns")
        if columns is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = columns


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the base folder made above."""
    made = config.stash.get(_MADE_BASETEMP, None)
    if made:
        shutil.rmtree(made, ignore_errors=True)


def group_of(nodeid: str) -> str:
    """The group of a test: ``web``, a shared-fixture group, or its module."""
    path = nodeid.split("::", 1)[0]
    if path.startswith("tests/web/"):
        return "web"
    return next((name for name, paths in SHARED.items() if path in paths), path)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On xdist workers: long groups first (a single process keeps the usual order)."""
    if not hasattr(config, "workerinput"):
        return
    rank = {name: i for i, name in enumerate(LONG_FIRST)}
    items.sort(key=lambda item: rank.get(group_of(item.nodeid), len(rank)))  # stable sort


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """With ``--dist loadscope``: whole groups to a worker, in the order collected."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return group_of(nodeid)

    return GroupScheduling(config, log)
