"""Compaction and vacuum on real Delta tables: a real archiver's small files, readers in other
processes counting while `chatlake lake optimize` runs (and is killed)."""

import asyncio
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from chatlake_contracts import topics

from tests.support import private_broker
from tests.warehouse.support import BASE_MS, lake_count, synthetic_message
from warehouse.catalog import connect
from warehouse.lake import table_from_records, to_lake_table
from warehouse.lake_maintenance import file_counts, optimize, vacuum
from warehouse.lake_schema import CHAT_MESSAGES
from warehouse.lake_store import LakeStore

pytestmark = pytest.mark.integration

DAY_MS = 86_400_000
CHANNEL_DAY_QUERY = ("select count(*), count(distinct user_id) from chat_messages "
                     "where broadcaster_id = '1003' and date = DATE '2019-03-02'")


def chatlake(lake: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "CHATLAKE_LAKE_URI": str(lake),
           "CHATLAKE_STATE_DIR": str(lake.parent / "state")}
    return subprocess.Popen([sys.executable, "-m", "chatlake.cli", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def timed(lake: Path, sql: str, runs: int = 7) -> tuple[tuple, float]:
    """The query's answer and its median wall time (ms) over `runs` runs on one connection."""
    con = connect(str(lake))
    times, answer = [], None
    for _ in range(runs):
        started = time.perf_counter()
        answer = con.execute(sql).fetchone()
        times.append((time.perf_counter() - started) * 1000)
    return answer, statistics.median(times)


async def demo_rate_chat(servers: str, enough: Callable[[], bool], per_second: int) -> int:
    """Chat at about the demo's rate (13 channels), in small sends, until `enough()`."""
    from core.kafka import chat_producer

    sent = 0
    async with chat_producer(servers) as producer:
        checked = time.monotonic()
        while True:
            if time.monotonic() - checked > 5:
                if enough():
                    break
                checked = time.monotonic()
            batch = []
            for _ in range(per_second // 10):
                record = synthetic_message(sent, channels=13)
                batch.append(await producer.send(topics.CHAT_MESSAGES, orjson.dumps(record),
                                                 key=record["broadcaster_id"].encode()))
                sent += 1
            await asyncio.gather(*batch)
            await asyncio.sleep(0.1)
    return sent


@pytest.mark.slow
def test_optimize_turns_hundreds_of_archiver_files_into_a_few_with_the_same_counts(tmp_path):
    lake = tmp_path / "lake"

    async def drive(servers: str) -> int:
        from warehouse.archiver import Archiver, ArchiverConfig

        # The archiver as the demo runs it, commits at most 0.25 s apart (the demo's 1 s
        # makes as many files in four times as long).
        archiver = Archiver(ArchiverConfig(servers, group_id="demo-rate", max_batch_seconds=0.25),
                            LakeStore(str(lake)))
        stop = asyncio.Event()
        task = asyncio.create_task(archiver.run(stop))
        deadline = time.monotonic() + 300
        sent = await demo_rate_chat(servers, lambda: time.monotonic() > deadline or max(
            file_counts(archiver.store, CHAT_MESSAGES.name).values(), default=0) >= 200,
            per_second=150)
        while archiver.archived < sent and not task.done():
            await asyncio.sleep(0.2)
        stop.set()
        await task
        return sent

    with private_broker() as servers:
        sent = asyncio.run(drive(servers))
    store = LakeStore(str(lake))
    before_files = file_counts(store, CHAT_MESSAGES.name)
    before, before_ms = timed(lake, CHANNEL_DAY_QUERY)
    total = lake_count(lake, "select count(*), count(distinct message_id) from chat_messages")

    results = {r.table: r for r in optimize(store)}

    after_files = file_counts(store, CHAT_MESSAGES.name)
    after, after_ms = timed(lake, CHANNEL_DAY_QUERY)
    print(f"\nchat_messages: {sum(before_files.values())} files in {len(before_files)} days "
          f"-> {sum(after_files.values())}; one channel-day query {before_ms:.1f} ms -> "
          f"{after_ms:.1f} ms (median of 7; {sent} messages)")
    assert max(before_files.values()) >= 200, before_files  # hundreds of small files a day
    assert max(after_files.values()) <= 10
    assert results[CHAT_MESSAGES.name].files_removed >= 100
    assert total == (sent, sent)
    assert lake_count(lake, "select count(*), count(distinct message_id) from chat_messages") \
        == total
    assert after == before and before[0] > 0


def many_small_commits(store: LakeStore, commits: int, rows: int) -> int:
    """`commits` appends of `rows` messages over two days; returns how many rows in all."""
    for commit in range(commits):
        records = [synthetic_message(commit * rows + i) for i in range(rows)]
        for i, record in enumerate(records):
            record["timestamp"] = BASE_MS + (DAY_MS if i % 2 else 0) + commit
        store.append(CHAT_MESSAGES.name, to_lake_table(
            table_from_records(records, CHAT_MESSAGES), CHAT_MESSAGES))
    return commits * rows


COUNTER = """
import sys, time
from warehouse.catalog import connect
con = connect(sys.argv[1])
con.execute("set enable_progress_bar = false")
deadline = time.monotonic() + float(sys.argv[2])
while time.monotonic() < deadline:
    print(con.execute("select count(*) from chat_messages").fetchone()[0], flush=True)
"""


@pytest.mark.slow
@pytest.mark.parametrize("kill_optimize", [False, True])
def test_every_count_is_true_while_optimize_runs_or_is_killed(tmp_path, kill_optimize):
    lake = tmp_path / "lake"
    store = LakeStore(str(lake))
    total = many_small_commits(store, commits=150, rows=2_000)
    version_before = store.open(CHAT_MESSAGES.name).version()
    counter = subprocess.Popen([sys.executable, "-c", COUNTER, str(lake), "25"],
                               stdout=subprocess.PIPE, text=True)
    time.sleep(3)  # the counter is counting before the compaction starts
    compacting = chatlake(lake, "lake", "optimize")
    if kill_optimize:
        time.sleep(1.0)
        compacting.send_signal(signal.SIGKILL)
    compacting.wait(timeout=300)
    counts, _ = counter.communicate(timeout=120)
    answers = [int(line) for line in counts.split()]
    assert len(answers) >= 10
    assert set(answers) == {total}
    version_after = store.open(CHAT_MESSAGES.name).version()
    if kill_optimize:
        # Killed before its commit (or just after): either way the table is whole; a new
        # run finishes the job.
        assert version_after in (version_before, version_before + 1)
        optimize(store)
    else:
        assert compacting.returncode == 0
        assert version_after == version_before + 1
    assert max(file_counts(store, CHAT_MESSAGES.name).values()) <= 10
    assert lake_count(lake, "select count(*) from chat_messages") == (total,)


def test_vacuum_keeps_what_a_reader_may_still_need_and_refuses_less(tmp_path):
    store = LakeStore(str(tmp_path / "lake"))
    total = many_small_commits(store, commits=20, rows=10)
    optimize(store)
    # The compacted-away files are minutes old: a query begun before the compaction may
    # still read them, so a one-hour retention deletes none of them.
    assert {r.table: r.files_deleted for r in vacuum(store, 1.0)}[CHAT_MESSAGES.name] == 0
    assert lake_count(store.uri, "select count(*) from chat_messages") == (total,)
    with pytest.raises(ValueError, match=r"at least 1\.0 h"):
        vacuum(store, 0.1)
    old = connect(store, as_of=0).execute("select count(*) from chat_messages").fetchone()
    assert old == (10,)  # time travel to the first commit still works after the vacuum


def test_polars_and_pyarrow_read_the_same_version_duckdb_does(tmp_path):
    import polars as pl

    store = LakeStore(str(tmp_path / "lake"))
    total = many_small_commits(store, commits=3, rows=50)
    table_uri = store.table_uri(CHAT_MESSAGES.name)
    by_day = (pl.scan_delta(table_uri).group_by("date").len().sort("date").collect())
    assert by_day["len"].to_list() == [75, 75]
    assert pl.scan_delta(table_uri, version=0).select(pl.len()).collect().item() == 50
    assert store.open(CHAT_MESSAGES.name).to_pyarrow_dataset().count_rows() == total
    assert lake_count(store.uri, "select count(*) from chat_messages") == (total,)
