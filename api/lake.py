"""DuckDB over the lake for the API: one in-memory database, a cursor per query, run off-loop.

A DuckDB connection is not safe to share between threads, but cursors of one connection are
(each is its own connection to the same database), so every query gets a fresh cursor inside the
worker thread that runs it. The catalog's views read the Delta tables in place, so each query sees
the newest commit without any refresh; only a table that did not exist yet when the views were
made needs its view made again, which `refresh_if_stale` does at most every few seconds.
"""

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import anyio
import duckdb

from warehouse.catalog import create_views
from warehouse.lake_store import LakeStore

T = TypeVar("T")
# How often a view over a dataset that had no files is checked again for new files.
EMPTY_VIEW_RECHECK_SECONDS = 5.0
# DuckDB's own worker threads per query; the API runs several queries at once on 2 cores.
DUCKDB_THREADS = 2
# Queries running at once; more would only queue inside DuckDB and hold worker threads.
MAX_CONCURRENT_QUERIES = 4


class LakeReader:
    """Read-only SQL over the lake's views (`chat_messages`, `chat_windows`, ...)."""

    def __init__(self, lake: LakeStore | str) -> None:
        self.store = lake if isinstance(lake, LakeStore) else LakeStore.at(lake)
        self._con = duckdb.connect(":memory:", config={"threads": DUCKDB_THREADS})
        self._lock = threading.Lock()
        self._limiter = anyio.CapacityLimiter(MAX_CONCURRENT_QUERIES)
        self._empty: set[str] = set()
        self._checked_at = 0.0
        self._make_views()

    def _make_views(self) -> None:
        # A table not created yet is an empty view until its first commit, so the views are
        # rebuilt once one of those appears (checked at most every few seconds).
        self._empty = create_views(self._con, self.store)
        self._checked_at = time.monotonic()

    def refresh_if_stale(self) -> None:
        if not self._empty or time.monotonic() - self._checked_at < EMPTY_VIEW_RECHECK_SECONDS:
            return
        with self._lock:
            if time.monotonic() - self._checked_at < EMPTY_VIEW_RECHECK_SECONDS:
                return
            if any(self.store.exists(name) for name in self._empty):
                self._make_views()
            else:
                self._checked_at = time.monotonic()

    def _fetch(self, sql: str, params: Sequence[Any] | dict[str, Any]) -> list[tuple]:
        self.refresh_if_stale()
        cursor = self._con.cursor()
        try:
            return cursor.execute(sql, params).fetchall()
        finally:
            cursor.close()

    async def fetch(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[tuple]:
        """Rows of `sql` (with `$name` or `?` parameters), computed in a worker thread."""
        return await anyio.to_thread.run_sync(self._fetch, sql, params, limiter=self._limiter)

    async def run(self, work: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """Run `work(cursor)` in a worker thread, for queries that register their own data."""

        def with_cursor() -> T:
            self.refresh_if_stale()
            cursor = self._con.cursor()
            try:
                return work(cursor)
            finally:
                cursor.close()

        return await anyio.to_thread.run_sync(with_cursor, limiter=self._limiter)

    def close(self) -> None:
        self._con.close()
