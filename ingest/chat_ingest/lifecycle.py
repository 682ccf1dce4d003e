"""Follow the `stream-lifecycle` topic from its beginning (the monitor's joins and leaves).

No consumer group: the topic is small and every start must rebuild the whole picture of
which channels are online, so each partition is read from offset 0 (a group would add a
~5 s join on Tansu and remember offsets we do not want). Never relies on end offsets, which
Tansu answers wrongly (see DESIGN).
"""

import asyncio
import logging
from collections.abc import Callable

import orjson
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError
from chatlake_contracts.errors import RecordError
from chatlake_contracts.lifecycle import validate_lifecycle_event
from chatlake_contracts.topics import STREAM_LIFECYCLE

log = logging.getLogger(__name__)


async def follow_lifecycle(bootstrap_servers: str, on_event: Callable[[dict], None],
                           on_bad: Callable[[bytes, str, str], None],
                           stop: asyncio.Event) -> None:
    """Call `on_event` for each valid event, `on_bad(raw, error, location)` for the rest."""
    delay = 0.5
    while not stop.is_set():
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=None,
                                    enable_auto_commit=False, auto_offset_reset="earliest")
        try:
            await consumer.start()
            partitions = await _partitions(consumer, stop)
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            log.info("following %s (%d partitions)", STREAM_LIFECYCLE, len(partitions))
            delay = 0.5
            while not stop.is_set():
                batches = await consumer.getmany(timeout_ms=300)
                for messages in batches.values():
                    for message in messages:
                        _handle(message, on_event, on_bad)
            return
        except KafkaError as error:
            log.warning("cannot read %s (%s); retrying in %.1f s", STREAM_LIFECYCLE,
                        type(error).__name__, delay)
        finally:
            await consumer.stop()
        await asyncio.sleep(delay)
        delay = min(delay * 2, 5.0)


async def _partitions(consumer: AIOKafkaConsumer, stop: asyncio.Event) -> list[TopicPartition]:
    while not stop.is_set():
        await consumer.topics()  # refreshes the cluster metadata
        found = consumer.partitions_for_topic(STREAM_LIFECYCLE)
        if found:
            return [TopicPartition(STREAM_LIFECYCLE, p) for p in sorted(found)]
        log.info("waiting for topic %s to exist", STREAM_LIFECYCLE)
        await asyncio.sleep(1.0)
    return []


def _handle(message: ConsumerRecord, on_event: Callable[[dict], None],
            on_bad: Callable[[bytes, str, str], None]) -> None:
    location = f"{message.topic}/{message.partition}@{message.offset}"
    try:
        event = validate_lifecycle_event(orjson.loads(message.value))
    except (orjson.JSONDecodeError, RecordError, TypeError) as error:
        on_bad(message.value or b"", f"bad stream-lifecycle event: {error}", location)
        return
    on_event(event)
