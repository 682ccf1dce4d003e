"""Which shard reads which channel. Pure: no I/O, no clock.

The rule, given the followed channels best first, the shards and the last assignment:

1. A shard is *live* when its heartbeat is fresh and its token has not failed; only live
   shards get channels. Each holds at most `min(its cap, HARD_CAP)` channels: Twitch allows a
   user 100 chat channels, 95 leaves room for a channel read by hand or a slow unsubscribe.
2. When the live shards hold fewer channels than are followed, the best-ranked are served and
   the rest are left unassigned (reported every cycle, never silently).
3. A served channel stays on its shard when that shard is live and has room (moving a channel
   opens a gap while the new shard subscribes); the others go, best first, to the live shard
   with the most free room (ties: the shard id), so load stays even.

The assignment is per account: a shard is one account, and the store refuses a second live
shard of the same Twitch user, so no user can be over its cap through two shards.
"""

from dataclasses import dataclass

HARD_CAP = 95


@dataclass(frozen=True)
class Shard:
    shard_id: str
    cap: int
    alive: bool = True
    problem: str | None = None  # why it is not live: "no heartbeat for 31 s", "token failed"


@dataclass(frozen=True)
class Move:
    broadcaster_id: str
    from_shard: str | None
    to_shard: str | None
    reason: str


@dataclass(frozen=True)
class Assignment:
    channels: dict[str, str]  # broadcaster id -> shard id, served channels only
    moves: list[Move]  # every change against the last assignment
    unassigned: list[str]  # followed but over the live shards' capacity, best first
    capacity: int  # channels the live shards can hold

    def load(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for shard in self.channels.values():
            counts[shard] = counts.get(shard, 0) + 1
        return counts


def assign(channels: list[str], shards: list[Shard], current: dict[str, str]) -> Assignment:
    """`channels`: followed broadcaster ids, best first; `current`: the last assignment."""
    caps = {s.shard_id: max(0, min(s.cap, HARD_CAP)) for s in shards if s.alive}
    problems = {s.shard_id: s.problem or "not live" for s in shards if not s.alive}
    capacity = sum(caps.values())
    wanted = list(dict.fromkeys(channels))
    served, unassigned = wanted[:capacity], wanted[capacity:]
    load = dict.fromkeys(caps, 0)
    result: dict[str, str] = {}
    for channel in served:  # 3: stay where you are when you can
        shard = current.get(channel)
        if shard in caps and load[shard] < caps[shard]:
            result[channel] = shard
            load[shard] += 1
    for channel in served:  # 3: the rest to the emptiest shard (always room: see 2)
        if channel in result:
            continue
        shard = min(caps, key=lambda s: (load[s] - caps[s], s))
        result[channel] = shard
        load[shard] += 1
    moves = []
    for channel in list(dict.fromkeys([*wanted, *current])):
        before, after = current.get(channel), result.get(channel)
        if before == after:
            continue
        moves.append(Move(channel, before, after,
                          _reason(channel, before, after, problems, set(wanted), capacity)))
    return Assignment(result, moves, unassigned, capacity)


def _reason(channel: str, before: str | None, after: str | None, problems: dict[str, str],
            wanted: set[str], capacity: int) -> str:
    if channel not in wanted:
        return "no longer followed"
    if after is None:
        return f"over capacity: the live shards hold {capacity} channels"
    if before is None:
        return "newly served"
    if before in problems:
        return f"shard {before} is not live ({problems[before]})"
    return f"shard {before} is gone or full"
