"""One executor interface for many solves: a local process pool or a Dask cluster.

Both run ``fn(shared, payload)`` for every task and yield ``(key, result)`` as tasks finish.
``shared`` (the scenario and the run's settings) travels to each worker **once**: as the pool's
initializer argument, or scattered to every Dask worker with ``broadcast=True``; a task ships
only its small ``payload`` (a variant's changes, a draw's index). Every solve uses one HiGHS
thread (:func:`bluehelmet.robust.run.one_thread`), so ``n`` workers use ``n`` cores.

:func:`run_tasks` adds what a long sweep needs: each result is written atomically to its own
JSON file named by the task's key, and a re-run skips the keys already written.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

#: Environment variable naming a Dask scheduler when ``--scheduler`` is not given.
SCHEDULER_ENV = "BLUEHELMET_DASK_SCHEDULER"

Task = Callable[[Any, Any], dict[str, Any]]

_SHARED: Any = None


class Executor(Protocol):
    """Runs ``fn(shared, payload)`` for every task; yields results as they finish."""

    workers: int
    name: str

    def run(
        self,
        fn: Task,
        shared: Any,
        tasks: Mapping[str, Any],
    ) -> Iterator[tuple[str, dict[str, Any] | BaseException]]:
        """Yield ``(key, result)``, or ``(key, exception)`` when the executor lost the task."""
        ...

    def close(self) -> None:
        """Release workers and connections."""
        ...


def _init_worker(shared: Any) -> None:
    global _SHARED
    _SHARED = shared


def _call_local(fn: Task, payload: Any) -> dict[str, Any]:
    return fn(_SHARED, payload)


@dataclass
class LocalPool:
    """A process pool on this machine (``forkserver`` start: no threads inherited by fork).

    Parameters
    ----------
    workers
        Number of processes (default: the CPUs this process may use).
    """

    workers: int = field(default_factory=lambda: len(os.sched_getaffinity(0)))
    name: str = "local"

    def run(
        self,
        fn: Task,
        shared: Any,
        tasks: Mapping[str, Any],
    ) -> Iterator[tuple[str, dict[str, Any] | BaseException]]:
        """Run the tasks on a fresh pool whose workers hold ``shared``."""
        if not tasks:
            return
        ctx = multiprocessing.get_context("forkserver")
        pool = ProcessPoolExecutor(
            self.workers, mp_context=ctx, initializer=_init_worker, initargs=(shared,)
        )
        finished = False
        try:
            futures: dict[Future[dict[str, Any]], str] = {
                pool.submit(_call_local, fn, payload): key for key, payload in tasks.items()
            }
            for fut in as_completed(futures):
                try:
                    yield futures[fut], fut.result()
                except Exception as exc:  # a worker died: the task is lost, not the sweep
                    yield futures[fut], exc
            finished = True
        finally:
            if not finished:
                # Interrupted (Ctrl-C, SIGTERM, an error in the caller): stop the solves now
                # instead of finishing the queue; what finished is already on disk. The pool
                # has no public way to stop running tasks before Python 3.14.
                for proc in list(getattr(pool, "_processes", {}).values()):
                    proc.terminate()
            pool.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        """Nothing to release (each run owns its pool)."""


def _call_dask(fn: Task, shared: Any, payload: Any) -> dict[str, Any]:
    return fn(shared, payload)


class DaskExecutor:
    """Tasks on a Dask distributed cluster.

    Parameters
    ----------
    scheduler
        The scheduler's address (``tcp://host:8786``), or a ``distributed.Client`` or cluster
        object (``LocalCluster``, ``SLURMCluster``, ``KubeCluster``) already running.
    """

    name = "dask"

    def __init__(self, scheduler: Any) -> None:
        from distributed import Client

        if isinstance(scheduler, Client):
            self.client, self._own = scheduler, False
        else:
            self.client, self._own = Client(scheduler), True
        self.workers = max(
            1,
            sum(
                int(w.get("nthreads", 1)) for w in self.client.scheduler_info()["workers"].values()
            ),
        )

    def run(
        self,
        fn: Task,
        shared: Any,
        tasks: Mapping[str, Any],
    ) -> Iterator[tuple[str, dict[str, Any] | BaseException]]:
        """Scatter ``shared`` to every worker once, then submit one small task per key."""
        from distributed import as_completed as dask_completed

        if not tasks:
            return
        data = self.client.scatter(shared, broadcast=True, hash=False)
        futures = {
            self.client.submit(
                _call_dask, fn, data, payload, key=f"bluehelmet-{key}", pure=False
            ): key
            for key, payload in tasks.items()
        }
        try:
            for fut in dask_completed(list(futures)):
                try:
                    yield futures[fut], fut.result()
                except Exception as exc:
                    yield futures[fut], exc
                fut.release()
        finally:
            self.client.cancel([f for f in futures if not f.done()])

    def close(self) -> None:
        """Close the client if this object opened it."""
        if self._own:
            self.client.close()


def make_executor(workers: int | None = None, scheduler: Any = None) -> Executor:
    """Dask when ``scheduler`` (or :data:`SCHEDULER_ENV`) names one, else a local pool."""
    target = scheduler or os.environ.get(SCHEDULER_ENV) or None
    if target:
        return DaskExecutor(target)
    return LocalPool(workers) if workers else LocalPool()


def write_json_atomic(path: Path, value: dict[str, Any]) -> None:
    """Write ``value`` to ``path`` so that a kill leaves either the old file or the new one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(value, f, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class TaskRun:
    """Results of :func:`run_tasks` by key, and which keys were computed in this call."""

    results: dict[str, dict[str, Any]]
    computed: list[str]


def run_tasks(
    executor: Executor,
    fn: Task,
    shared: Any,
    tasks: Mapping[str, Any],
    folder: Path,
    progress: Callable[[int, int], None] | None = None,
) -> TaskRun:
    """Run the tasks whose ``folder/<key>.json`` is missing; read the others from disk.

    A result is written as soon as its task ends, so an interrupted run resumes where it
    stopped. A task the executor lost (a worker died) is reported with its error but not written,
    so the next run tries it again; an error raised by the solve itself is the task's result and
    is kept.
    """
    folder.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, Any]] = {}
    todo: dict[str, Any] = {}
    for key, payload in tasks.items():
        path = folder / f"{key}.json"
        if path.exists():
            try:
                results[key] = json.loads(path.read_text(encoding="utf-8"))
                continue
            except json.JSONDecodeError:
                path.unlink()  # only a file written before atomic writes could be torn
        todo[key] = payload
    computed: list[str] = []
    for i, (key, res) in enumerate(executor.run(fn, shared, todo), start=1):
        if isinstance(res, BaseException):
            results[key] = {"error": f"executor: {type(res).__name__}: {res}"}
        else:
            write_json_atomic(folder / f"{key}.json", res)
            results[key] = res
        computed.append(key)
        if progress:
            progress(i, len(todo))
    return TaskRun(results, computed)
