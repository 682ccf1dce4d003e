"""Which days of a lake table changed between two of its versions.

A Delta version is a set of data files, each in one `date=` partition. A day changed when a file
of it was added or removed (an append, a delete, a compaction) between the two versions, so the
answer comes from the tables' logs alone, without reading a row. A compaction marks its days
changed although their rows are the same: rebuilding them gives the same marts.
"""

import re
from collections.abc import Iterable, Mapping
from datetime import date

from warehouse.lake_store import LakeStore

_DATE_PARTITION = re.compile(r"(?:^|/)date=(\d{4}-\d{2}-\d{2})/")


def table_versions(store: LakeStore, names: Iterable[str]) -> dict[str, int]:
    """The newest version of each table that exists."""
    versions = {}
    for name in names:
        table = store.open(name)
        if table is not None:
            versions[name] = table.version()
    return versions


def changed_days(store: LakeStore, name: str, since: int | None, until: int) -> set[date]:
    """Days of `name` whose files differ between version `since` (None: the table did not
    exist) and version `until`."""
    now = _files(store, name, until)
    then = _files(store, name, since) if since is not None else set()
    return {day for path in now ^ then if (day := _day_of(path)) is not None}


def days_changed_since(store: LakeStore, read: Mapping[str, int],
                       now: Mapping[str, int]) -> set[date]:
    """Days changed in any table between the versions a build `read` and those of `now`."""
    days: set[date] = set()
    for name, version in now.items():
        if read.get(name) != version:
            days |= changed_days(store, name, read.get(name), version)
    return days


def _files(store: LakeStore, name: str, version: int) -> set[str]:
    table = store.open(name, version)
    return set(table.file_uris()) if table is not None else set()


def _day_of(path: str) -> date | None:
    found = _DATE_PARTITION.search(path)
    return date.fromisoformat(found.group(1)) if found else None
