"""Retention: each dataset's partitions older than its limit (CHATLAKE_RETENTION_DAYS_<DATASET>)
deleted, one Delta commit per table, and nothing else.

With a limit of N days on day D, the partitions dated before D - N are removed: the newest N
days plus today are kept. The predicate is on the partition column alone, so delta-rs drops
whole files without reading a row. The marts keep their aggregates: a build of the changed
days is not triggered here, and the incremental models only rebuild the days they are asked
for (docs/privacy.md).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from warehouse.lake_store import LakeStore


@dataclass(frozen=True)
class RetentionResult:
    table: str
    cutoff: date  # partitions dated before this were removed
    rows_deleted: int
    files_removed: int


def cutoff_day(today: date, days: int) -> date:
    return today - timedelta(days=days)


def apply_retention(store: LakeStore, limits: dict[str, int], today: date
                    ) -> list[RetentionResult]:
    results = []
    for name, days in sorted(limits.items()):
        if days < 1:
            raise ValueError(f"retention of {name} must be at least 1 day, not {days}")
        table = store.open(name)
        if table is None:
            continue
        cutoff = cutoff_day(today, days)
        metrics = table.delete(f"date < '{cutoff.isoformat()}'")
        results.append(RetentionResult(name, cutoff, int(metrics.get("num_deleted_rows", 0)),
                                       int(metrics.get("num_removed_files", 0))))
    return results
