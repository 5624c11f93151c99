"""Rate-limit counters in PostgreSQL: shared by every server process, never losing a count."""

from __future__ import annotations

import threading

import pytest

from tests.web.conftest import unique

pytestmark = pytest.mark.usefixtures("platform")


def test_counters_add_once_count_every_increment_and_expire() -> None:
    from django.core.cache import caches

    cache = caches["ratelimit"]
    key = unique("rl")
    assert cache.add(key, 1, 60) and not cache.add(key, 1, 60)  # the second add finds it
    assert cache.incr(key) == 2 and cache.get(key) == 2
    with pytest.raises(ValueError):
        cache.incr(unique("missing"))
    assert cache.get(unique("missing"), 0) == 0
    expired = unique("rl")
    assert cache.add(expired, 5, -1)  # already expired: as if absent
    assert cache.get(expired) is None and cache.add(expired, 1, 60) and cache.get(expired) == 1

    def bump() -> None:
        from django.db import connections

        for _ in range(25):
            cache.incr(key)
        connections.close_all()

    workers = [threading.Thread(target=bump) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert cache.get(key) == 2 + 4 * 25  # concurrent increments are never lost
