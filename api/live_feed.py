"""A channel's chat as it arrives, read from Kafka's chat-messages topic for one viewer.

Each viewer gets a consumer of its own, outside any group (nothing committed, nothing to
rebalance), assigned every partition from its end: the feed starts at the moment the page
opened and never replays history. Messages are keyed by broadcaster, but the partitioner is
the producer's business, so every partition is read and the channel's rows kept. Tansu's end
offsets can sit one producer batch early (DESIGN.md), so a viewer may first see a few messages
from just before it connected; the feed drops anything older than the connection.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError
from chatlake_contracts.topics import CHAT_MESSAGES

from warehouse.optouts import NO_OPTOUTS, OptOutSet

log = logging.getLogger(__name__)
# How long the feed waits for a topic to appear, and the longest silence between keep-alives.
TOPIC_WAIT_SECONDS = 10.0
KEEPALIVE_SECONDS = 15.0


class FeedUnavailableError(RuntimeError):
    """Kafka cannot be read (no broker, no topic)."""


async def follow_channel(bootstrap_servers: str, broadcaster_id: str, since: datetime,
                         optouts: Callable[[], Awaitable[OptOutSet]] | None = None,
                         ) -> AsyncIterator[dict | None]:
    """None once connected, then the channel's live chat messages after `since` as the
    contract's dicts, and None again after each quiet spell (a keep-alive for the caller).
    Raises FeedUnavailableError before the first None when Kafka cannot be read. `optouts`
    gives the current opt-out set: its users' messages are never sent."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=None,
                                enable_auto_commit=False, auto_offset_reset="latest")
    try:
        await consumer.start()
        partitions = await _partitions(consumer)
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        # Resolve the end offsets now: left lazy, a message sent before the first fetch
        # would fall before the feed's start.
        for partition in partitions:
            await consumer.position(partition)
    except KafkaError as error:
        await consumer.stop()
        raise FeedUnavailableError(f"cannot read {CHAT_MESSAGES}: {type(error).__name__}") from None
    since_ms = since.timestamp() * 1000
    try:
        yield None
        quiet = 0.0
        while True:
            batches = await consumer.getmany(timeout_ms=500)
            hidden = await optouts() if optouts is not None else NO_OPTOUTS
            sent = False
            for records in batches.values():
                for record in records:
                    message = _message(record.value, broadcaster_id, since_ms)
                    if message is not None and not (hidden and hidden.drops_message(message)):
                        sent = True
                        yield message
            quiet = 0.0 if sent else quiet + 0.5
            if quiet >= KEEPALIVE_SECONDS:
                quiet = 0.0
                yield None
    finally:
        await consumer.stop()


def _message(raw: bytes | None, broadcaster_id: str, since_ms: float) -> dict | None:
    try:
        message = orjson.loads(raw or b"")
    except orjson.JSONDecodeError:
        return None  # the archiver dead-letters it; a viewer has nothing to see
    if not isinstance(message, dict) or message.get("broadcaster_id") != broadcaster_id:
        return None
    if message.get("is_vod_comment") or not isinstance(message.get("timestamp"), int | float):
        return None
    return message if message["timestamp"] >= since_ms else None


async def _partitions(consumer: AIOKafkaConsumer) -> list[TopicPartition]:
    deadline = asyncio.get_running_loop().time() + TOPIC_WAIT_SECONDS
    while True:
        await consumer.topics()  # refreshes the cluster metadata
        found = consumer.partitions_for_topic(CHAT_MESSAGES)
        if found:
            return [TopicPartition(CHAT_MESSAGES, p) for p in sorted(found)]
        if asyncio.get_running_loop().time() > deadline:
            raise FeedUnavailableError(f"topic {CHAT_MESSAGES} does not exist")
        await asyncio.sleep(0.5)
