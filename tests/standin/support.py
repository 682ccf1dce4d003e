"""Fixtures of the Twitch suite: a stand-in per test, and helpers to point clients at it.

    def test_x(twitch_standin):            # a started TwitchStandIn (own thread and loop)
        twitch_standin.set_streams([...])
        asyncio.run(code_under_test(twitch_standin.helix_url, ...))
"""

import asyncio
import contextlib
import random
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import orjson
import pytest
import twitchio.eventsub.websockets
import twitchio.http
from aiokafka import AIOKafkaConsumer, TopicPartition
from chatlake_contracts.lifecycle import lifecycle_event
from chatlake_contracts.topics import STREAM_LIFECYCLE

from core.kafka import chat_producer
from ingest.chat_ingest import ChatIngestService, IngestConfig
from standin import TwitchStandIn
from twitch.tokens import StoredToken, TokenStore


@pytest.fixture
def twitch_standin() -> Iterator[TwitchStandIn]:
    """A running stand-in on a free port, fresh for each test (clip delay 0.5 s)."""
    standin = TwitchStandIn(clip_delay_s=0.5).start_in_thread()
    try:
        yield standin
    finally:
        standin.stop_thread()


@contextlib.contextmanager
def twitchio_pointed_at(standin: TwitchStandIn) -> Iterator[None]:
    """Set twitchio's URL globals to the stand-in for the duration, then restore them."""
    saved = (twitchio.http.Route.BASE, twitchio.http.Route.ID_BASE,
             twitchio.eventsub.websockets.WSS)
    twitchio.http.Route.BASE = standin.helix_url
    twitchio.http.Route.ID_BASE = standin.id_url
    twitchio.eventsub.websockets.WSS = standin.eventsub_ws_url
    try:
        yield
    finally:
        (twitchio.http.Route.BASE, twitchio.http.Route.ID_BASE,
         twitchio.eventsub.websockets.WSS) = saved


# ---------- the chat ingest service against the stand-in and a real broker ----------



def unique_channels(count: int) -> list[str]:
    """Broadcaster ids no other test uses (the session broker is shared)."""
    base = random.randrange(10**6, 10**7) * 1000
    return [str(base + i) for i in range(count)]


def seeded_store(standin: TwitchStandIn, folder: Path) -> TokenStore:
    token = standin.issue_user_token()
    store = TokenStore(folder / "twitch-token.json")
    store.save(StoredToken(access_token=token.access_token, refresh_token=token.refresh_token,
                           user_id=standin.bot_id, login=standin.bot_login,
                           client_id=standin.client_id, scopes=token.scopes))
    return store


def ingest_config(standin: TwitchStandIn, servers: str, store: TokenStore,
                  **overrides: object) -> IngestConfig:
    values = dict(bootstrap_servers=servers, client_id=standin.client_id,
                  client_secret=standin.client_secret, token_store=store,
                  helix_url=standin.helix_url, id_url=standin.id_url,
                  eventsub_ws_url=standin.eventsub_ws_url, reconcile_interval_s=0.2,
                  flush_timeout_s=5.0)
    values.update(overrides)
    return IngestConfig(**values)  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def running(service: ChatIngestService) -> AsyncIterator[ChatIngestService]:
    """Run the service for the block; then stop it (as SIGTERM would) and wait for it."""
    stop = asyncio.Event()
    task = asyncio.create_task(service.run(stop))
    ready = asyncio.create_task(service.ready.wait())
    await asyncio.wait({task, ready}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        task.result()  # raises the start-up error
    try:
        yield service
    finally:
        stop.set()
        await asyncio.wait_for(task, 60)


async def eventually(condition: Callable[[], bool], timeout: float = 20.0,
                     what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def publish_lifecycle(servers: str, events: list[dict]) -> None:
    async with chat_producer(servers) as producer:
        for event in events:
            await producer.send_and_wait(STREAM_LIFECYCLE, orjson.dumps(event),
                                         key=event["broadcaster_id"].encode())


def online(channel: str, rank: int = 1, event_type: str = "online") -> dict:
    return lifecycle_event(event_type=event_type, broadcaster_id=channel,
                           broadcaster_login=f"login{channel}", rank=rank,
                           timestamp=int(time.time() * 1000), reason="test")


async def consume(servers: str, topic: str, keep: Callable[[bytes | None, dict], bool],
                  count: int, timeout: float = 30.0) -> list[tuple[bytes | None, dict]]:
    """Read `topic` from the start until `count` records pass `keep` (or time runs out).

    Stops on a count, never on end offsets (Tansu answers those wrongly, see DESIGN).
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=servers, group_id=None,
                                enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    found: list[tuple[bytes | None, dict]] = []
    try:
        await consumer.topics()
        partitions = [TopicPartition(topic, p)
                      for p in sorted(consumer.partitions_for_topic(topic) or ())]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        deadline = time.monotonic() + timeout
        while len(found) < count and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=300)
            for messages in batches.values():
                for message in messages:
                    try:
                        value = orjson.loads(message.value)
                    except orjson.JSONDecodeError:
                        continue  # another test's bad record on the session's broker
                    if keep(message.key, value):
                        found.append((message.key, value))
    finally:
        await consumer.stop()
    return found
