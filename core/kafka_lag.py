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
import logging
import time
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import Gauge

log = logging.getLogger(__name__)

_LABELS = ["group", "topic", "partition"]
LAG = Gauge("chatlake_kafka_consumer_lag",
            "End offset - committed offset of a chatlake consumer group, floored at 0 (reads "
            "low by up to one producer batch on Tansu: core/kafka_lag.py).", _LABELS)
COMMITTED = Gauge("chatlake_kafka_committed_offset", "The group's committed offset.", _LABELS)
END = Gauge("chatlake_kafka_end_offset", "The partition's end offset as the broker reports it.",
            ["topic", "partition"])
SAMPLED = Gauge("chatlake_kafka_lag_sampled_timestamp_seconds",
                "When consumer lag was last read from the broker (epoch s).")
UP = Gauge("chatlake_kafka_lag_up", "1 when the last lag sample reached the broker.")


class LagSampler:
    def __init__(self, bootstrap_servers: str, groups: Sequence[str]) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.groups = tuple(groups)
        self.last_ok: float | None = None

    async def sample(self, admin: AIOKafkaAdminClient, consumer: AIOKafkaConsumer) -> None:
        committed: dict[tuple[str, TopicPartition], int] = {}
        for group in self.groups:
            offsets = await admin.list_consumer_group_offsets(group)
            for tp, meta in offsets.items():
                if meta is not None and meta.offset >= 0:
                    committed[(group, tp)] = meta.offset
        partitions = sorted({tp for _, tp in committed})
        ends = await consumer.end_offsets(partitions) if partitions else {}
        for tp, end in ends.items():
            END.labels(tp.topic, str(tp.partition)).set(end)
        for (group, tp), offset in committed.items():
            labels = (group, tp.topic, str(tp.partition))
            COMMITTED.labels(*labels).set(offset)
            if tp in ends:
                LAG.labels(*labels).set(max(0, ends[tp] - offset))
        self.last_ok = time.time()
        SAMPLED.set(self.last_ok)
        UP.set(1)

    async def run(self, stop: asyncio.Event, *, interval_s: float = 15.0) -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap_servers)
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap_servers,
                                    enable_auto_commit=False)
        started = False
        try:
            while not stop.is_set():
                try:
                    if not started:
                        await admin.start()
                        await consumer.start()
                        started = True
                    await self.sample(admin, consumer)
                except Exception as error:  # the broker is away: report it, try again
                    UP.set(0)
                    log.warning("consumer lag not sampled: %s: %s", type(error).__name__, error)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), interval_s)
        finally:
            if started:
                with contextlib.suppress(Exception):
                    await consumer.stop()
                with contextlib.suppress(Exception):
                    await admin.close()
