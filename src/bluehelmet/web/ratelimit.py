"""Rate-limit counters in PostgreSQL, shared by every web server process.

django-ratelimit counts requests in a Django cache with ``add`` and ``incr``; a cache in one
process's memory would give each process of ``bluehelmet serve --processes N`` its own count
(N times the limit). :class:`CounterCache` keeps the counters in the table
``bluehelmet_ratecounter`` (migration ``accounts/0003``), one row per key with its expiry; ``add``
and ``incr`` are single statements (``INSERT ... ON CONFLICT``, ``UPDATE ... RETURNING``), so
concurrent requests never lose a count. It uses its own connection (the ``counters`` database
alias, in autocommit), so a count is kept even when the request's transaction rolls back, and no
row lock is held for the rest of a request.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.db import connections

TABLE = "bluehelmet_ratecounter"
ALIAS = "counters"


class CounterCache(BaseCache):
    """The integer counters django-ratelimit needs (``add``, ``incr``, ``get``), in PostgreSQL."""

    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)

    def _seconds(self, timeout: Any) -> float:
        value = self.get_backend_timeout(timeout)
        return 365 * 86400.0 if value is None else max(0.0, float(value) - _now())

    def _run(self, sql: str, params: list[Any]) -> Any:
        with connections[ALIAS].cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchone()

    def add(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        """Create the counter ``key`` unless a live one exists; whether it was created."""
        row = self._run(
            f"INSERT INTO {TABLE} AS c (key, value, expires) "
            "VALUES (%s, %s, now() + make_interval(secs => %s)) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires = EXCLUDED.expires "
            "WHERE c.expires < now() RETURNING 1",
            [self.make_and_validate_key(key, version), int(value), self._seconds(timeout)],
        )
        return row is not None

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        """Add ``delta`` to a live counter and return it (``ValueError`` if there is none)."""
        row = self._run(
            f"UPDATE {TABLE} SET value = value + %s WHERE key = %s AND expires >= now() "
            "RETURNING value",
            [int(delta), self.make_and_validate_key(key, version)],
        )
        if row is None:
            raise ValueError(f"Key '{key}' not found")
        return int(row[0])

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        """The live counter ``key``, else ``default``."""
        row = self._run(
            f"SELECT value FROM {TABLE} WHERE key = %s AND expires >= now()",
            [self.make_and_validate_key(key, version)],
        )
        return default if row is None else int(row[0])

    def set(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        """Set the counter ``key`` to ``value``."""
        self._run(
            f"INSERT INTO {TABLE} (key, value, expires) "
            "VALUES (%s, %s, now() + make_interval(secs => %s)) ON CONFLICT (key) DO UPDATE "
            "SET value = EXCLUDED.value, expires = EXCLUDED.expires RETURNING 1",
            [self.make_and_validate_key(key, version), int(value), self._seconds(timeout)],
        )

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        """Give ``key`` a new expiry; whether it exists."""
        row = self._run(
            f"UPDATE {TABLE} SET expires = now() + make_interval(secs => %s) WHERE key = %s "
            "RETURNING 1",
            [self._seconds(timeout), self.make_and_validate_key(key, version)],
        )
        return row is not None

    def delete(self, key: str, version: int | None = None) -> bool:
        """Remove ``key``; whether it existed."""
        row = self._run(
            f"DELETE FROM {TABLE} WHERE key = %s RETURNING 1",
            [self.make_and_validate_key(key, version)],
        )
        return row is not None

    def clear(self) -> None:
        """Remove the expired counters (live ones are kept: they are someone's limit)."""
        with connections[ALIAS].cursor() as cur:
            cur.execute(f"DELETE FROM {TABLE} WHERE expires < now()")


def _now() -> float:
    import time

    return time.time()
