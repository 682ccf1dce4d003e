"""Ingest beyond 100 channels: 250 live channels read by 3 Twitch accounts, one ingest shard
process each (`chatlake ingest --shard`), channels assigned by the monitor in PostgreSQL.

Real everything: the stand-in over sockets (enforcing the per-user chat cap and the session
limits), twitchio in each shard process, Tansu (`kafka_broker`), PostgreSQL
(`postgres_server`, a database of this test's own). Steps:

1. 3 shards, one monitor cycle: 250 channels on 3 shards, none over 95; every channel's chat
   arrives in `chat-messages`.
2. SIGKILL one shard while chat flows. Once its heartbeat is stale, ONE monitor cycle moves
   its channels: the two live accounts hold 190, so the best-ranked 190 are served and 60
   are reported over capacity (250 channels need 3 accounts; surviving the loss of one
   without shedding needs 4, see docs/scale.md).
3. A spare account's shard joins: the next cycle serves all 250 again.
4. Another account's authorization is revoked (its token fails): the monitor's shard check
   between polls (`shard_check`, what `monitor run` does every `shard_check_s`) moves them.

"Lost" (docs/scale.md, "What lost means"): Twitch delivers a chat message once to the
subscription that holds the channel and has no acknowledgement and no replay, and the ingest
path is at-least-once from the moment a shard has read a message off its socket. So a
message counts as lost when it is not in `chat-messages` (by message id, duplicates allowed)
after the run, unless the stand-in wrote it to the socket of the shard that was killed (it
died in that process's buffers). Messages sent while a channel had no reader are held by the
stand-in and flushed to the next one (Twitch would drop them: the test is stricter there).
"""

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from chatlake_contracts.topics import CHAT_MESSAGES
from psycopg.conninfo import make_conninfo

from ingest.monitor import MonitorConfig, MonitorRules
from ingest.monitor.cycle import run_monitor_cycle, shard_check
from ingest.shards import store as shard_store
from standin import TwitchStandIn
from tests.standin.support import consume, unique_channels
from twitch.helix import HelixEndpoint
from twitch.tokens import StoredToken, TokenStore
from warehouse.postgres import apply_migrations

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CHANNELS = 250
DEAD_AFTER_S = 3.0


@pytest.fixture
def shard_db(postgres_server):
    """A fresh, migrated database on the session's PostgreSQL (no other test's state)."""
    name = f"shards_{os.getpid()}_{int(time.time())}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"create database {name}")
    dsn = make_conninfo(postgres_server, dbname=name)
    apply_migrations(dsn)
    return dsn


@pytest.fixture
def standin():
    server = TwitchStandIn(clip_delay_s=0.5, track_deliveries=True).start_in_thread()
    try:
        yield server
    finally:
        server.stop_thread()


class Shard:
    """One `chatlake ingest --shard` process for one account."""

    def __init__(self, name: str, standin: TwitchStandIn, dsn: str, servers: str,
                 folder: Path) -> None:
        self.name = name
        self.user = standin.add_user(name.replace("-", "_"))
        token = standin.issue_user_token(self.user.user_id)
        self.token_file = folder / f"{name}-token.json"
        TokenStore(self.token_file).save(StoredToken(
            access_token=token.access_token, refresh_token=token.refresh_token,
            user_id=self.user.user_id, login=self.user.login, client_id=standin.client_id,
            scopes=token.scopes))
        self.log = folder / f"{name}.log"
        env = {**os.environ, "CHATLAKE_STATE_DIR": str(folder / name),
               "CHATLAKE_POSTGRES_DSN": dsn, "CHATLAKE_KAFKA_BOOTSTRAP_SERVERS": servers,
               "CHATLAKE_TWITCH_STANDIN_URL": standin.base_url,
               "CHATLAKE_METRICS_INGEST_PORT": "0", "CHATLAKE_INGEST_HEARTBEAT_S": "0.5",
               "CHATLAKE_INGEST_VALIDATE_INTERVAL_S": "1",
               "CHATLAKE_MONITOR_SHARD_DEAD_AFTER_S": str(DEAD_AFTER_S)}
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "chatlake.cli", "ingest", "--shard", name,
                 "--token-file", str(self.token_file)], env=env, stdout=log,
                stderr=subprocess.STDOUT)

    def check_running(self) -> None:
        if self.process.poll() is not None:
            raise AssertionError(f"shard {self.name} exited {self.process.returncode}: "
                                 f"{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def shard_rows(dsn: str) -> dict[str, shard_store.Shard]:
    async def load():
        async with await psycopg.AsyncConnection.connect(dsn) as conn:
            await shard_store.ensure_schema(conn, dsn)
            return await shard_store.load_shards(conn, DEAD_AFTER_S)

    return {s.shard_id: s for s in asyncio.run(load())}


def assignment(dsn: str) -> dict[str, str]:
    with psycopg.connect(dsn) as conn:
        return dict(conn.execute("select broadcaster_id, shard_id from ingest_assignments"))


def wait_for(condition, what: str, shards: list[Shard], timeout: float = 120.0) -> None:
    """Progress condition (not a timing claim): fails only when it never happens."""
    deadline = time.monotonic() + timeout
    while not condition():
        for shard in shards:
            shard.check_running()
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.1)


def chat_subscriptions(standin: TwitchStandIn) -> dict[str, set[str]]:
    """Enabled chat subscriptions: user id -> channels."""
    held: dict[str, set[str]] = {}
    for sub in standin.subscriptions():
        if sub["type"] == "channel.chat.message" and sub["status"] == "enabled":
            held.setdefault(sub["user_id"], set()).add(sub["condition"]["broadcaster_user_id"])
    return held


def reads(standin: TwitchStandIn, dsn: str, shards: list[Shard]) -> bool:
    """The stand-in's subscriptions equal the assignment, shard for shard."""
    by_user = {s.name: s.user.user_id for s in shards}
    wanted: dict[str, set[str]] = {}
    for channel, shard in assignment(dsn).items():
        wanted.setdefault(by_user[shard], set()).add(channel)
    held = chat_subscriptions(standin)
    return all(held.get(user, set()) == channels for user, channels in wanted.items()) and \
        sum(map(len, held.values())) == sum(map(len, wanted.values()))


def push_round(standin: TwitchStandIn, channels: list[str], label: str, per_channel: int,
               sent: dict[str, str]) -> set[str]:
    ids = set()
    for n in range(per_channel):
        for channel in channels:
            message_id = standin.push_chat(channel, f"{label} {n}", user_id="300000009",
                                           user_login="chatter")
            sent[message_id] = channel
            ids.add(message_id)
    return ids


CONFIG = MonitorConfig(top_n=CHANNELS + 10, page_size=100,
                       rules=MonitorRules(join_rank=CHANNELS, leave_rank=CHANNELS + 5),
                       shard_dead_after_s=DEAD_AFTER_S)


def cycle(standin: TwitchStandIn, dsn: str, servers: str):
    config = CONFIG
    endpoint = HelixEndpoint(standin.helix_url, standin.auth_url, standin.client_id,
                             standin.client_secret)
    return asyncio.run(run_monitor_cycle(endpoint, dsn, servers, config))


def test_250_channels_over_3_accounts_and_a_dead_shard_moves_within_one_cycle(
        standin, shard_db, kafka_broker, tmp_path):
    channels = unique_channels(CHANNELS + 10)  # 10 more live below the followed top 250
    standin.set_streams([{"user_id": c, "user_login": f"live{c}"} for c in channels])
    top = channels[:CHANNELS]
    sent: dict[str, str] = {}
    shards = [Shard(name, standin, shard_db, kafka_broker, tmp_path)
              for name in ("acct-a", "acct-b", "acct-c")]
    spare: Shard | None = None
    try:
        wait_for(lambda: {"acct-a", "acct-b", "acct-c"} <= {
            s for s, row in shard_rows(shard_db).items() if row.alive}, "3 live shards",
            shards)

        # 1. one cycle: 250 followed (top N > 100), 3 shards, none over its cap.
        report = cycle(standin, shard_db, kafka_broker)
        assert len(report.followed) == CHANNELS and report.pages == 3
        assert report.shards is not None and report.shards.unassigned == []
        assert sorted(report.shards.load().values()) == [83, 83, 84]
        wait_for(lambda: reads(standin, shard_db, shards), "250 subscriptions", shards)
        push_round(standin, top, "one", 4, sent)
        found = asyncio.run(consume(kafka_broker, CHAT_MESSAGES,
                                    lambda _k, v: v["message_id"] in sent, len(sent), 120))
        assert {v["message_id"] for _, v in found} == set(sent)

        # 2. SIGKILL acct-b with chat in flight; one cycle after its heartbeat went stale.
        victim = shards[1]
        before = assignment(shard_db)
        push_round(standin, top, "two", 2, sent)
        victim.process.send_signal(signal.SIGKILL)
        victim.process.wait()
        push_round(standin, top, "three", 2, sent)
        wait_for(lambda: not shard_rows(shard_db)["acct-b"].alive, "acct-b judged dead",
                 [shards[0], shards[2]])
        report = cycle(standin, shard_db, kafka_broker)
        after = assignment(shard_db)
        assert "acct-b" not in after.values()  # nothing left on the dead shard: one cycle
        assert report.shards.load() == {"acct-a": 95, "acct-c": 95}
        assert set(after) == set(top[:190]) and report.shards.unassigned == top[190:]
        kept = {c for c, s in before.items() if s != "acct-b" and c in after}
        assert all(after[c] == before[c] for c in kept)  # the survivors' channels stayed
        moved = {m.broadcaster_id for m in report.shards.moves
                 if m.from_shard == "acct-b" and m.to_shard}
        assert moved == {c for c, s in before.items() if s == "acct-b"} & set(top[:190])
        assert all("shard acct-b is not live (no heartbeat" in m.reason
                   for m in report.shards.moves if m.from_shard == "acct-b" and m.to_shard)
        live = [shards[0], shards[2]]
        wait_for(lambda: reads(standin, shard_db, live), "190 subscriptions on 2", live)
        push_round(standin, top, "four", 2, sent)

        # 3. a spare account joins: the next cycle serves all 250 again.
        spare = Shard("acct-d", standin, shard_db, kafka_broker, tmp_path)
        live = [shards[0], shards[2], spare]
        wait_for(lambda: shard_rows(shard_db).get("acct-d") is not None
                 and shard_rows(shard_db)["acct-d"].alive, "acct-d live", live)
        report = cycle(standin, shard_db, kafka_broker)
        assert report.shards.unassigned == [] and report.shards.load()["acct-d"] == 60
        wait_for(lambda: reads(standin, shard_db, live), "250 subscriptions on 3", live)
        push_round(standin, top, "five", 2, sent)

        # 4. acct-c's authorization is revoked: its token fails; the monitor's check between
        #    polls (no Helix call) moves its channels.
        revoked = shards[2]
        standin.revoke_authorization(revoked.user.user_id)
        six = push_round(standin, top, "six", 2, sent)
        wait_for(lambda: not shard_rows(shard_db)["acct-c"].alive, "acct-c's token failed",
                 live)
        assert "token failed" in (shard_rows(shard_db)["acct-c"].problem or "")
        checked = asyncio.run(shard_check(shard_db, CONFIG))
        assert "acct-c" not in assignment(shard_db).values()
        assert checked is not None and checked.load() == {"acct-a": 95, "acct-d": 95}
        assert all(m.reason.startswith("shard acct-c is not live (token failed")
                   for m in checked.moves if m.from_shard == "acct-c" and m.to_shard)
        live = [shards[0], spare]
        wait_for(lambda: reads(standin, shard_db, live), "190 subscriptions on a and d",
                 live)
        push_round(standin, top[:190], "seven", 2, sent)

        # Every message reached Kafka, but those written to the killed shard's socket (they
        # may have died with it) and those sent in step 4 to the 60 channels that no shard
        # reads since (the stand-in holds them). No account was ever over its cap.
        unserved = {m for m in six if sent[m] in set(top[190:])}
        to_victim = {m for m, user in standin.deliveries().items()
                     if user == victim.user.user_id}
        must = set(sent) - to_victim - unserved
        seen: set[str] = set()
        counts = {"duplicates": 0, "victim_arrived": 0}

        def first_sighting(_key: bytes | None, value: dict) -> bool:
            message_id = value["message_id"]
            if message_id not in sent:
                return False
            if message_id in seen:
                counts["duplicates"] += 1  # at-least-once: allowed, counted
                return False
            seen.add(message_id)
            counts["victim_arrived"] += message_id in to_victim
            return message_id in must

        found = asyncio.run(consume(kafka_broker, CHAT_MESSAGES, first_sighting, len(must),
                                    180))
        lost = must - {v["message_id"] for _, v in found}
        assert lost == set(), (f"{len(lost)} messages lost", sorted({sent[m] for m in lost}))
        stats = standin.stats()
        assert max(stats["max_chat_channels"].values()) <= 95
        assert stats["limit_rejections"] == 0
        print(f"sent {len(sent)}; {len(must)} required, all arrived; {len(to_victim)} "
              f"written to the killed shard, {counts['victim_arrived']} of them seen in "
              f"Kafka before the check stopped; duplicates "
              f"{counts['duplicates']}; most chat channels a user held "
              f"{max(stats['max_chat_channels'].values())}")
    finally:
        for shard in [*shards, *([spare] if spare else [])]:
            shard.stop()


def test_a_second_shard_for_the_same_account_is_refused_at_start(
        standin, shard_db, kafka_broker, tmp_path):
    first = Shard("acct-x", standin, shard_db, kafka_broker, tmp_path)
    try:
        wait_for(lambda: "acct-x" in shard_rows(shard_db), "acct-x registered", [first])
        env = {**os.environ, "CHATLAKE_STATE_DIR": str(tmp_path / "second"),
               "CHATLAKE_POSTGRES_DSN": shard_db, "CHATLAKE_KAFKA_BOOTSTRAP_SERVERS":
               kafka_broker, "CHATLAKE_TWITCH_STANDIN_URL": standin.base_url,
               "CHATLAKE_METRICS_INGEST_PORT": "0"}
        second = subprocess.run(
            [sys.executable, "-m", "chatlake.cli", "ingest", "--shard", "acct-y",
             "--token-file", str(first.token_file)], env=env, capture_output=True, text=True,
            timeout=120)
        first.check_running()
    finally:
        first.stop()
    assert second.returncode == 2
    assert "one shard per account" in second.stderr
    assert TokenStore(first.token_file).load().access_token not in second.stderr + second.stdout
