"""Benchmark of the marts: the one-channel emote query, incremental builds, the API on top.

    uv run python bench/bench_marts.py [--messages 10000000] [--days 30] [--channels 50]

Makes a Delta lake of synthetic chat of a realistic shape (channels of Zipf-like sizes, the
biggest holding about a third of the messages; a third of the messages carry one or two
Twitch emotes with positions, emote popularity Zipf-like too; a day committed at a time), then
measures, each beside its baseline of the same run:

1. Emote usage at 1 s of the top emote in the biggest channel over all days: DuckDB over the
   marts (`emote_usage`), DuckDB over the raw lake, and the seed-style design, the messages as
   indexed rows in PostgreSQL (an embedded server, `(broadcaster_id, sent_at)` index, emote
   names as a text[] column) answering the same question. Median of 5 warm runs each, both
   with the rows fetched into Python and with the answer summed inside the engine.
2. A full build of all days vs the incremental build of one newly landed day.
3. The API's emote-usage endpoint (uvicorn on loopback, real HTTP) on that lake: p50 and p99 of
   random one-hour ranges at 1 s and one-day ranges at 1 min.

Targets (issue 12): DuckDB >= 20x faster than PostgreSQL on the query; the one-day build
<= 10 % of the full rebuild; API p99 < 200 ms. Synthetic data only.
"""

import argparse
import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import httpx
import numpy as np
import psycopg
import pyarrow as pa

from chatlake.embedded.postgres import EmbeddedPostgres
from core.settings import Settings
from tests.api.support import live_server
from tests.support import free_port, reachable_tmp_dir
from warehouse.catalog import connect
from warehouse.lake import to_lake_table
from warehouse.lake_schema import CHAT_MESSAGE_SCHEMA, CHAT_MESSAGES
from warehouse.lake_store import LakeStore
from warehouse.marts_build import build_marts, plan_build, run_dbt_subprocess
from warehouse.marts_file import MartsFile
from warehouse.postgres import apply_migrations

FIRST_DAY = date(2026, 10, 1)
EMOTES = ["Kappa", "LUL", "PogChamp", "KEKW", "Sadge", "monkaS", "OMEGALUL", "PepeHands",
          "Kreygasm", "BibleThump", "ResidentSleeper", "4Head", "NotLikeThis", "SeemsGood",
          "FailFish", "WutFace", "HeyGuys", "VoHiYo", "CoolCat", "DansGame"]
WORDS = ["gg", "nice", "what", "lol", "no way", "clip it", "he did it", "first", "wow", "rip"]
EMOTE_SQL_LAKE = """
    select epoch(time_bucket(interval 1 second, timezone('UTC', timestamp),
                             timestamp '1970-01-01'))::bigint as t, count(*) as uses
    from (select timestamp, text, unnest(emotes) as e from chat_messages
          where broadcaster_id = $channel and not coalesce(is_vod_comment, false))
    where substring(text, e.begin + 1, e."end" - e.begin) = $emote
    group by 1
"""
EMOTE_SQL_MARTS = """
    select epoch(bucket_start_at)::bigint as t, sum(uses) as uses from marts.emote_usage
    where broadcaster_id = $channel and bucket_size = '1s' and emote_name = $emote
    group by 1
"""
EMOTE_SQL_POSTGRES = """
    select extract(epoch from date_trunc('second', sent_at))::bigint as t, count(*) as uses
    from messages cross join unnest(emote_names) as emote
    where broadcaster_id = %(channel)s and emote = %(emote)s
    group by 1
"""


def day_of_chat(day: date, count: int, channels: int, rng: np.random.Generator,
                first_id: int) -> pa.Table:
    """`count` messages of one UTC day as a lake table (the chat_messages read schema)."""
    weights = 1.0 / np.arange(1, channels + 1) ** 1.1
    channel = rng.choice(channels, size=count, p=weights / weights.sum())
    start_ms = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)
    timestamps = np.sort(rng.integers(start_ms, start_ms + 86_400_000, size=count))
    chatter = rng.zipf(1.3, size=count) % 2_000_000
    emote_weights = 1.0 / np.arange(1, len(EMOTES) + 1)
    emote = rng.choice(len(EMOTES), size=count, p=emote_weights / emote_weights.sum())
    emote_count = np.where(rng.random(count) < 0.33, rng.integers(1, 3, size=count), 0)
    word = rng.integers(0, len(WORDS), size=count)
    texts, begins, ends, ids = [], [], [], []
    offsets = [0]
    for n in range(count):
        name, uses = EMOTES[emote[n]], int(emote_count[n])
        text = WORDS[word[n]]
        for _ in range(uses):
            begins.append(len(text) + 1)
            ends.append(len(text) + 1 + len(name))
            ids.append(str(emote[n] + 1))
            text = f"{text} {name}"
        texts.append(text)
        offsets.append(offsets[-1] + uses)
    emotes = pa.ListArray.from_arrays(
        pa.array(offsets, pa.int32()),
        pa.StructArray.from_arrays(
            [pa.array(ids, pa.string()), pa.array(begins, pa.int32()),
             pa.array(ends, pa.int32())], names=["emote_id", "begin", "end"]))
    columns = {
        "v": pa.array(np.ones(count, np.int16)),
        "message_id": pa.array([f"m{first_id + n}" for n in range(count)]),
        "broadcaster_id": pa.array([str(100 + c) for c in channel]),
        "broadcaster_login": pa.array([f"channel{c}" for c in channel]),
        "timestamp": pa.array(timestamps),
        "text": pa.array(texts),
        "user_id": pa.array([str(c) for c in chatter]),
        "user_name": pa.array([f"user{c}" for c in chatter]),
        "source": pa.array(["eventsub"] * count),
        "is_vod_comment": pa.array(np.zeros(count, bool)),
    }
    metadata_type = CHAT_MESSAGE_SCHEMA.field("metadata").type
    arrays = []
    for field in CHAT_MESSAGE_SCHEMA:
        if field.name == "metadata":
            arrays.append(pa.StructArray.from_arrays(
                [emotes, pa.nulls(count, metadata_type.field("badges").type),
                 pa.array(np.zeros(count, bool)), pa.array(np.zeros(count, bool)),
                 pa.nulls(count, pa.string())],
                fields=list(metadata_type)))
        else:
            arrays.append(columns.get(field.name, pa.nulls(count, field.type)).cast(field.type))
    return to_lake_table(pa.Table.from_arrays(arrays, schema=CHAT_MESSAGE_SCHEMA), CHAT_MESSAGES)


def fill_lake(store: LakeStore, days: int, per_day: int, channels: int) -> None:
    rng = np.random.default_rng(12)
    for n in range(days):
        store.append(CHAT_MESSAGES.name, day_of_chat(FIRST_DAY + timedelta(days=n), per_day,
                                                     channels, rng, n * per_day))
        print(f"  lake: day {n + 1}/{days} written", file=sys.stderr, end="\r")
    print(file=sys.stderr)


def in_engine(query: str) -> str:
    """The query's answer reduced where it was computed, so the client's row conversion (which
    both sides pay alike) drops out and the engines are compared."""
    return f"select count(*), sum(uses) from ({query}) as answer"


def timed(work: Callable[[], object], repeats: int = 5) -> tuple[float, object]:
    work()  # warm: file cache, DuckDB's and PostgreSQL's buffers
    durations, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = work()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations), result


def load_postgres(dsn: str, store: LakeStore, folder: Path) -> float:
    """The seed-style design: every message a row, indexed by channel and time."""
    csv = folder / "messages.csv"
    with connect(store) as con:
        con.execute(f"""copy (select broadcaster_id, timestamp as sent_at, user_id as chatter_id,
            '{{' || array_to_string(list_transform(emotes,
                e -> substring(text, e.begin + 1, e."end" - e.begin)), ',') || '}}'
                as emote_names
            from chat_messages) to '{csv}' (header false)""")
    started = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("create table messages (broadcaster_id text, sent_at timestamptz,"
                     " chatter_id text, emote_names text[])")
        with conn.cursor().copy("copy messages from stdin (format csv)") as copy, \
                open(csv, "rb") as source:
            while chunk := source.read(1 << 20):
                copy.write(chunk)
        conn.execute("create index messages_channel_time on messages (broadcaster_id, sent_at)")
        conn.execute("vacuum analyze messages")
    csv.unlink()
    return time.perf_counter() - started


def api_latencies(settings: Settings, channel: str, emote: str, days: int,
                  requests: int) -> dict[str, tuple[float, float]]:
    rng = random.Random(7)
    results = {}
    with live_server(settings) as base, httpx.Client(base_url=base, timeout=30) as client:
        for label, span, interval in (("1 h at 1 s", timedelta(hours=1), "1s"),
                                      ("1 day at 1 min", timedelta(days=1), "1m")):
            durations = []
            for _ in range(requests):
                start = datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, tzinfo=UTC) \
                    + timedelta(hours=rng.randrange(days * 24 - 24))
                params = {"emote": emote, "interval": interval,
                          "start": start.isoformat(), "end": (start + span).isoformat()}
                started = time.perf_counter()
                response = client.get(f"/v1.0/channels/{channel}/emotes/usage", params=params)
                durations.append(time.perf_counter() - started)
                assert response.status_code == 200, response.text
            durations.sort()
            results[label] = (statistics.median(durations) * 1000,
                              durations[int(len(durations) * 0.99) - 1] * 1000)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--channels", type=int, default=50)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    per_day = args.messages // args.days
    root = reachable_tmp_dir("chatlake-bench-marts-")
    postgres = EmbeddedPostgres(root=root / "postgres", port=free_port(),
                                log_path=root / "postgres.log")
    try:
        store = LakeStore(str(root / "lake"))
        started = time.perf_counter()
        fill_lake(store, args.days, per_day, args.channels)
        print(f"lake: {per_day * args.days:,} messages over {args.days} days, "
              f"{args.channels} channels, in {time.perf_counter() - started:.0f} s")

        marts = MartsFile(root / "state" / "warehouse.duckdb")
        started = time.perf_counter()
        build_marts(store, marts, plan_build(store, marts, full=True), run_dbt_subprocess)
        full_s = time.perf_counter() - started
        new_day = FIRST_DAY + timedelta(days=args.days)
        store.append(CHAT_MESSAGES.name, day_of_chat(new_day, per_day, args.channels,
                                                     np.random.default_rng(99),
                                                     args.days * per_day))
        started = time.perf_counter()
        build = build_marts(store, marts, plan_build(store, marts), run_dbt_subprocess)
        incremental_s = time.perf_counter() - started
        assert build is not None and build.days == (new_day,), build
        print(f"build: full rebuild of {args.days} days {full_s:.1f} s; one new day "
              f"{incremental_s:.1f} s = {incremental_s / full_s:.1%} of the full rebuild "
              f"(target <= 10 %)")

        channel = "100"
        with duckdb.connect(str(marts.path), read_only=True) as con:
            (emote,) = con.execute(
                "select emote_name from marts.emote_usage where broadcaster_id = ? and "
                "bucket_size = '1h' group by 1 order by sum(uses) desc limit 1",
                [channel]).fetchone()
            marts_s, marts_rows = timed(lambda: con.execute(
                EMOTE_SQL_MARTS, {"channel": channel, "emote": emote}).fetchall())
        with connect(store) as con:
            lake_s, lake_rows = timed(lambda: con.execute(
                EMOTE_SQL_LAKE, {"channel": channel, "emote": emote}).fetchall())
        postgres.start()
        load_s = load_postgres(postgres.dsn(), store, root)
        with psycopg.connect(postgres.dsn()) as conn:
            postgres_s, postgres_rows = timed(lambda: conn.execute(
                EMOTE_SQL_POSTGRES, {"channel": channel, "emote": emote}).fetchall(), 3)
            postgres_engine_s, postgres_total = timed(lambda: conn.execute(
                in_engine(EMOTE_SQL_POSTGRES), {"channel": channel, "emote": emote}).fetchone(), 3)
        with duckdb.connect(str(marts.path), read_only=True) as con:
            marts_engine_s, marts_total = timed(lambda: con.execute(
                in_engine(EMOTE_SQL_MARTS), {"channel": channel, "emote": emote}).fetchone())
        assert sorted(marts_rows) == sorted(lake_rows) == sorted(
            (int(t), int(n)) for t, n in postgres_rows), "the three answers differ"
        assert tuple(map(int, marts_total)) == tuple(map(int, postgres_total))
        uses = sum(n for _, n in marts_rows)
        print(f"query: '{emote}' at 1 s in channel {channel} ({uses:,} uses, "
              f"{len(marts_rows):,} seconds):")
        print(f"  rows to the client: PostgreSQL rows (indexed; load {load_s:.0f} s) "
              f"{postgres_s * 1000:9.1f} ms")
        print(f"    DuckDB over the raw lake                 {lake_s * 1000:9.1f} ms  "
              f"{postgres_s / lake_s:6.1f}x faster")
        print(f"    DuckDB over the marts                    {marts_s * 1000:9.1f} ms  "
              f"{postgres_s / marts_s:6.1f}x faster (target >= 20x)")
        print(f"  in the engine (the same query, summed there): PostgreSQL "
              f"{postgres_engine_s * 1000:9.1f} ms, DuckDB over the marts "
              f"{marts_engine_s * 1000:9.1f} ms  {postgres_engine_s / marts_engine_s:6.1f}x faster")

        apply_migrations(postgres.dsn())
        settings = Settings(postgres={"dsn": postgres.dsn()}, lake={"uri": store.uri},
                            state_dir=root / "state")
        for label, (p50, p99) in api_latencies(settings, channel, emote, args.days,
                                               args.requests).items():
            print(f"API emote usage, {label}: p50 {p50:.1f} ms, p99 {p99:.1f} ms "
                  f"(target p99 < 200 ms)")
    finally:
        postgres.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
