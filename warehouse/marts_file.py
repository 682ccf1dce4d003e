"""The marts' DuckDB file, rebuilt without ever blocking a reader.

DuckDB lets one process write a file and nobody else open it meanwhile, so a build never writes
the file readers use: it copies it to `<file>.building` (or starts empty for a full build), dbt
builds into the copy, the build records what it read in `chatlake_build.builds`, and the copy
is renamed over the file in one step. A reader that has the old file open keeps reading it whole
(its inode lives on until closed); the next one to open the path gets the new build. Builds take
a lock so two of them never start from the same copy and lose each other's days. A build that
fails leaves the published file as it was.
"""

import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

BUILDS_TABLE = "chatlake_build.builds"


@dataclass(frozen=True)
class MartsBuild:
    """What one published build covered."""

    built_at: datetime
    lake_versions: dict[str, int]  # the version of each lake table it read
    days: tuple[date, ...] | None  # the days it rebuilt; None: everything
    through: datetime | None  # the newest live message it holds


class MartsBuildError(RuntimeError):
    pass


class MartsFile:
    def __init__(self, path: Path) -> None:
        self.path = path.resolve()
        self.building = self.path.with_name(self.path.name + ".building")
        self._lock = self.path.with_name(self.path.name + ".lock")

    def last_build(self) -> MartsBuild | None:
        """The build the published file holds (None: no file, or built before builds were
        recorded, which the next build treats as needing everything)."""
        if not self.path.is_file():
            return None
        with duckdb.connect(str(self.path), read_only=True) as con:
            return last_build(con)

    @contextmanager
    def build(self, *, full: bool) -> Iterator[Path]:
        """Yields the file to build into: a copy of the published one, or none for a full
        build. On a clean exit the copy is checkpointed, made durable and swapped in; the
        caller records the build with `record` before leaving the block."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._locked():
            for leftover in (self.building, _wal(self.building)):
                leftover.unlink(missing_ok=True)
            if not full and self.path.is_file():
                shutil.copyfile(self.path, self.building)
            try:
                yield self.building
                self._publish()
            finally:
                for leftover in (self.building, _wal(self.building)):
                    leftover.unlink(missing_ok=True)

    def record(self, build: MartsBuild) -> None:
        """Write `build` into the file being built."""
        with duckdb.connect(str(self.building)) as con:
            con.execute("create schema if not exists chatlake_build")
            con.execute(f"create table if not exists {BUILDS_TABLE} (built_at timestamptz,"
                        " lake_versions json, days date[], through timestamptz)")
            con.execute(f"insert into {BUILDS_TABLE} values (?, ?, ?, ?)",
                        [build.built_at, json.dumps(build.lake_versions),
                         None if build.days is None else list(build.days), build.through])

    def _publish(self) -> None:
        if not self.building.is_file():
            raise MartsBuildError(f"the build wrote no file at {self.building}")
        # Folding the write-ahead log into the file: the published file must stand alone.
        with duckdb.connect(str(self.building)) as con:
            con.execute("checkpoint")
        with open(self.building, "rb+") as handle:
            os.fsync(handle.fileno())
        self.building.replace(self.path)
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self._lock, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def last_build(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> MartsBuild | None:
    """The newest build recorded in the marts file `con` has open (as `catalog` when attached)."""
    table = f"{catalog}.{BUILDS_TABLE}" if catalog else BUILDS_TABLE
    try:
        row = con.execute(f"select built_at, lake_versions, days, through from {table}"
                          " order by built_at desc limit 1").fetchone()
    except duckdb.CatalogException:
        return None
    if row is None:
        return None
    built_at, versions, days, through = row
    return MartsBuild(_utc(built_at), {k: int(v) for k, v in json.loads(versions).items()},
                      None if days is None else tuple(days), _utc(through))


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")
