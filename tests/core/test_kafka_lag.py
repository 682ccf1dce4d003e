"""Consumer lag sampled from a real Tansu broker: end offset - the group's committed offset."""

import asyncio

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import OffsetAndMetadata
from chatlake_contracts.topics import CHAT_MESSAGES

from core.kafka_lag import LagSampler

pytestmark = pytest.mark.integration


async def produce_and_commit(servers: str, group: str, messages: int, commit: int) -> int:
    tp = TopicPartition(CHAT_MESSAGES, 0)
    async with AIOKafkaProducer(bootstrap_servers=servers, linger_ms=0) as producer:
        for n in range(messages):  # one record a batch: Tansu's end offset is then exact
            metadata = await producer.send_and_wait(CHAT_MESSAGES, b"x%d" % n, partition=0)
    consumer = AIOKafkaConsumer(bootstrap_servers=servers, group_id=group,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([tp])
        await consumer.commit({tp: OffsetAndMetadata(metadata.offset + 1 - messages + commit,
                                                     "")})
    finally:
        await consumer.stop()
    return metadata.offset + 1


def test_lag_is_end_minus_committed_per_partition(kafka_broker):
    async def run() -> LagSampler:
        await produce_and_commit(kafka_broker, "lag-test", messages=10, commit=4)
        sampler = LagSampler(kafka_broker, {"lag-test": [CHAT_MESSAGES],
                                            "never-committed": [CHAT_MESSAGES]})
        stop = asyncio.Event()
        task = asyncio.create_task(sampler.run(stop, interval_s=0.2))
        while sampler.last_ok is None:
            await asyncio.sleep(0.1)
        stop.set()
        await task
        return sampler

    sampler = asyncio.run(run())
    lag = sampler.metrics.lag.labels("lag-test", CHAT_MESSAGES, "0")._value.get()
    assert lag == 6
    assert sampler.metrics.up._value.get() == 1
    # A group that never committed has no lag series (nothing to compare).
    assert ("never-committed", CHAT_MESSAGES, "0") not in sampler.metrics.lag._metrics
