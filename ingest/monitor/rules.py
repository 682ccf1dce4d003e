"""Who to follow, given who is followed now and this poll's ranking. Pure: no I/O, no clock.

Hysteresis keeps the detector's baseline: a channel is joined when it enters the top
`join_rank` (5) and left only when it falls below `leave_rank` (10). A followed channel missing
from the poll is not left at once (pages can skip a stream, Twitch can hiccup): if it is still
live with as many viewers as the stream at `leave_rank` it stays; if it is not live it is left
as offline after `offline_after_polls` polls in a row. Channels known to forbid clipping are
never joined, and left if followed.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from ingest.monitor.ranking import Ranking


@dataclass(frozen=True)
class MonitorRules:
    join_rank: int = 5
    leave_rank: int = 10
    offline_after_polls: int = 3

    def __post_init__(self) -> None:
        if not 1 <= self.join_rank <= self.leave_rank:
            raise ValueError("need 1 <= join_rank <= leave_rank")
        if self.offline_after_polls < 1:
            raise ValueError("offline_after_polls must be at least 1")


@dataclass(frozen=True)
class Follow:
    broadcaster_id: str
    login: str
    since: datetime
    rank: int | None
    last_seen_at: datetime
    missed_polls: int
    join_reason: str


@dataclass(frozen=True)
class Transition:
    event_type: str  # online | offline
    broadcaster_id: str
    login: str
    rank: int | None
    reason: str
    kind: str  # short, for metric labels: entered_top | left_top | offline | clips_forbidden


@dataclass(frozen=True)
class Decision:
    follows: dict[str, Follow]  # the state after this poll
    transitions: list[Transition]  # joins and leaves, in that order
    missing: list[str]  # followed, absent from the poll, not left yet


def decide(follows: dict[str, Follow], ranking: Ranking, *, forbidden: set[str],
           live_elsewhere: dict[str, int], rules: MonitorRules, now: datetime,
           opted_out: frozenset[str] = frozenset()) -> Decision:
    """`live_elsewhere`: viewer counts of followed channels that are live but were not in
    the ranking (looked up by id); `forbidden`: channels that do not allow clipping."""
    ranked = ranking.by_id()
    cutoff = ranking.viewers_at(rules.leave_rank)
    after: dict[str, Follow] = {}
    leaves: list[Transition] = []
    missing: list[str] = []
    for channel, follow in follows.items():
        stream = ranked.get(channel)
        if channel in opted_out:
            leaves.append(_leave(follow, stream.rank if stream else None,
                                 "channel opted out", "opted_out"))
        elif channel in forbidden:
            leaves.append(_leave(follow, stream.rank if stream else None,
                                 "channel does not allow clipping", "clips_forbidden"))
        elif stream is not None and stream.rank > rules.leave_rank:
            leaves.append(_leave(follow, stream.rank,
                                 f"dropped out of the top {rules.leave_rank} "
                                 f"(rank {stream.rank})", "left_top"))
        elif stream is not None:
            after[channel] = replace(follow, login=stream.login, rank=stream.rank,
                                     last_seen_at=now, missed_polls=0)
        elif channel in live_elsewhere:
            if cutoff is None or live_elsewhere[channel] >= cutoff:
                # Live and as big as the top-10 stream: the pages skipped it; keep it.
                after[channel] = replace(follow, last_seen_at=now, missed_polls=0)
            else:
                leaves.append(_leave(follow, None, f"dropped out of the top "
                                     f"{rules.leave_rank} (not in the polled top "
                                     f"{len(ranking.streams)})", "left_top"))
        elif follow.missed_polls + 1 >= rules.offline_after_polls:
            leaves.append(_leave(follow, None, f"offline: missing from "
                                 f"{follow.missed_polls + 1} polls in a row", "offline"))
        else:
            after[channel] = replace(follow, missed_polls=follow.missed_polls + 1)
            missing.append(channel)
    joins: list[Transition] = []
    for stream in ranking.streams[:rules.join_rank]:
        if stream.broadcaster_id in after or stream.broadcaster_id in forbidden \
                or stream.broadcaster_id in opted_out:
            continue
        reason = f"entered the top {rules.join_rank} (rank {stream.rank})"
        after[stream.broadcaster_id] = Follow(stream.broadcaster_id, stream.login, now,
                                              stream.rank, now, 0, reason)
        joins.append(Transition("online", stream.broadcaster_id, stream.login, stream.rank,
                                reason, "entered_top"))
    return Decision(after, joins + leaves, missing)


def _leave(follow: Follow, rank: int | None, reason: str, kind: str) -> Transition:
    return Transition("offline", follow.broadcaster_id, follow.login, rank, reason, kind)
