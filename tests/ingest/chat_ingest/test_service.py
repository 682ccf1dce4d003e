"""The chat ingest service: real twitchio against the stand-in, real Tansu via kafka_broker."""

import asyncio
import logging
import stat

import pytest
from chatlake_contracts.chat import validate_chat_message
from chatlake_contracts.topics import CHAT_MESSAGES, DEAD_LETTERS

from ingest.chat_ingest import ChatIngestService
from tests.standin.support import (
    consume,
    eventually,
    ingest_config,
    online,
    publish_lifecycle,
    running,
    seeded_store,
    unique_channels,
)

pytestmark = pytest.mark.integration


def test_chat_of_30_channels_arrives_keyed_with_the_right_fields(
        twitch_standin, kafka_broker, tmp_path):
    channels = unique_channels(30)
    store = seeded_store(twitch_standin, tmp_path)
    service = ChatIngestService(ingest_config(twitch_standin, kafka_broker, store))

    async def scenario() -> list:
        await publish_lifecycle(kafka_broker, [online(c, rank=i + 1)
                                               for i, c in enumerate(channels)])
        async with running(service):
            await eventually(lambda: set(channels) <= service.stats.subscribed, 30,
                             "30 subscriptions")
            for i, channel in enumerate(channels):
                for n in range(5):
                    twitch_standin.push_chat(
                        channel, f"😀 hello Kappa {n}", user_id=f"9{i}", user_login=f"u{i}",
                        emotes=[{"emote_id": "25", "begin": 8, "end": 13}],
                        badges=[{"set_id": "moderator", "version": "1"}],
                        timestamp_ms=1_700_000_000_000 + n,
                        message_type="user_intro" if n == 0 else "text",
                        reply_parent_message_id="parent-1" if n == 1 else None,
                        source_broadcaster_id="42" if n == 2 else None)
            found = await consume(kafka_broker, CHAT_MESSAGES,
                                  lambda _k, v: v["broadcaster_id"] in channels, 150)
        # Leave the shared lifecycle topic as we found it for later tests.
        await publish_lifecycle(kafka_broker, [online(c, event_type="offline")
                                               for c in channels])
        return found

    found = asyncio.run(scenario())
    assert len(found) == 150
    for key, record in found:
        validate_chat_message(record)
        assert key.decode() == record["broadcaster_id"]
        assert record["source"] == "eventsub"
        assert record["text"][record["metadata"]["emotes"][0]["begin"]:
                              record["metadata"]["emotes"][0]["end"]] == "Kappa"
        assert record["metadata"]["is_mod"] is True
        assert record["broadcaster_login"] == f"channel{record['broadcaster_id']}"
    by_n = {record["text"][-1]: record for _, record in found}
    assert by_n["0"]["is_first_message"] is True and by_n["3"]["is_first_message"] is None
    assert by_n["1"]["reply_parent_message_id"] == "parent-1"
    assert by_n["2"]["source_broadcaster_id"] == "42"
    assert {r["timestamp"] - 1_700_000_000_000 for _, r in found} == {0, 1, 2, 3, 4}
    assert {r["broadcaster_id"] for _, r in found} == set(channels)


def test_a_dropped_eventsub_socket_loses_no_messages(twitch_standin, kafka_broker, tmp_path):
    channels = unique_channels(3)
    store = seeded_store(twitch_standin, tmp_path)
    service = ChatIngestService(ingest_config(twitch_standin, kafka_broker, store,
                                              static_channels=tuple(channels),
                                              follow_lifecycle=False))

    async def scenario() -> tuple[set, list]:
        sent: set[str] = set()
        async with running(service):
            await eventually(lambda: set(channels) <= service.stats.subscribed, 20)
            for round_ in range(6):
                for i in range(200):
                    sent.add(twitch_standin.push_chat(channels[i % 3], f"m {round_} {i}"))
                if round_ in (1, 3):
                    assert twitch_standin.drop_eventsub_sockets() >= 1
                await asyncio.sleep(0.2)
            await eventually(lambda: twitch_standin.stats()["delivered"] >= 1200, 30,
                             "every message delivered after re-subscription")
            found = await consume(kafka_broker, CHAT_MESSAGES,
                                  lambda _k, v: v["broadcaster_id"] in channels, 1200)
        return sent, found

    sent, found = asyncio.run(scenario())
    assert {record["message_id"] for _, record in found} == sent
    assert twitch_standin.stats()["dropped_sockets"] >= 2
    assert twitch_standin.stats()["connections"] >= 3  # it reconnected each time


def test_a_401_mid_run_refreshes_and_persists_the_token(twitch_standin, kafka_broker, tmp_path):
    first, second = unique_channels(2)
    store = seeded_store(twitch_standin, tmp_path)
    before = store.load()
    service = ChatIngestService(ingest_config(twitch_standin, kafka_broker, store))

    async def scenario() -> None:
        async with running(service):
            await publish_lifecycle(kafka_broker, [online(first)])
            await eventually(lambda: first in service.stats.subscribed, 20)
            twitch_standin.expire_token(before.access_token)
            await publish_lifecycle(kafka_broker, [online(second)])  # needs a Helix call
            await eventually(lambda: second in service.stats.subscribed, 20)
            await eventually(lambda: store.load().access_token != before.access_token, 10,
                             "the refreshed token on disk")
            message_id = twitch_standin.push_chat(second, "after the refresh")
            found = await consume(kafka_broker, CHAT_MESSAGES,
                                  lambda _k, v: v["message_id"] == message_id, 1)
            assert found
        await publish_lifecycle(kafka_broker, [online(first, event_type="offline"),
                                               online(second, event_type="offline")])

    asyncio.run(scenario())
    after = store.load()
    assert after.refresh_token != before.refresh_token  # rotated, and the new one kept
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert ("refreshed", twitch_standin.bot_id) in twitch_standin.events
    assert before.access_token not in store.path.read_text()


def test_malformed_payloads_go_to_the_dead_letter_topic_and_the_service_keeps_running(
        twitch_standin, kafka_broker, tmp_path, caplog):
    (channel,) = unique_channels(1)
    store = seeded_store(twitch_standin, tmp_path)
    service = ChatIngestService(ingest_config(twitch_standin, kafka_broker, store,
                                              static_channels=(channel,),
                                              follow_lifecycle=False))
    good = '{"metadata": {"message_type": "notification", "message_timestamp": ' \
           '"2024-05-01T10:00:00.123456789Z", "subscription_type": "channel.chat.message"},' \
           ' "payload": {"subscription": {}, "event": %s}}'
    marker = f"dl-{channel}"

    def event(text: str = marker, **changes: object) -> str:
        import orjson

        from standin.chat_payload import chat_event
        body = chat_event(broadcaster_id=channel, broadcaster_login="x", text=text,
                          chatter_id="1", chatter_login="a")
        body.update(changes)
        return good % orjson.dumps(body).decode()

    async def scenario() -> tuple[list, list]:
        async with running(service):
            await eventually(lambda: channel in service.stats.subscribed, 20)
            twitch_standin.push_raw(channel, f"{{not json {marker}")
            twitch_standin.push_raw(channel, event(message={"text": 5, "fragments": []}))
            twitch_standin.push_raw(channel, event(text=marker + "x" * 5000))
            twitch_standin.push_raw(channel, event().replace(marker, marker + "\\ud800", 1))
            twitch_standin.push_raw(channel, f"[1, 2, \"{marker}\"]")
            letters = await consume(kafka_broker, DEAD_LETTERS,
                                    lambda _k, v: channel in v["raw"], 5)
            # Invalid UTF-8 in a text frame breaks the WebSocket protocol: aiohttp closes
            # the socket (1007) before anyone sees the bytes. The service must recover.
            twitch_standin.push_raw(channel, b"\xff\xfe invalid utf-8 " + marker.encode())
            await eventually(lambda: twitch_standin.stats()["connections"] >= 2, 20,
                             "a reconnect after the protocol error")
            ok = twitch_standin.push_chat(channel, "still alive")
            chat = await consume(kafka_broker, CHAT_MESSAGES,
                                 lambda _k, v: v["message_id"] == ok, 1)
        return letters, chat

    with caplog.at_level(logging.WARNING):
        letters, chat = asyncio.run(scenario())
    errors = sorted(v["error"] for _, v in letters)
    assert len(letters) == 5, errors
    assert any("not JSON" in e for e in errors)
    assert any("event.message.text must be str" in e for e in errors)
    assert any("characters long" in e for e in errors)
    assert any("UTF-8" in e or "surrogate" in e or "not JSON" in e for e in errors)
    assert any("not an EventSub message" in e for e in errors)
    assert all(v["origin"] == "chat-ingest" for _, v in letters)
    assert chat  # after all of it, chat still flows


def test_kafka_unreachable_buffers_within_a_bound_and_says_loudly_what_it_dropped(
        twitch_standin, tmp_path, caplog):
    from tests.support import free_port

    (channel,) = unique_channels(1)
    store = seeded_store(twitch_standin, tmp_path)
    service = ChatIngestService(ingest_config(
        twitch_standin, f"127.0.0.1:{free_port()}", store, static_channels=(channel,),
        follow_lifecycle=False, buffer_limit=50, flush_timeout_s=1.0))

    async def scenario() -> None:
        async with running(service):
            await eventually(lambda: channel in service.stats.subscribed, 20)
            for i in range(80):
                twitch_standin.push_chat(channel, f"m{i}", timestamp_ms=1_700_000_000_000 + i)
            await eventually(lambda: service.stats.counts["received"] == 80, 10)
            assert service.publisher.buffered == 50

    with caplog.at_level(logging.WARNING):
        asyncio.run(scenario())
    assert service.publisher.stats["dropped"] == 80  # 30 on arrival, 50 unsent at stop
    loud = [r.getMessage() for r in caplog.records
            if r.levelno >= logging.ERROR and r.name.startswith("ingest")]
    reported = [int(m.split("DROPPED ")[1].split()[0]) for m in loud if "DROPPED" in m]
    assert sum(reported) == 30, loud  # reported at once, then at most every 5 s and at stop
    assert all(channel in m for m in loud)
    assert any("LOST 50 records" in m for m in loud), loud


def test_graceful_stop_flushes_what_was_received(twitch_standin, kafka_broker, tmp_path):
    (channel,) = unique_channels(1)
    store = seeded_store(twitch_standin, tmp_path)
    service = ChatIngestService(ingest_config(twitch_standin, kafka_broker, store,
                                              static_channels=(channel,),
                                              follow_lifecycle=False))

    async def scenario() -> list:
        async with running(service):
            await eventually(lambda: channel in service.stats.subscribed, 20)
            for i in range(2000):
                twitch_standin.push_chat(channel, f"burst {i}")
            await eventually(lambda: service.stats.counts["received"] == 2000, 20)
        # stopped: everything received must be in Kafka now
        return await consume(kafka_broker, CHAT_MESSAGES,
                             lambda _k, v: v["broadcaster_id"] == channel, 2000, timeout=10)

    assert len(asyncio.run(scenario())) == 2000
