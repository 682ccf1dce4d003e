"""The monitor never joins an opted-out channel and leaves one it follows (pure rules)."""

from datetime import UTC, datetime, timedelta

from ingest.monitor.ranking import LiveStream, Ranking
from ingest.monitor.rules import Follow, MonitorRules, decide

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
RULES = MonitorRules(join_rank=5, leave_rank=10, offline_after_polls=3)


def test_an_opted_out_channel_is_never_joined_and_a_followed_one_leaves():
    streams = [LiveStream(c, f"login{c}", rank, 10_000 - rank * 100)
               for rank, c in enumerate(["a", "b", "c", "d", "e", "f"], start=1)]
    followed = Follow("c", "loginc", T0, 3, T0, 0, "entered the top 5 (rank 3)")
    decision = decide({"c": followed}, Ranking(streams, pages=1, duplicates=0),
                      forbidden=set(), live_elsewhere={}, rules=RULES,
                      now=T0 + timedelta(minutes=2), opted_out=frozenset({"b", "c"}))
    joined = [t.broadcaster_id for t in decision.transitions if t.event_type == "online"]
    left = [(t.broadcaster_id, t.kind) for t in decision.transitions
            if t.event_type == "offline"]
    assert joined == ["a", "d", "e"]
    assert left == [("c", "opted_out")]
    assert set(decision.follows) == {"a", "d", "e"}
