"""The archiver against a real Tansu broker, written to a real folder, read back by DuckDB."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaConsumer
from chatlake_contracts import topics
from chatlake_contracts.lifecycle import lifecycle_event

from tests.support import private_broker, s3_lake
from tests.warehouse.support import (
    BASE_MS,
    archive_until,
    encoded,
    lake_count,
    produce,
    synthetic_message,
    table_files,
)
from warehouse.lake_store import LakeStore

pytestmark = pytest.mark.integration


def test_every_topic_lands_in_its_dataset_and_bad_records_in_dead_letters(tmp_path):
    lake = tmp_path / "lake"
    with private_broker() as servers:
        produce(servers, topics.CHAT_MESSAGES, encoded(synthetic_message(i) for i in range(500)))
        produce(servers, topics.CHAT_MESSAGES, [(b"1", b"{broken"), (b"1", b"[1, 2]")])
        events = [lifecycle_event(event_type="online", broadcaster_id="1000",
                                  broadcaster_login="someone", timestamp=BASE_MS, rank=3)]
        produce(servers, topics.STREAM_LIFECYCLE, [(b"1000", orjson.dumps(e)) for e in events])
        archiver = archive_until(servers, lake, 503)

    assert (archiver.archived, archiver.dead_lettered) == (501, 2)
    assert lake_count(lake, "select count(*), count(distinct message_id) from chat_messages") \
        == (500, 500)
    assert lake_count(lake, "select event_type, rank from stream_lifecycle") == ("online", 3)
    assert lake_count(lake, "select count(*) from dead_letters where raw = '{broken'") == (1,)
    # Emote positions survive the trip: text[begin:end] is the emote.
    assert lake_count(lake, "select text[emotes[1].begin + 1 : emotes[1].end] from chat_messages "
                      "limit 1") == ("Kappa",)
    assert all("date=2019-03-02" in str(p) for p in table_files(lake, "chat_messages"))


def test_restart_reads_nothing_twice(tmp_path):
    lake = tmp_path / "lake"
    with private_broker() as servers:
        produce(servers, topics.CHAT_MESSAGES, encoded(synthetic_message(i) for i in range(300)))
        archive_until(servers, lake, 300)
        files_before = table_files(lake, "chat_messages")
        produce(servers, topics.CHAT_MESSAGES,
                encoded(synthetic_message(i) for i in range(300, 400)))
        archive_until(servers, lake, 100)
    assert set(files_before) <= set(table_files(lake, "chat_messages"))
    assert lake_count(lake, "select count(*), count(distinct message_id) from chat_messages") \
        == (400, 400)


def test_a_new_broker_life_never_overwrites_what_an_earlier_one_archived(tmp_path):
    """The embedded broker forgets everything on restart and offsets start at 0 again."""
    lake = tmp_path / "lake"
    with private_broker() as servers:
        produce(servers, topics.CHAT_MESSAGES, encoded(synthetic_message(i) for i in range(200)))
        archive_until(servers, lake, 200)
    with private_broker() as servers:
        produce(servers, topics.CHAT_MESSAGES,
                encoded(synthetic_message(i) for i in range(200, 350)))
        archive_until(servers, lake, 150)
    assert lake_count(lake, "select count(*), count(distinct message_id) from chat_messages") \
        == (350, 350)


def test_a_table_ahead_of_the_kafka_commit_is_not_written_again(tmp_path):
    """A crash between the table commit and the Kafka commit leaves Kafka behind the table:
    the archiver seeks past what the table's transactions say it holds."""
    lake = tmp_path / "lake"
    with private_broker() as servers:
        produce(servers, topics.CHAT_MESSAGES, encoded(synthetic_message(i) for i in range(300)))
        archive_until(servers, lake, 300, group="crashing")
        asyncio.run(rewind_group(servers, "crashing", topics.CHAT_MESSAGES))
        produce(servers, topics.CHAT_MESSAGES,
                encoded(synthetic_message(i) for i in range(300, 400)))
        again = archive_until(servers, lake, 100, group="crashing")
        # Another group is another copy of the topics, with its own transactions.
        archive_until(servers, lake, 400, group="second-copy")
    assert again.archived == 100
    assert lake_count(lake, "select count(*), count(distinct message_id) from chat_messages") \
        == (800, 400)


async def rewind_group(servers: str, group: str, topic: str) -> None:
    """Commit offset 0 for every partition of `topic` in `group`, as if nothing was committed
    after the first record."""
    # As a member of the group (the broker refuses commits from outside it).
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=servers, group_id=group,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        while not consumer.assignment():
            await consumer.getmany(timeout_ms=200)
        await consumer.commit({tp: 0 for tp in consumer.assignment()})
    finally:
        await consumer.stop()


@contextmanager
def lake_of_kind(kind: str, tmp_path: Path) -> Iterator[tuple[LakeStore, dict[str, str]]]:
    """A lake folder, or a bucket on a real S3 API server on loopback; with the settings that
    point a chatlake process at it."""
    if kind == "local":
        yield LakeStore(str(tmp_path / "lake")), {"CHATLAKE_LAKE_URI": str(tmp_path / "lake")}
        return
    with s3_lake() as lake:
        yield lake.store(), lake.env


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["local", "s3"])
def test_sigkill_at_any_moment_then_restart_leaves_every_message_exactly_once(tmp_path, kind):
    total = 1_000_000
    with private_broker() as servers, lake_of_kind(kind, tmp_path) as (lake, lake_env):
        produce(servers, topics.CHAT_MESSAGES,
                encoded(synthetic_message(i, channels=13) for i in range(total)))
        env = {**os.environ, "CHATLAKE_KAFKA_BOOTSTRAP_SERVERS": servers, **lake_env,
               "CHATLAKE_STATE_DIR": str(tmp_path / "state"),
               "CHATLAKE_ARCHIVER_MAX_BATCH_MESSAGES": "100000"}
        command = [sys.executable, "-m", "chatlake.cli", "archive"]
        kills = 0
        for wait_for_files in (1, 4):
            # Kill it once it has written some files and is (very likely) writing more.
            archiver = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 180
            while len(table_files(lake, "chat_messages")) < wait_for_files:
                assert archiver.poll() is None, "archiver exited on its own"
                assert time.monotonic() < deadline, "archiver wrote nothing"
                time.sleep(0.05)
            time.sleep(0.3)
            archiver.send_signal(signal.SIGKILL)
            archiver.wait()
            kills += 1
        counted_before_restart = lake_count(lake, "select count(*) from chat_messages")[0]
        archiver = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 300
            while lake_count(lake, "select count(*) from chat_messages")[0] < total:
                assert time.monotonic() < deadline, "the restarted archiver did not catch up"
                time.sleep(0.5)
            time.sleep(2)  # anything written twice would show up now
        finally:
            archiver.send_signal(signal.SIGTERM)
            assert archiver.wait(timeout=60) == 0
        assert kills == 2 and 0 < counted_before_restart < total
        assert lake_count(lake, "select count(*), count(distinct message_id) "
                          "from chat_messages") == (total, total)
