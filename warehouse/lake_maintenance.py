"""Keeping the lake's tables healthy: compaction (optimize) and removal of unused files (vacuum).

The archiver commits a batch every second or so when chat is quiet, so a day's partition
collects thousands of small files; `optimize` rewrites each partition into a few large ones in
one commit (readers see the old files or the new, never both). Removed files stay on disk for
readers still on an older version until `vacuum` deletes those older than the retention.
"""

from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import pyarrow as pa

from warehouse.channel_emotes import TABLE as CHANNEL_EMOTES
from warehouse.import_log import TABLE as IMPORTS
from warehouse.lake_schema import DATASETS
from warehouse.lake_store import LakeStore

# Files of about this size (delta-rs's default is 100 MiB; a day of one busy channel is less).
TARGET_FILE_BYTES = 128 << 20
# Vacuum never deletes files younger than this, whatever is asked: a query that started on an
# older table version still reads them.
MIN_RETENTION_HOURS = 1.0
# channel_emotes is replaced whole at each copy: vacuum is what removes the old copies.
TABLES = (*(d.name for d in DATASETS), IMPORTS, CHANNEL_EMOTES)


@dataclass(frozen=True)
class OptimizeResult:
    table: str
    files_removed: int
    files_added: int
    partitions_optimized: int
    version: int

    def as_metadata(self) -> dict[str, int]:
        return {k: v for k, v in asdict(self).items() if k != "table"}


@dataclass(frozen=True)
class VacuumResult:
    table: str
    files_deleted: int


def optimize(store: LakeStore, *, current_day_only: bool = False,
             tables: tuple[str, ...] = TABLES) -> list[OptimizeResult]:
    """Compact every partition of each table (only today's with `current_day_only`: the one
    the archiver is still writing, compacted at an interval). Partitions already compacted are
    left alone, so running it again costs little."""
    results = []
    today = datetime.now(UTC).date().isoformat()
    for name in tables:
        table = store.open(name)
        if table is None:
            continue
        partitioned = "date" in table.metadata().partition_columns
        filters = [("date", "=", today)] if current_day_only and partitioned else None
        if current_day_only and not partitioned:
            continue
        metrics = table.optimize.compact(partition_filters=filters,
                                         target_size=TARGET_FILE_BYTES)
        results.append(OptimizeResult(
            name, metrics["numFilesRemoved"], metrics["numFilesAdded"],
            metrics["partitionsOptimized"], table.version()))
    return results


def vacuum(store: LakeStore, retention_hours: float,
           tables: tuple[str, ...] = TABLES) -> list[VacuumResult]:
    """Delete files no table version newer than `retention_hours` ago needs."""
    if retention_hours < MIN_RETENTION_HOURS:
        raise ValueError(f"a vacuum retention of {retention_hours} h would delete files a "
                         f"running query may still read; use at least {MIN_RETENTION_HOURS} h")
    results = []
    for name in tables:
        table = store.open(name)
        if table is None:
            continue
        deleted = table.vacuum(retention_hours=int(retention_hours), dry_run=False,
                               enforce_retention_duration=False)
        results.append(VacuumResult(name, len(deleted)))
    return results


def file_counts(store: LakeStore, name: str) -> dict[str, int]:
    """Active data files per partition (`date`) of a table; {} for a table not created yet."""
    table = store.open(name)
    if table is None:
        return {}
    counts: dict[str, int] = {}
    # delta-rs returns an arro3 table; pyarrow takes it through the Arrow C interface.
    for action in pa.table(table.get_add_actions(flatten=True)).to_pylist():
        day = str(action.get("partition.date"))
        counts[day] = counts.get(day, 0) + 1
    return counts
