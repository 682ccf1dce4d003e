"""The published marts build, attached read-only to the API's DuckDB beside the lake's views.

A build is swapped in by renaming a new file over the marts file (warehouse/marts_file.py), so
the path is checked before each query (one stat) and a new file is attached under a new name;
a query holds the build it started with to its end, so every answer comes from one build, and
an old build is detached once no query holds it. Nothing here ever writes the file or waits for
a build.
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import duckdb

from api.lake import LakeReader
from warehouse.marts_file import MartsBuild, last_build

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class ServedBuild:
    """One attached build: the catalog name its tables are read under, and what it holds."""

    catalog: str
    build: MartsBuild


class ServedMarts:
    def __init__(self, lake: LakeReader, path: Path | None) -> None:
        self._lake = lake
        self._path = path
        self._lock = threading.Lock()
        self._current: tuple[tuple[int, int], ServedBuild] | None = None
        self._holders: dict[str, int] = {}
        self._retired: set[str] = set()
        self._attached = 0

    async def run(self, work: Callable[[duckdb.DuckDBPyConnection, ServedBuild | None], T]) -> T:
        """`work(cursor, build)` in a worker thread, with the newest published build (None
        while there is none) held for its whole run."""

        def held(cursor: duckdb.DuckDBPyConnection) -> T:
            served = self._acquire(cursor)
            try:
                return work(cursor, served)
            finally:
                self._release(cursor, served)

        return await self._lake.run(held)

    def _acquire(self, cursor: duckdb.DuckDBPyConnection) -> ServedBuild | None:
        with self._lock:
            key = self._file_key()
            if key is not None and (self._current is None or self._current[0] != key):
                self._attach(cursor, key)
            if self._current is None:
                return None
            served = self._current[1]
            self._holders[served.catalog] = self._holders.get(served.catalog, 0) + 1
            return served

    def _release(self, cursor: duckdb.DuckDBPyConnection, served: ServedBuild | None) -> None:
        if served is None:
            return
        with self._lock:
            self._holders[served.catalog] -= 1
            self._detach_unheld(cursor)

    def _file_key(self) -> tuple[int, int] | None:
        if self._path is None:
            return None
        try:
            stat = self._path.stat()
        except FileNotFoundError:
            return None
        return stat.st_ino, stat.st_mtime_ns

    def _attach(self, cursor: duckdb.DuckDBPyConnection, key: tuple[int, int]) -> None:
        self._attached += 1
        catalog = f"marts_build_{self._attached}"
        path = str(self._path).replace("'", "''")
        try:
            cursor.execute(f"attach '{path}' as {catalog} (read_only)")
            build = last_build(cursor, catalog)
        except duckdb.Error as error:
            # Half-copied by hand, or not a marts file: keep serving what was served.
            log.warning("marts file %s not attached: %s", self._path, str(error).splitlines()[0])
            return
        if build is None:
            cursor.execute(f"detach {catalog}")
            log.warning("marts file %s has no build record; rebuild it with `chatlake marts "
                        "build`", self._path)
            return
        if self._current is not None:
            self._retired.add(self._current[1].catalog)
        self._current = (key, ServedBuild(catalog, build))
        self._holders.setdefault(catalog, 0)
        self._detach_unheld(cursor)
        log.info("serving the marts built %s (newest message %s)", build.built_at, build.through)

    def _detach_unheld(self, cursor: duckdb.DuckDBPyConnection) -> None:
        for catalog in [c for c in self._retired if self._holders.get(c, 0) == 0]:
            cursor.execute(f"detach {catalog}")
            self._retired.discard(catalog)
            self._holders.pop(catalog, None)
