"""The WSGI server of ``bluehelmet serve``: waitress, in one process or several sharing a port.

One Python process runs Python code on one core at a time (the GIL), however many threads it
has; on a 2-core server, or one shared with other work, pages then wait for the interpreter
rather than for the database. With ``copies > 0`` the listening socket is opened once and
``copies`` copies of the server are forked (Linux, macOS) to accept on it; the kernel hands
each connection to one of them. The job worker thread runs only in the first process (after the
fork), and rate limits are counted in PostgreSQL (:mod:`bluehelmet.web.ratelimit`), so they hold
across processes.

**Stopping.** SIGTERM or SIGINT (Ctrl-C) starts a graceful stop, in every process at once: the
listening socket is closed (no new connection), the requests in flight get up to
:func:`grace_seconds` to finish and be sent, and the job worker stops claiming jobs; its running
job gets the same grace, after which it is given back to its queue
(:meth:`bluehelmet.web.jobs.Worker.stop`). The waitress event loop keeps running meanwhile:
a response is written to its socket by the loop, not by the request's thread.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
import traceback
from collections.abc import Callable
from types import FrameType
from typing import Any

from bluehelmet.errors import BluehelmetError

#: Connections each server process keeps open at once (keep-alive connections of browsers).
CONNECTION_LIMIT = 1000
#: Default of :func:`grace_seconds`.
GRACE_SECONDS = 10.0
#: Seconds the event loop waits for a socket event before it looks at the stop flag again.
POLL_SECONDS = 0.5


def grace_seconds() -> float:
    """Seconds a stopping server gives requests and the running job (``BLUEHELMET_STOP_GRACE``)."""
    text = os.environ.get("BLUEHELMET_STOP_GRACE", "")
    try:
        value = float(text) if text else GRACE_SECONDS
    except ValueError:
        value = -1.0
    if not 0 <= value <= 3600:
        raise BluehelmetError(
            f"BLUEHELMET_STOP_GRACE={text!r} is not a number of seconds from 0 to 3600 "
            f"(default {GRACE_SECONDS:g})"
        )
    return value


def _options(threads: int) -> dict[str, Any]:
    return {
        "threads": threads,
        "ident": "bluehelmet",
        "clear_untrusted_proxy_headers": True,
        # waitress's default of 100 open connections is below what 50 users' browsers keep
        # alive (up to 6 each): further connections would wait to be accepted
        "connection_limit": CONNECTION_LIMIT,
        "asyncore_use_poll": True,  # poll(), not select(): no limit of 1,024 descriptors
    }


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (shared by every server process)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    return sock


class Server:
    """One process's waitress server on a listening socket, stopped gracefully.

    Parameters
    ----------
    application
        The WSGI application.
    sock
        The listening socket (shared with the forked copies).
    threads
        Request threads of this process.
    """

    def __init__(self, application: Callable[..., Any], sock: socket.socket, threads: int):
        import waitress

        self.map: dict[int, Any] = {}
        self.stopping = threading.Event()
        self.server: Any = waitress.create_server(
            application, map=self.map, sockets=[sock], **_options(threads)
        )

    def request_stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        """Ask the loop to stop (safe in a signal handler: sets a flag, wakes the loop)."""
        self.stopping.set()
        self.server.pull_trigger()

    def serve(self) -> None:
        """Run the event loop until :meth:`request_stop`."""
        from waitress import wasyncore

        while not self.stopping.is_set():
            wasyncore.loop(timeout=POLL_SECONDS, use_poll=True, map=self.map, count=1)

    def in_flight(self) -> int:
        """Requests being handled, waiting for a thread, or whose response is not yet sent."""
        from waitress.channel import HTTPChannel

        tasks = self.server.task_dispatcher
        busy = max(0, tasks.active_count) + len(tasks.queue)
        unsent = sum(
            1
            for channel in list(self.map.values())
            if isinstance(channel, HTTPChannel) and (channel.requests or channel.total_outbufs_len)
        )
        return max(busy, unsent)

    def drain(self, deadline: float) -> int:
        """Stop accepting; let requests in flight finish and be sent until ``deadline``.

        Returns how many were still in flight at the deadline (their connections are closed).
        """
        from waitress import wasyncore

        self.server.accepting = False
        self.server.del_channel()  # no new connection in this process
        self.server.socket.close()
        while self.in_flight() and time.monotonic() < deadline:
            wasyncore.loop(timeout=0.05, use_poll=True, map=self.map, count=1)
        left = self.in_flight()
        self.server.task_dispatcher.shutdown(cancel_pending=True, timeout=0.5)
        wasyncore.close_all(self.map, ignore_all=True)
        return left


def _on_stop(handler: Callable[[int, FrameType | None], None]) -> dict[int, Any]:
    return {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}


def _serve_copy(application: Callable[..., Any], sock: socket.socket, threads: int) -> None:
    """A forked copy: serve until SIGTERM, drain within the grace, then exit."""
    server = Server(application, sock, threads)
    _on_stop(server.request_stop)
    server.serve()
    server.drain(time.monotonic() + grace_seconds())


def _fork(
    application: Callable[..., Any], sock: socket.socket, threads: int, copies: int
) -> list[int]:
    from django.db import connections

    if copies and not hasattr(os, "fork"):
        raise RuntimeError("several server processes need fork (Linux, macOS); use one")
    connections.close_all()  # a forked child must not share the parent's connections
    children: list[int] = []
    for _ in range(copies):
        pid = os.fork()
        if pid == 0:  # the child serves until it is stopped, and never returns to the caller
            code = 1
            try:
                _serve_copy(application, sock, threads)
                code = 0
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(code)
        children.append(pid)
    return children


def _reap(children: list[int], deadline: float) -> None:
    """Wait for the copies until ``deadline``; kill the ones still running."""
    waiting = set(children)
    while waiting:
        for pid in list(waiting):
            try:
                done, _status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done:
                waiting.discard(pid)
        if waiting and time.monotonic() >= deadline:
            for pid in waiting:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            return
        if waiting:
            time.sleep(0.05)


def run(
    application: Callable[..., Any],
    sock: socket.socket,
    threads: int,
    copies: int = 0,
    worker: bool = False,
    ready: Callable[[], None] | None = None,
    say: Callable[[str], None] = print,
) -> None:
    """Serve on ``sock`` (and ``copies`` forked copies, and a job worker) until SIGTERM/SIGINT.

    ``ready`` is called once every process serves; ``say`` reports the stop. Returns when every
    process has stopped and the job worker's running job is done or given back to its queue.
    """
    from bluehelmet.web.jobs import Worker

    grace = grace_seconds()
    children = _fork(application, sock, threads, copies)
    server = Server(application, sock, threads)
    saved = _on_stop(server.request_stop)
    jobs = Worker().start() if worker else None  # after the fork: in this process only
    try:
        if ready is not None:
            ready()
        server.serve()
        for pid in children:
            os.kill(pid, signal.SIGTERM)
        if jobs is not None:
            jobs.stopping.set()
        deadline = time.monotonic() + grace
        say(
            f"stopping: {server.in_flight()} request(s) in flight"
            + (f", job {_name(jobs.current)} running" if jobs and jobs.current else "")
            + f"; waiting up to {grace:g} s"
        )
        left = server.drain(deadline)
        _reap(children, deadline + 5)
        # last, so that the process exits right after a job is given back (its thread, still
        # running, ends with the process; its transaction is rolled back)
        given_back = jobs.stop(max(0.0, deadline - time.monotonic())) if jobs else None
        if left:
            say(f"{left} request(s) still running after {grace:g} s were cut off")
        if given_back is not None:
            say(f"job {_name(given_back)} given back to its queue (it runs again from the start)")
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
        _reap(children, time.monotonic())  # after an error: no copy is left behind


def _name(job: Any) -> str:
    return f"{type(job).__name__} {job.pk}"
