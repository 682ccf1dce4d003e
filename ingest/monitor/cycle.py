"""One monitor cycle: poll, decide, record, announce. Called by the Dagster schedule's asset,
by `chatlake monitor once|run` and by the demo, always through `monitor_cycle`.

Order matters for "nothing lost": the state transaction commits only after the lifecycle
events are acknowledged by Kafka. If publishing fails, the cycle fails and the next one makes
the same decision again; if the commit fails after publishing, the next cycle re-announces,
which the ingest service treats as a no-op.

Followed channels that stay are re-announced `online` every cycle (reason "still ..."): the
ingest service rebuilds its picture from `stream-lifecycle`, and the embedded broker keeps
nothing across a restart, so a fresh topic heals within one cycle.
"""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import orjson
import psycopg
from chatlake_contracts.lifecycle import lifecycle_event, validate_lifecycle_event
from chatlake_contracts.topics import STREAM_LIFECYCLE

from core.kafka import chat_producer
from core.settings import Settings
from ingest.monitor import metrics, store
from ingest.monitor.ranking import LiveStream, top_streams
from ingest.monitor.rules import Follow, MonitorRules, Transition, decide
from ingest.shards import store as shard_store
from ingest.shards.assign import Assignment, assign
from twitch.helix import HelixClient, HelixEndpoint

Publish = Callable[[list[dict]], Awaitable[None]]


@dataclass(frozen=True)
class MonitorConfig:
    top_n: int = 20
    page_size: int = 100
    rules: MonitorRules = field(default_factory=MonitorRules)
    reannounce: bool = True
    shard_dead_after_s: float = 30.0  # a shard whose heartbeat is older loses its channels
    shard_check_s: float = 10.0  # `monitor run`: re-assign shards this often between polls

    @classmethod
    def from_settings(cls, settings: Settings) -> "MonitorConfig":
        rules = MonitorRules(settings.monitor.join_rank, settings.monitor.leave_rank,
                             settings.monitor.offline_after_polls)
        return cls(max(settings.monitor.top_n, rules.leave_rank), settings.monitor.page_size,
                   rules, shard_dead_after_s=settings.monitor.shard_dead_after_s,
                   shard_check_s=settings.monitor.shard_check_s)


@dataclass(frozen=True)
class CycleReport:
    at: datetime
    followed: list[Follow]
    joins: list[Transition]
    leaves: list[Transition]
    missing: list[str]  # followed but absent from this poll (offline after the TTL)
    forbidden_skipped: list[str]  # top channels not joined because they forbid clipping
    live_polled: int
    pages: int
    duplicates: int
    events_published: int  # joins, leaves and re-announcements of kept channels
    seconds: float
    shards: Assignment | None = None  # channel -> ingest shard; None: no shard registered

    def shard_summary(self) -> str:
        if self.shards is None:
            return "no ingest shards registered"
        load = self.shards.load()
        return (f"{len(self.shards.channels)} channels on {len(load)} shards "
                f"({', '.join(f'{s}: {n}' for s, n in sorted(load.items()))}), "
                f"{len(self.shards.moves)} moved, {len(self.shards.unassigned)} over capacity "
                f"({self.shards.capacity})")

    def summary(self) -> str:
        return (f"{len(self.followed)} followed, {len(self.joins)} joined, "
                f"{len(self.leaves)} left, {len(self.missing)} missing "
                f"({self.live_polled} live streams polled in {self.pages} pages, "
                f"{self.duplicates} duplicates dropped, {self.seconds:.2f} s)")


async def monitor_cycle(helix: HelixClient, dsn: str, publish: Publish,
                        config: MonitorConfig, *, now: datetime | None = None) -> CycleReport:
    began = time.monotonic()
    now = now or datetime.now(tz=UTC)
    async with await psycopg.AsyncConnection.connect(dsn) as conn:
        await shard_store.ensure_schema(conn, dsn)
        async with conn.transaction():
            await store.lock(conn)
            follows = await store.load_follows(conn)
            ranking = await top_streams(helix, config.top_n, page_size=config.page_size)
            await store.upsert_streamers(conn, ranking.streams, now)
            polled = {s.broadcaster_id for s in ranking.streams}
            forbidden = await store.forbidden(conn, polled | set(follows))
            absent = [channel for channel in follows if channel not in polled]
            live_elsewhere = await _viewer_counts(helix, absent)
            logins = {**{c: f.login for c, f in follows.items()},
                      **{s.broadcaster_id: s.login for s in ranking.streams}}
            opted_out = await store.opted_out(conn, logins)
            decision = decide(follows, ranking, forbidden=forbidden,
                              live_elsewhere=live_elsewhere, rules=config.rules, now=now,
                              opted_out=opted_out)
            shards = await _assign_shards(conn, decision.follows, config)
            joined = {t.broadcaster_id for t in decision.transitions
                      if t.event_type == "online"}
            kept = [f for c, f in decision.follows.items() if c not in joined]
            await store.upsert_stream_metadata(conn, ranking.streams, now)
            live = ranking.by_id()
            events = [_event(t, now, live.get(t.broadcaster_id)) for t in decision.transitions]
            if config.reannounce:
                events += [_event(Transition("online", f.broadcaster_id, f.login, f.rank,
                                             _still(f, config.rules), "kept"), now,
                                  live.get(f.broadcaster_id))
                           for f in kept]
            if events:
                await publish(events)
            await store.save(conn, decision.follows, decision.transitions, now)
    report = CycleReport(
        at=now, followed=sorted(decision.follows.values(), key=_by_rank),
        joins=[t for t in decision.transitions if t.event_type == "online"],
        leaves=[t for t in decision.transitions if t.event_type == "offline"],
        missing=decision.missing,
        forbidden_skipped=[s.broadcaster_id for s in ranking.streams[:config.rules.join_rank]
                           if s.broadcaster_id in forbidden],
        live_polled=len(ranking.streams), pages=ranking.pages, duplicates=ranking.duplicates,
        events_published=len(events), seconds=time.monotonic() - began, shards=shards)
    metrics.cycle_done(len(report.followed), report.live_polled,
                       report.joins + report.leaves, report.at)
    return report


async def shard_check(dsn: str, config: MonitorConfig) -> Assignment | None:
    """Between the Helix polls: re-assign the followed channels of the last cycle to the live
    ingest shards (no Helix call, nothing published), so a dead shard's channels move within
    seconds instead of waiting for the next poll. Same lock and rule as the cycle."""
    async with await psycopg.AsyncConnection.connect(dsn) as conn:
        await shard_store.ensure_schema(conn, dsn)
        async with conn.transaction():
            await store.lock(conn)
            return await _assign_shards(conn, await store.load_follows(conn), config)


async def _assign_shards(conn: psycopg.AsyncConnection, follows: dict[str, Follow],
                         config: MonitorConfig) -> Assignment | None:
    """Channel -> ingest shard for this cycle (ingest/shards/assign.py has the rule). A shard
    found dead or with a failed token here loses its channels in this same cycle."""
    shards = await shard_store.load_shards(conn, config.shard_dead_after_s)
    if not shards:
        return None
    ordered = sorted(follows.values(), key=_by_rank)
    assignment = assign([f.broadcaster_id for f in ordered], shards,
                        await shard_store.load_assignment(conn))
    await shard_store.save_assignment(conn, assignment,
                                      {f.broadcaster_id: f.login for f in ordered},
                                      {f.broadcaster_id: f.rank for f in ordered})
    return assignment


async def _viewer_counts(helix: HelixClient, channels: list[str]) -> dict[str, int]:
    """Viewer counts of those channels that are live (Get Streams by user id, 100 a call)."""
    found: dict[str, int] = {}
    for start in range(0, len(channels), 100):
        data, _ = await helix.streams(first=100, user_ids=channels[start:start + 100])
        found.update({item["user_id"]: int(item.get("viewer_count") or 0) for item in data})
    return found


def _still(follow: Follow, rules: MonitorRules) -> str:
    if follow.missed_polls:
        return f"still followed: missing from {follow.missed_polls} polls, not yet offline"
    where = f"rank {follow.rank}" if follow.rank else "live, skipped by the poll's pages"
    return f"still in the top {rules.leave_rank} ({where})"


def _event(transition: Transition, now: datetime, stream: LiveStream | None = None) -> dict:
    """The lifecycle event, with the stream's game, title and language when this poll saw it
    (an offline of a channel gone from the poll has none)."""
    about = {} if stream is None else {"game_id": stream.game_id, "game_name": stream.game_name,
                                       "title": stream.title, "language": stream.language}
    return validate_lifecycle_event(lifecycle_event(
        event_type=transition.event_type, broadcaster_id=transition.broadcaster_id,
        broadcaster_login=transition.login, rank=transition.rank,
        timestamp=int(now.timestamp() * 1000), reason=transition.reason, **about))


def _by_rank(follow: Follow) -> tuple[int, str]:
    return (follow.rank if follow.rank is not None else 10**9, follow.broadcaster_id)


@asynccontextmanager
async def kafka_publisher(bootstrap_servers: str) -> AsyncIterator[Publish]:
    """Publish lifecycle events keyed by broadcaster id; returns once Kafka acknowledged all."""
    async with chat_producer(bootstrap_servers) as producer:

        async def publish(events: list[dict]) -> None:
            sent = [await producer.send(STREAM_LIFECYCLE, orjson.dumps(event),
                                        key=event["broadcaster_id"].encode())
                    for event in events]
            await asyncio.gather(*sent)

        yield publish


async def run_monitor_cycle(endpoint: HelixEndpoint, dsn: str, bootstrap_servers: str,
                            config: MonitorConfig) -> CycleReport:
    """One cycle with its own Helix session and Kafka producer (a schedule tick's lifetime)."""
    async with HelixClient(endpoint) as helix, kafka_publisher(bootstrap_servers) as publish:
        return await monitor_cycle(helix, dsn, publish, config)
