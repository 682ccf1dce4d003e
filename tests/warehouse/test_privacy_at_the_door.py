"""Opted-out chat never enters: a re-imported old file stores none of the user's messages, and
live chat from them is dropped at the ingest and counted. Real PostgreSQL registry, real
importers and Delta tables, real twitchio against the stand-in and a real Tansu broker."""

import asyncio
from collections import Counter

import orjson
import pytest
from chatlake_contracts.topics import CHAT_MESSAGES

from ingest.chat_ingest import ChatIngestService
from ingest.chat_ingest.metrics import ingest_reading
from tests.standin.support import (
    consume,
    eventually,
    ingest_config,
    running,
    seeded_store,
    unique_channels,
)
from tests.warehouse.privacy_support import (
    ERASED_ID,
    ERASED_LOGIN,
    chatlake,
    fill_lake,
    registry_dsn,
)
from warehouse import optouts
from warehouse.lake_store import LakeStore
from warehouse.optouts import CachedOptOuts, OptOut

pytestmark = [pytest.mark.integration]
IMPORT = ("import", "--start", "2019-03-02T17:00:00Z", "--channel", "dota2ch",
          "--channel-id", "4242")


def user_counts(store: LakeStore) -> Counter:
    rows = store.open("chat_messages").to_pyarrow_table(columns=["user_name"]).to_pylist()
    return Counter((r["user_name"] or "").lower() for r in rows)


def test_reimporting_an_old_file_stores_none_of_an_opted_out_users_messages(
        tmp_path, postgres_server, dota2_file):
    dsn = registry_dsn(postgres_server, "privacy_reimport")
    first = LakeStore(str(tmp_path / "first"))
    env = {"CHATLAKE_STATE_DIR": str(tmp_path / "state"), "CHATLAKE_POSTGRES_DSN": dsn}
    done = chatlake(*IMPORT, str(dota2_file), env={**env, "CHATLAKE_LAKE_URI": first.uri})
    assert done.returncode == 0, done.stderr
    before = user_counts(first)
    login, theirs = before.most_common(1)[0]  # never printed: a real chatter
    assert theirs > 1
    assert optouts.add(dsn, OptOut("user", None, login))

    again = LakeStore(str(tmp_path / "again"))
    done = chatlake(*IMPORT, str(dota2_file), env={**env, "CHATLAKE_LAKE_URI": again.uri})
    assert done.returncode == 0, done.stderr
    after = user_counts(again)
    assert after[login] == 0
    assert sum(after.values()) == sum(before.values()) - theirs
    assert after == Counter({u: n for u, n in before.items() if u != login})


def test_live_chat_from_an_opted_out_user_is_dropped_at_ingest_and_counted(
        twitch_standin, kafka_broker, postgres_server, tmp_path):
    dsn = registry_dsn(postgres_server, "privacy_live")
    assert optouts.add(dsn, OptOut("user", "300000666", None))
    (channel,) = unique_channels(1)
    store = seeded_store(twitch_standin, tmp_path)
    service = ChatIngestService(ingest_config(twitch_standin, kafka_broker, store,
                                              static_channels=(channel,),
                                              follow_lifecycle=False))
    service.optouts = CachedOptOuts(lambda: optouts.load_set(dsn), refresh_s=0.0)

    async def scenario() -> list:
        async with running(service):
            await eventually(lambda: channel in service.stats.subscribed, 20)
            for n in range(3):
                twitch_standin.push_chat(channel, f"dropped {n}", user_id="300000666",
                                         user_login="optedout")
            kept = twitch_standin.push_chat(channel, "kept", user_id="300000001",
                                            user_login="viewer1")
            # One channel is one key, so one partition, in order: had the first three been
            # published, the first record of the channel would be one of them.
            first = await consume(kafka_broker, CHAT_MESSAGES,
                                  lambda _k, v: v["broadcaster_id"] == channel, 1)
            assert first[0][1]["message_id"] == kept
            return first

    chat = asyncio.run(scenario())
    assert [v["text"] for _, v in chat] == ["kept"]
    assert ingest_reading(service).optout_dropped == 3


def test_an_export_never_shows_an_opted_out_user_even_before_erasure(tmp_path,
                                                                    postgres_server):
    dsn = registry_dsn(postgres_server, "privacy_export")
    store = LakeStore(str(tmp_path / "lake"))
    fill_lake(store)
    assert optouts.add(dsn, OptOut("user", ERASED_ID, None))
    env = {"CHATLAKE_STATE_DIR": str(tmp_path / "state"), "CHATLAKE_LAKE_URI": store.uri,
           "CHATLAKE_POSTGRES_DSN": dsn}
    out = tmp_path / "chat.jsonl"
    done = chatlake("export", "chat_messages", "--format", "jsonl", "-o", str(out), env=env)
    assert done.returncode == 0, done.stderr
    rows = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    total = store.open("chat_messages").to_pyarrow_table(columns=["user_id"]).num_rows
    theirs = sum(1 for i in range(120) if i % 7 == 3) * 3
    assert len(rows) == total - theirs
    assert not any(ERASED_ID in line or ERASED_LOGIN in line.lower()
                   for line in out.read_text().splitlines())
