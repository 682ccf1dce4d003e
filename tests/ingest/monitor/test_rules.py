"""The monitor's join/leave rules, pure: hysteresis, time-to-live, skipped pages, forbidden."""

from datetime import UTC, datetime, timedelta

from ingest.monitor.ranking import LiveStream, Ranking
from ingest.monitor.rules import Follow, MonitorRules, decide

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
RULES = MonitorRules(join_rank=5, leave_rank=10, offline_after_polls=3)


def ranking(*channels: str) -> Ranking:
    streams = [LiveStream(c, f"login{c}", rank, 10_000 - rank * 100)
               for rank, c in enumerate(channels, start=1)]
    return Ranking(streams, pages=1, duplicates=0)


def follow(channel: str, missed: int = 0) -> Follow:
    return Follow(channel, f"login{channel}", T0, 1, T0, missed, "entered the top 5 (rank 1)")


def order(first: list[str], rest: int = 15) -> list[str]:
    others = [f"x{i}" for i in range(rest)]
    return first + [c for c in others if c not in first]


def run(follows, rank, **kwargs):
    options = {"forbidden": set(), "live_elsewhere": {}, "rules": RULES,
               "now": T0 + timedelta(minutes=2)}
    options.update(kwargs)
    return decide({f.broadcaster_id: f for f in follows}, rank, **options)


def test_joins_the_top_five_only():
    decision = run([], ranking(*order([], 12)))
    assert [t.broadcaster_id for t in decision.transitions] == ["x0", "x1", "x2", "x3", "x4"]
    assert all(t.event_type == "online" and "top 5" in t.reason for t in decision.transitions)


def test_ranks_six_to_ten_stay_and_eleven_leaves():
    channels = [f"x{i}" for i in range(15)]
    for rank in range(6, 11):
        moved = [c for c in channels if c != "a"]
        moved.insert(rank - 1, "a")
        decision = run([follow("a")], ranking(*moved))
        assert "a" in decision.follows, rank
        assert decision.follows["a"].rank == rank
        assert not [t for t in decision.transitions if t.event_type == "offline"]
    moved = [c for c in channels if c != "a"]
    moved.insert(10, "a")
    decision = run([follow("a")], ranking(*moved))
    assert "a" not in decision.follows
    [leave] = [t for t in decision.transitions if t.event_type == "offline"]
    assert (leave.broadcaster_id, leave.rank, leave.kind) == ("a", 11, "left_top")
    assert "top 10 (rank 11)" in leave.reason


def test_missing_channel_goes_offline_after_the_ttl():
    state = [follow("a")]
    for poll in (1, 2):
        decision = run(state, ranking(*order([], 12)))
        assert decision.follows["a"].missed_polls == poll and decision.missing == ["a"]
        state = [decision.follows["a"]]
    decision = run(state, ranking(*order([], 12)))
    assert "a" not in decision.follows
    [leave] = [t for t in decision.transitions if t.broadcaster_id == "a"]
    assert leave.kind == "offline" and "3 polls" in leave.reason


def test_seen_again_resets_the_missed_polls():
    decision = run([follow("a", missed=2)], ranking(*order(["a"])))
    assert decision.follows["a"].missed_polls == 0


def test_live_but_skipped_by_the_pages_stays_when_big_enough():
    rank = ranking(*order([], 12))  # rank 10 has 9000 viewers
    kept = run([follow("a")], rank, live_elsewhere={"a": 9_500})
    assert "a" in kept.follows and not kept.transitions[5:]
    left = run([follow("a")], rank, live_elsewhere={"a": 100})
    assert "a" not in left.follows


def test_forbidden_channels_are_not_joined_and_are_left():
    decision = run([follow("b")], ranking(*order(["a", "b"])), forbidden={"a", "b"})
    assert "a" not in decision.follows and "b" not in decision.follows
    [leave] = [t for t in decision.transitions if t.event_type == "offline"]
    assert leave.broadcaster_id == "b" and leave.kind == "clips_forbidden"
    joined = [t.broadcaster_id for t in decision.transitions if t.event_type == "online"]
    assert joined == ["x0", "x1", "x2"]  # the rest of the top 5
