"""The lake archiver: Kafka topics -> Parquet files in the lake, each message exactly once.

How "exactly once" holds when the process is killed at any moment:
- A batch of one Kafka partition becomes files named `<topic>+<partition>+<epoch>+<first>+<last>`
  (first/last offsets, one file per UTC day), written atomically; offsets are committed only
  after every file of the batch is durable.
- On (re)assignment of a partition, files of that partition whose first offset is at or after
  the committed offset were written but never committed: they are deleted before consuming
  again, so the re-read batch replaces them instead of doubling them.
- `epoch` tells offsets of one life of a topic from the next: the embedded broker keeps
  nothing across restarts, so offset 0 comes back. The epoch is kept in the lake beside the
  data (`_archiver/<group>/<topic>+<partition>.json`); a new one starts only when the group has
  no committed offset *and* the previous epoch had committed something. Files of old epochs are
  never touched.
"""

import asyncio
import gc
import logging
import time
import uuid
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import orjson
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.structs import ConsumerRecord, OffsetAndMetadata

from warehouse.archive_batch import parse_batch
from warehouse.lake import table_from_records, to_lake_table, write_partitioned
from warehouse.lake_schema import DATASET_BY_TOPIC, DATASETS, DEAD_LETTERS, Dataset
from warehouse.lake_store import LakeStore

log = logging.getLogger(__name__)

IDLE_FLUSH_SECONDS = 1.0


def relax_gc_for_batches() -> None:
    """For a process that runs an archiver: it keeps a batch of records (up to 200 k objects
    each) alive at once, and with the default thresholds the cyclic GC walks them again and
    again and frees nothing (measured: 15-20% of the archiver's CPU). Young objects are
    collected every 100 k allocations instead of every 700."""
    gc.set_threshold(100_000, 50, 1000)


@dataclass(frozen=True)
class ArchiverConfig:
    bootstrap_servers: str
    group_id: str = "chatlake-archiver"
    datasets: tuple[Dataset, ...] = DATASETS
    max_batch_messages: int = 200_000
    max_batch_seconds: float = 5.0


@dataclass
class _Pending:
    """Records read from one partition and not yet written, in offset order (offsets may have
    gaps: transaction markers and compaction leave some out)."""

    records: list[ConsumerRecord] = field(default_factory=list)

    @property
    def first_offset(self) -> int:
        return self.records[0].offset

    @property
    def last_offset(self) -> int:
        return self.records[-1].offset


def file_stem(tp: TopicPartition, epoch: str, first: int, last: int) -> str:
    return f"{tp.topic}+{tp.partition}+{epoch}+{first:019d}+{last:019d}"


def _parse_stem(relative: str) -> tuple[str, int, str, int] | None:
    name = relative.rsplit("/", 1)[-1].removesuffix(".parquet")
    parts = name.split("+")
    if len(parts) != 5:
        return None
    topic, partition, epoch, first, _last = parts
    return topic, int(partition), epoch, int(first)


class EpochBook:
    """The epoch of each partition, persisted in the lake (see the module docstring)."""

    def __init__(self, store: LakeStore, group_id: str) -> None:
        self._store = store
        self._folder = f"_archiver/{group_id}"
        self._epochs: dict[TopicPartition, str] = {}
        self._unconfirmed: set[TopicPartition] = set()

    def _path(self, tp: TopicPartition) -> str:
        return f"{self._folder}/{tp.topic}+{tp.partition}.json"

    def open(self, tp: TopicPartition, committed: int | None) -> str:
        raw = self._store.read_bytes(self._path(tp))
        marker = orjson.loads(raw) if raw else None
        if marker and (committed is not None or not marker["committed"]):
            epoch = marker["epoch"]
            if not marker["committed"]:
                self._unconfirmed.add(tp)
        else:
            epoch = uuid.uuid4().hex[:12]
            self._store.write_bytes(self._path(tp), orjson.dumps(
                {"epoch": epoch, "committed": committed is not None}))
            if committed is None:
                self._unconfirmed.add(tp)
        self._epochs[tp] = epoch
        return epoch

    def epoch(self, tp: TopicPartition) -> str:
        return self._epochs[tp]

    def confirm(self, tps: Iterable[TopicPartition]) -> None:
        """Record that these partitions' epochs now have committed offsets."""
        for tp in set(tps) & self._unconfirmed:
            self._store.write_bytes(self._path(tp), orjson.dumps(
                {"epoch": self._epochs[tp], "committed": True}))
            self._unconfirmed.discard(tp)


class Archiver(ConsumerRebalanceListener):
    def __init__(self, config: ArchiverConfig, store: LakeStore) -> None:
        self.config = config
        self.store = store
        self.epochs = EpochBook(store, config.group_id)
        self.archived = 0
        self.dead_lettered = 0
        self._pending: dict[TopicPartition, _Pending] = {}
        self._pending_count = 0
        self._pending_since = 0.0
        self._lock = asyncio.Lock()
        self._consumer: AIOKafkaConsumer | None = None
        self._threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="archiver")

    async def run(self, stop: asyncio.Event) -> None:
        for dataset in (*self.config.datasets, DEAD_LETTERS):
            removed = self.store.remove_temporaries(dataset.name)
            if removed:
                log.info("removed %d half-written files from %s", removed, dataset.name)
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self.config.bootstrap_servers,
            group_id=self.config.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            fetch_max_bytes=64 << 20,
            max_partition_fetch_bytes=16 << 20,
        )
        self._consumer.subscribe(topics=[d.topic for d in self.config.datasets], listener=self)
        await self._consumer.start()
        log.info("archiving %s into %s", ", ".join(d.topic for d in self.config.datasets),
                 self.store.uri)
        # One batch is written in the background while the next is read; a second waits.
        writing: asyncio.Task | None = None
        try:
            while not stop.is_set():
                batches = await self._consumer.getmany(timeout_ms=200, max_records=50_000)
                for tp, records in batches.items():
                    self._buffer(tp, records)
                if self._due(caught_up=not batches):
                    if writing is not None:
                        await writing
                    writing = asyncio.create_task(self.flush())
            if writing is not None:
                await writing
            await self.flush()
        finally:
            if writing is not None and not writing.done():
                writing.cancel()
            await self._consumer.stop()
            self._threads.shutdown()

    def _buffer(self, tp: TopicPartition, records: Sequence) -> None:
        if not records:
            return
        if not self._pending_count:
            self._pending_since = time.monotonic()
        self._pending.setdefault(tp, _Pending()).records.extend(records)
        self._pending_count += len(records)

    def _due(self, *, caught_up: bool) -> bool:
        if self._pending_count >= self.config.max_batch_messages:
            return True
        if not self._pending_count:
            return False
        # Once the topics are drained, waiting longer only delays the data; a short floor
        # keeps a trickle of messages from becoming a file per poll.
        age = time.monotonic() - self._pending_since
        limit = min(IDLE_FLUSH_SECONDS, self.config.max_batch_seconds) if caught_up \
            else self.config.max_batch_seconds
        return age >= limit

    async def flush(self) -> None:
        async with self._lock:
            if not self._pending:
                return
            pending, self._pending, self._pending_count = self._pending, {}, 0
            written = await asyncio.get_running_loop().run_in_executor(
                None, self._write, pending)
            assert self._consumer is not None
            await self._consumer.commit(
                {tp: OffsetAndMetadata(p.last_offset + 1, "") for tp, p in pending.items()})
            self.epochs.confirm(pending)
            self.archived += written

    def _write(self, pending: dict[TopicPartition, _Pending]) -> int:
        # Partitions are parsed and written in parallel: pyarrow releases the GIL.
        return sum(self._threads.map(self._write_partition, pending.items()))

    def _write_partition(self, item: tuple[TopicPartition, _Pending]) -> int:
        tp, batch = item
        dataset = DATASET_BY_TOPIC[tp.topic]
        stem = file_stem(tp, self.epochs.epoch(tp), batch.first_offset, batch.last_offset)
        parsed = parse_batch(dataset, [r.value for r in batch.records],
                             [r.offset for r in batch.records], f"{tp.topic}/{tp.partition}")
        if parsed.table is not None:
            write_partitioned(self.store, dataset, parsed.table, stem)
        if parsed.dead_letters:
            table = to_lake_table(table_from_records(parsed.dead_letters, DEAD_LETTERS),
                                  DEAD_LETTERS)
            write_partitioned(self.store, DEAD_LETTERS, table, stem)
            self.dead_lettered += len(parsed.dead_letters)
            log.warning("%s: %d invalid records dead-lettered, first: %s", stem,
                        len(parsed.dead_letters), parsed.dead_letters[0]["error"])
        return parsed.table.num_rows if parsed.table is not None else 0

    # ConsumerRebalanceListener
    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        # Wait for an in-flight flush, then forget what is buffered for partitions that go
        # elsewhere: their next owner re-reads it from the committed offset.
        async with self._lock:
            for tp in revoked:
                dropped = self._pending.pop(tp, None)
                if dropped:
                    self._pending_count -= len(dropped.records)

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        assert self._consumer is not None
        for tp in assigned:
            committed = await self._consumer.committed(tp)
            epoch = self.epochs.open(tp, committed)
            self._remove_uncommitted(tp, epoch, committed or 0)

    def _remove_uncommitted(self, tp: TopicPartition, epoch: str, committed: int) -> None:
        dataset = DATASET_BY_TOPIC[tp.topic]
        for folder in {dataset.name, DEAD_LETTERS.name}:
            for relative in self.store.list(folder):
                parsed = _parse_stem(relative)
                if parsed and parsed[:3] == (tp.topic, tp.partition, epoch) \
                        and parsed[3] >= committed:
                    self.store.delete(relative)
                    log.info("removed uncommitted %s", relative)

