"""Chat records and dead letters into Kafka, through a bounded buffer.

`offer()` is synchronous and never blocks the EventSub reader. A sender task drains the
buffer into the producer (`core.kafka.chat_producer`: idempotent where the broker
allows, acks=all). While Kafka is unreachable, records wait in the buffer and failed sends
go back to its front; when the buffer is full, new records are dropped and the drops are
reported loudly (per channel, with the message times) every few seconds and at stop.
At stop, what is buffered is flushed for up to `flush_timeout_s`; anything still unsent is
reported as lost.
"""

import asyncio
import logging
import random
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiokafka.errors import KafkaError
from aiokafka.partitioner import DefaultPartitioner

from core.kafka import chat_producer

log = logging.getLogger(__name__)

SEND_BATCH = 4096
REPORT_EVERY_S = 5.0


@dataclass(slots=True)
class Outgoing:
    topic: str
    key: bytes | None
    value: bytes
    channel: str | None = None
    timestamp_ms: int | None = None


@dataclass
class DropReport:
    """What was dropped since the last report."""

    count: int = 0
    channels: Counter = field(default_factory=Counter)
    first_ms: int | None = None
    last_ms: int | None = None

    def add(self, item: Outgoing) -> None:
        self.count += 1
        self.channels[item.channel or "(dead letter)"] += 1
        if item.timestamp_ms is not None:
            self.first_ms = min(self.first_ms or item.timestamp_ms, item.timestamp_ms)
            self.last_ms = max(self.last_ms or item.timestamp_ms, item.timestamp_ms)

    def describe(self) -> str:
        top = ", ".join(f"{channel}: {n}" for channel, n in self.channels.most_common(5))
        more = len(self.channels) - 5
        span = ""
        if self.first_ms is not None and self.last_ms is not None:
            span = f"; sent between {_utc(self.first_ms)} and {_utc(self.last_ms)} UTC"
        return (f"{self.count} records of {len(self.channels)} channels ({top}"
                f"{f', +{more} more' if more > 0 else ''}){span}")


def _utc(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


class ChatPublisher:
    def __init__(self, bootstrap_servers: str, *, buffer_limit: int = 100_000,
                 flush_timeout_s: float = 15.0,
                 producer_factory: Callable[[str], Any] = chat_producer) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.buffer_limit = buffer_limit
        self.flush_timeout_s = flush_timeout_s
        self._producer_factory = producer_factory
        self._queue: deque[Outgoing] = deque()
        self._inflight = 0
        self._wake = asyncio.Event()
        self._pending_report = DropReport()
        self._last_report = 0.0
        self.connected = False
        self._stop_seen_at: float | None = None
        self._partitions: dict[str, list[int]] = {}
        self._key_partition: dict[tuple[str, bytes], int] = {}
        self.stats = Counter(published=0, dropped=0, send_failures=0)

    @property
    def buffered(self) -> int:
        return len(self._queue) + self._inflight

    def offer(self, item: Outgoing) -> bool:
        """Queue one record; False (and counted, reported) when the buffer is full."""
        if self.buffered >= self.buffer_limit:
            self.stats["dropped"] += 1
            self._pending_report.add(item)
            self._maybe_report()
            return False
        self._queue.append(item)
        self._wake.set()
        return True

    def _maybe_report(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if self._pending_report.count and (force or now - self._last_report >= REPORT_EVERY_S):
            log.error(
                "chat buffer full (%d records; Kafka %s): DROPPED %s; %d dropped in total",
                self.buffer_limit, "connected but slow" if self.connected else "unreachable",
                self._pending_report.describe(), self.stats["dropped"])
            self._pending_report = DropReport()
            self._last_report = now

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set and the buffer is flushed (or the flush timed out)."""
        delay = 0.5
        while not (stop.is_set() and (not self._queue or self._stopping_too_long())):
            try:
                async with self._producer_factory(self.bootstrap_servers) as producer:
                    log.info("connected to Kafka at %s", self.bootstrap_servers)
                    self.connected, delay = True, 0.5
                    await self._drain(producer, stop)
            except (KafkaError, OSError) as error:
                self.connected = False
                log.warning("Kafka at %s unreachable (%s); %d records buffered, retrying in "
                            "%.1f s", self.bootstrap_servers, type(error).__name__,
                            self.buffered, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        self._report_lost()

    def _stopping_too_long(self) -> bool:
        """True once the flush after a stop request has taken `flush_timeout_s`."""
        if self._stop_seen_at is None:
            self._stop_seen_at = time.monotonic()
        return time.monotonic() - self._stop_seen_at > self.flush_timeout_s

    async def _drain(self, producer: Any, stop: asyncio.Event) -> None:
        while True:
            self._maybe_report()
            if not self._queue:
                if stop.is_set():
                    return
                self._wake.clear()
                stop_wait = asyncio.ensure_future(stop.wait())
                wake_wait = asyncio.ensure_future(self._wake.wait())
                await asyncio.wait({stop_wait, wake_wait}, timeout=REPORT_EVERY_S,
                                   return_when=asyncio.FIRST_COMPLETED)
                stop_wait.cancel()
                wake_wait.cancel()
                continue
            if stop.is_set() and self._stopping_too_long():
                return
            await self._send_batch(producer)

    async def _send_batch(self, producer: Any) -> None:
        """Send up to SEND_BATCH records as whole per-partition batches.

        aiokafka's batch API (create_batch/send_batch) skips the per-record future and
        accumulator work of `send()`: at chat rates that per-record cost is most of the CPU
        the producer needs. Partitions are chosen exactly as aiokafka's default partitioner
        would (murmur2 of the key), so keys land where any other producer puts them.
        """
        batch = [self._queue.popleft() for _ in range(min(SEND_BATCH, len(self._queue)))]
        self._inflight = len(batch)
        groups: dict[tuple[str, int], list[int]] = {}
        sends: list[tuple[list[int], asyncio.Future]] = []
        sent: set[int] = set()
        try:
            cached = self._key_partition
            for index, item in enumerate(batch):
                partition = cached.get((item.topic, item.key))  # no await per record
                if partition is None:
                    partition = await self._partition(producer, item)
                groups.setdefault((item.topic, partition), []).append(index)
            for (topic, partition), indexes in groups.items():
                builder, members = producer.create_batch(), []
                for index in indexes:
                    item = batch[index]
                    if builder.append(key=item.key, value=item.value, timestamp=None) is None:
                        sends.append((members, await producer.send_batch(
                            builder, topic, partition=partition)))
                        sent.update(members)
                        builder, members = producer.create_batch(), []
                        builder.append(key=item.key, value=item.value, timestamp=None)
                    members.append(index)
                sends.append((members, await producer.send_batch(builder, topic,
                                                                 partition=partition)))
                sent.update(members)
        except KafkaError as error:
            self._partitions.clear()
            log.warning("Kafka send failed (%s); keeping %d records", type(error).__name__,
                        len(batch) - len(sent))
        results = await asyncio.gather(*(future for _, future in sends),
                                       return_exceptions=True)
        failed = set(range(len(batch))) - sent
        for (members, _), result in zip(sends, results, strict=True):
            if isinstance(result, BaseException):
                failed.update(members)
        self.stats["published"] += len(batch) - len(failed)
        self._inflight = 0
        if failed:
            self.stats["send_failures"] += len(failed)
            # Back to the front, in their original order.
            self._queue.extendleft(reversed([batch[i] for i in sorted(failed)]))
            self.connected = False
            log.warning("%d records not acknowledged by Kafka; retrying", len(failed))
            await asyncio.sleep(1.0)
        else:
            self.connected = True

    async def _partition(self, producer: Any, item: Outgoing) -> int:
        partitions = self._partitions.get(item.topic)
        if partitions is None:
            partitions = sorted(await producer.partitions_for(item.topic))
            self._partitions[item.topic] = partitions
        if item.key is None:
            return random.choice(partitions)  # noqa: S311 - spreading load, not a secret
        cached = self._key_partition.get((item.topic, item.key))
        if cached is None:
            if len(self._key_partition) > 100_000:  # keys are channels: this never fills
                self._key_partition.clear()
            cached = DefaultPartitioner()(item.key, partitions, partitions)
            self._key_partition[(item.topic, item.key)] = cached
        return cached

    def _report_lost(self) -> None:
        self._maybe_report(force=True)
        if self._queue:
            lost = DropReport()
            for item in self._queue:
                lost.add(item)
            self.stats["dropped"] += len(self._queue)
            log.error("stopping with Kafka unreachable: LOST %s", lost.describe())
            self._queue.clear()

