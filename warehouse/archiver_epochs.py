"""Which life of a Kafka topic the archiver is reading, kept in the lake beside the data.

The embedded broker keeps nothing across restarts, so offset 0 comes back. Each partition's
offsets therefore belong to an epoch, and the archiver's application transactions are per
epoch (`<group>/<topic>/<partition>/<epoch>`): a new life never mistakes the table's record of
an old one for its own. A new epoch starts only when the group has no committed offset *and*
the previous epoch had committed something (a group that crashed before its first commit keeps
its epoch, so its own writes are recognised).

The book is the Delta table `_archiver_epochs`, appended to only (a later row wins), so
archivers of one group sharing the partitions never conflict when they write it.
"""

import time
import uuid
from collections.abc import Iterable

import pyarrow as pa
import pyarrow.compute as pc
from aiokafka import TopicPartition

from warehouse.lake_store import LakeStore

TABLE = "_archiver_epochs"
SCHEMA = pa.schema([
    ("group_id", pa.string()), ("topic", pa.string()), ("partition", pa.int32()),
    ("epoch", pa.string()), ("committed", pa.bool_()), ("written_ns", pa.int64()),
])


class EpochBook:
    def __init__(self, store: LakeStore, group_id: str) -> None:
        self._store = store
        self._group = group_id
        self._epochs: dict[TopicPartition, str] = {}
        self._unconfirmed: set[TopicPartition] = set()

    def open(self, tps: Iterable[TopicPartition],
             committed: dict[TopicPartition, int | None]) -> dict[TopicPartition, str]:
        """The epoch of each newly assigned partition, given the group's committed offsets."""
        known = self._read()
        new_rows = []
        for tp in tps:
            marker = known.get((tp.topic, tp.partition))
            if marker and (committed[tp] is not None or not marker[1]):
                epoch = marker[0]
                if not marker[1]:
                    self._unconfirmed.add(tp)
            else:
                epoch = uuid.uuid4().hex[:12]
                new_rows.append((tp, epoch, committed[tp] is not None))
                if committed[tp] is None:
                    self._unconfirmed.add(tp)
            self._epochs[tp] = epoch
        self._write(new_rows)
        return {tp: self._epochs[tp] for tp in tps}

    def epoch(self, tp: TopicPartition) -> str:
        return self._epochs[tp]

    def confirm(self, tps: Iterable[TopicPartition]) -> None:
        """Record that these partitions' epochs now have committed offsets."""
        newly = set(tps) & self._unconfirmed
        self._write([(tp, self._epochs[tp], True) for tp in newly])
        self._unconfirmed -= newly

    def _read(self) -> dict[tuple[str, int], tuple[str, bool]]:
        table = self._store.open(TABLE)
        if table is None:
            return {}
        rows = table.to_pyarrow_table(filters=[("group_id", "=", self._group)])
        rows = rows.take(pc.sort_indices(rows, [("written_ns", "ascending")]))
        return {(r["topic"], r["partition"]): (r["epoch"], r["committed"])
                for r in rows.to_pylist()}

    def _write(self, rows: list[tuple[TopicPartition, str, bool]]) -> None:
        if not rows:
            return
        now = time.time_ns()
        self._store.append(TABLE, pa.Table.from_pylist([
            {"group_id": self._group, "topic": tp.topic, "partition": tp.partition,
             "epoch": epoch, "committed": committed, "written_ns": now}
            for tp, epoch, committed in rows], schema=SCHEMA), partition_by=None)
