"""Consumer lag of the chatlake consumer groups, sampled from the broker.

    sampler = LagSampler(servers, ["chatlake-archiver", "chatlake-detector"])
    await sampler.run(stop, interval_s=15)      # keeps the chatlake_kafka_* gauges fresh

Lag of a partition = its end offset (ListOffsets, "latest") - the group's committed offset
(OffsetFetch), floored at 0. How far to trust it depends on the broker:
- Kafka: exact to within one sampling interval (the committed offset moves when the consumer
  commits: the archiver after every table commit, Flink's source on each checkpoint, so a
  healthy detector lags by up to one checkpoint interval's messages).
- Tansu 0.6 (the embedded broker): "latest" is the *base offset of the last batch + 1* when
  producers batch, not the offset after the last record, so the end offset is low by up to one
  producer batch per partition (aiokafka batches up to its linger, 20 ms here; at 50 k msg/s
  that is ~1,000 records). Lag therefore reads low by up to a batch, and a caught-up consumer
  (committed past that wrong end) reads 0 thanks to the floor. A stuck consumer still shows a
  lag that grows with every new batch, which is what the alert needs; small lags mean nothing.
  Never stop anything on these numbers (DESIGN): the alerts use them only with a threshold far
  above a batch, and `chatlake_archiver_*` counters say whether the archiver moves at all.
"""

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Mapping, Sequence
from types import SimpleNamespace

from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client import Gauge

log = logging.getLogger(__name__)


@functools.cache
def gauges() -> SimpleNamespace:
    """Registered by the first sampler only, so processes that sample nothing export nothing."""
    labels = ["group", "topic", "partition"]
    return SimpleNamespace(
        lag=Gauge("chatlake_kafka_consumer_lag",
                  "End offset - committed offset of a chatlake consumer group, floored at 0 "
                  "(reads low by up to one producer batch on Tansu: core/kafka_lag.py).",
                  labels),
        committed=Gauge("chatlake_kafka_committed_offset", "The group's committed offset.",
                        labels),
        end=Gauge("chatlake_kafka_end_offset",
                  "The partition's end offset as the broker reports it.",
                  ["topic", "partition"]),
        sampled=Gauge("chatlake_kafka_lag_sampled_timestamp_seconds",
                      "When consumer lag was last read from the broker (epoch s)."),
        up=Gauge("chatlake_kafka_lag_up", "1 when the last lag sample reached the broker."))


class LagSampler:
    """`groups` maps each consumer group to the topics it reads.

    One idle consumer per group reads the group's committed offsets (OffsetFetch through the
    group coordinator; it never joins the group nor commits). aiokafka's admin client is not
    used: Tansu 0.6 closes the connection on its OffsetFetch."""

    def __init__(self, bootstrap_servers: str, groups: Mapping[str, Sequence[str]]) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.groups = {group: tuple(topics) for group, topics in groups.items()}
        self.last_ok: float | None = None
        self.metrics = gauges()

    async def sample(self, consumers: Mapping[str, AIOKafkaConsumer]) -> None:
        any_consumer = next(iter(consumers.values()))
        await any_consumer.topics()  # fresh metadata: topics created since are seen
        partitions: dict[str, list[TopicPartition]] = {}
        for topic in sorted({t for topics in self.groups.values() for t in topics}):
            found = any_consumer.partitions_for_topic(topic) or set()
            partitions[topic] = [TopicPartition(topic, p) for p in sorted(found)]
        every = [tp for tps in partitions.values() for tp in tps]
        ends = await any_consumer.end_offsets(every) if every else {}
        for tp, end in ends.items():
            self.metrics.end.labels(tp.topic, str(tp.partition)).set(end)
        for group, topics in self.groups.items():
            for topic in topics:
                for tp in partitions[topic]:
                    committed = await consumers[group].committed(tp)
                    if committed is None or tp not in ends:
                        continue  # the group never committed here
                    labels = (group, tp.topic, str(tp.partition))
                    self.metrics.committed.labels(*labels).set(committed)
                    self.metrics.lag.labels(*labels).set(max(0, ends[tp] - committed))
        self.last_ok = time.time()
        self.metrics.sampled.set(self.last_ok)
        self.metrics.up.set(1)

    async def run(self, stop: asyncio.Event, *, interval_s: float = 15.0) -> None:
        consumers: dict[str, AIOKafkaConsumer] = {}
        try:
            while not stop.is_set():
                try:
                    for group in self.groups:
                        if group not in consumers:
                            consumer = AIOKafkaConsumer(
                                bootstrap_servers=self.bootstrap_servers, group_id=group,
                                enable_auto_commit=False)
                            await consumer.start()
                            consumers[group] = consumer
                    await self.sample(consumers)
                except Exception as error:  # the broker is away: report it, try again
                    self.metrics.up.set(0)
                    log.warning("consumer lag not sampled: %s: %s", type(error).__name__, error)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), interval_s)
        finally:
            for consumer in consumers.values():
                with contextlib.suppress(Exception):
                    await consumer.stop()
