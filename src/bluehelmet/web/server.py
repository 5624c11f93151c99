"""The WSGI server of ``bluehelmet serve``: waitress, in one process or several sharing a port.

One Python process runs Python code on one core at a time (the GIL), however many threads it
has; on a 2-core server, or one shared with other work, pages then wait for the interpreter
rather than for the database. With ``processes > 1`` the listening socket is opened once and
``processes - 1`` copies of the server are forked (Linux, macOS) to accept on it; the kernel
hands each connection to one of them. The caller runs its job worker thread only in the first
process (after the fork), and rate limits are counted in PostgreSQL
(:mod:`bluehelmet.web.ratelimit`), so they hold across processes.
"""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

#: Connections each server process keeps open at once (keep-alive connections of browsers).
CONNECTION_LIMIT = 1000


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


@contextmanager
def forked(
    application: Callable[..., Any], sock: socket.socket, threads: int, copies: int
) -> Iterator[None]:
    """Fork ``copies`` server processes on ``sock``; stop them when the block ends.

    Database connections are closed first (a forked child must not share the parent's).
    """
    from django.db import connections

    if copies and not hasattr(os, "fork"):
        raise RuntimeError("several server processes need fork (Linux, macOS); use one")
    connections.close_all()
    children: list[int] = []
    for _ in range(copies):
        pid = os.fork()
        if pid == 0:  # the child serves until it is stopped, and never returns to the caller
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            try:
                serve_on(application, sock, threads)
            finally:
                os._exit(0)
        children.append(pid)
    try:
        yield
    finally:
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                continue


def serve_on(application: Callable[..., Any], sock: socket.socket, threads: int) -> None:
    """Serve ``application`` with waitress on the listening ``sock`` until interrupted."""
    import waitress

    waitress.serve(application, sockets=[sock], **_options(threads))
