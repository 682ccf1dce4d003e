"""The lake archiver: Kafka topics -> the lake's Delta tables, each message exactly once.

How "exactly once" holds when the process is killed at any moment:
- A batch becomes one Delta commit per table, and each commit carries an application
  transaction per topic-partition it holds: app id `<group>/<topic>/<partition>/<epoch>`,
  version = the batch's last offset. The rows and the record of how far they go land together
  or not at all.
- Kafka offsets are committed only after the table commits. A crash in between leaves the
  table ahead of Kafka; on (re)assignment the archiver reads the table's transaction versions
  and seeks past what the table already has, so the batch is not written twice.
- Dead letters go to their own table, committed first with the same app ids; when a batch is
  redone, dead letters at or below that table's version are left out.
- `epoch` tells offsets of one life of a topic from the next (archiver_epochs.py): the
  embedded broker keeps nothing across restarts, so offset 0 comes back.
"""

import asyncio
import gc
import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pyarrow as pa
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.structs import ConsumerRecord, OffsetAndMetadata

from warehouse.archive_batch import ParsedBatch, parse_batch
from warehouse.archiver_epochs import EpochBook
from warehouse.lake import table_from_records, to_lake_table
from warehouse.lake_schema import DATASET_BY_TOPIC, DATASETS, DEAD_LETTERS, Dataset
from warehouse.lake_store import LakeStore
from warehouse.optouts import NO_OPTOUTS, CachedOptOuts

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
    def last_offset(self) -> int:
        return self.records[-1].offset


class Archiver(ConsumerRebalanceListener):
    def __init__(self, config: ArchiverConfig, store: LakeStore,
                 optouts: CachedOptOuts | None = None) -> None:
        self.config = config
        self.store = store
        # Opted-out users' and channels' records are dropped before the commit.
        self.optouts = optouts
        self.opted_out_dropped = 0
        self.epochs = EpochBook(store, config.group_id)
        self.archived = 0
        self.dead_lettered = 0
        self._pending: dict[TopicPartition, _Pending] = {}
        self._pending_count = 0
        self._pending_since = 0.0
        # The last offset each table holds per partition (its transaction version), by table.
        self._written: dict[str, dict[TopicPartition, int]] = defaultdict(dict)
        # Assigned partitions whose position has been set from the table and Kafka's commit.
        self._ready: set[TopicPartition] = set()
        self._lock = asyncio.Lock()
        self._consumer: AIOKafkaConsumer | None = None
        self._threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="archiver")

    def app_id(self, tp: TopicPartition) -> str:
        return f"{self.config.group_id}/{tp.topic}/{tp.partition}/{self.epochs.epoch(tp)}"

    async def run(self, stop: asyncio.Event) -> None:
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

    def _buffer(self, tp: TopicPartition, records: Sequence[ConsumerRecord]) -> None:
        # The consumer may fetch for a partition while its assignment is still being set up
        # (the table read below, then a seek); those records are read again after the seek.
        if tp not in self._ready:
            return
        # Records the table already holds are left out (belt and braces after the seek).
        done = self._written[DATASET_BY_TOPIC[tp.topic].name].get(tp, -1)
        if records and records[0].offset <= done:
            records = [r for r in records if r.offset > done]
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
        # keeps a trickle of messages from becoming a commit per poll.
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
        """Parse every partition's records (in parallel: pyarrow and DuckDB release the GIL),
        then commit dead letters, then each dataset's rows; returns the rows archived."""
        parsed = dict(zip(pending, self._threads.map(self._parse, pending.items()),
                          strict=True))
        self._commit_dead_letters(pending, parsed)
        by_dataset: dict[Dataset, list[TopicPartition]] = defaultdict(list)
        for tp in pending:
            by_dataset[DATASET_BY_TOPIC[tp.topic]].append(tp)
        commits = [(dataset, tps, [parsed[tp].table for tp in tps
                                   if parsed[tp].table is not None])
                   for dataset, tps in by_dataset.items()]
        list(self._threads.map(lambda c: self._commit(c[0], c[1], c[2], pending), commits))
        return sum(sum(t.num_rows for t in tables) for _, _, tables in commits)

    def _parse(self, item: tuple[TopicPartition, _Pending]) -> ParsedBatch:
        tp, batch = item
        parsed = parse_batch(DATASET_BY_TOPIC[tp.topic], [r.value for r in batch.records],
                             [r.offset for r in batch.records], f"{tp.topic}/{tp.partition}")
        optouts = self.optouts.current() if self.optouts is not None else NO_OPTOUTS
        if parsed.table is not None and optouts:
            parsed.table, dropped = optouts.filter(parsed.table)
            self.opted_out_dropped += dropped  # one thread per partition; a metric's count
            if not parsed.table.num_rows:
                parsed.table = None
        return parsed

    def _commit(self, dataset: Dataset, tps: list[TopicPartition], tables: list[pa.Table],
                pending: dict[TopicPartition, _Pending]) -> None:
        versions = {tp: pending[tp].last_offset for tp in tps}
        if tables:
            self.store.append(dataset.name, pa.concat_tables(tables) if len(tables) > 1
                              else tables[0],
                              transactions={self.app_id(tp): v for tp, v in versions.items()})
        # A batch of only dead letters has no rows here; were it redone, its dead letters
        # would be left out by their own table's versions.
        self._written[dataset.name].update(versions)

    def _commit_dead_letters(self, pending: dict[TopicPartition, _Pending],
                             parsed: dict[TopicPartition, ParsedBatch]) -> None:
        done = self._written[DEAD_LETTERS.name]
        letters, versions = [], {}
        for tp, batch in parsed.items():
            fresh = [letter for letter, offset in zip(batch.dead_letters,
                                                      batch.dead_letter_offsets, strict=True)
                     if offset > done.get(tp, -1)]
            if fresh:
                letters += fresh
                versions[tp] = pending[tp].last_offset
                log.warning("%s/%d: %d invalid records dead-lettered, first: %s", tp.topic,
                            tp.partition, len(fresh), fresh[0]["error"])
        if not letters:
            return
        table = to_lake_table(table_from_records(letters, DEAD_LETTERS), DEAD_LETTERS)
        self.store.append(DEAD_LETTERS.name, table,
                          transactions={self.app_id(tp): v for tp, v in versions.items()})
        done.update(versions)
        self.dead_lettered += len(letters)

    # ConsumerRebalanceListener
    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        # Wait for an in-flight flush, then forget what is buffered for partitions that go
        # elsewhere: their next owner re-reads it from the committed offset.
        async with self._lock:
            for tp in revoked:
                self._ready.discard(tp)
                dropped = self._pending.pop(tp, None)
                if dropped:
                    self._pending_count -= len(dropped.records)

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        assert self._consumer is not None
        committed = {tp: await self._consumer.committed(tp) for tp in assigned}
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self.epochs.open, assigned, committed)
        for table in {DATASET_BY_TOPIC[tp.topic].name for tp in assigned} | {DEAD_LETTERS.name}:
            ids = {self.app_id(tp): tp for tp in assigned}
            versions = await loop.run_in_executor(
                None, self.store.transaction_versions, table, list(ids))
            for tp in assigned:
                self._written[table].pop(tp, None)  # another archiver may have moved it on
            self._written[table].update({ids[app]: v for app, v in versions.items()})
        for tp in assigned:
            done = self._written[DATASET_BY_TOPIC[tp.topic].name].get(tp)
            resume = committed[tp] or 0  # nothing committed: from the start ("earliest")
            if done is not None and done + 1 > resume:
                log.info("%s/%d: the lake already holds offsets up to %d, resuming after them",
                         tp.topic, tp.partition, done)
                resume = done + 1
            # Always set: records fetched while this ran were dropped by _buffer.
            self._consumer.seek(tp, resume)
            self._ready.add(tp)
