"""The shard assignment rule (ingest/shards/assign.py): pure, so plain values are enough."""

from ingest.shards.assign import HARD_CAP, Shard, assign


def channels(count: int, start: int = 0) -> list[str]:
    return [f"c{i:03d}" for i in range(start, start + count)]


def shards(*ids: str, cap: int = 95) -> list[Shard]:
    return [Shard(i, cap) for i in ids]


def test_250_channels_spread_evenly_over_3_accounts_none_over_its_cap():
    result = assign(channels(250), shards("a", "b", "c"), {})
    assert set(result.channels) == set(channels(250))
    assert sorted(result.load().values()) == [83, 83, 84]
    assert max(result.load().values()) <= HARD_CAP
    assert result.unassigned == [] and result.capacity == 285
    assert {m.reason for m in result.moves} == {"newly served"}


def test_a_cap_above_twitchs_is_clamped_to_95():
    result = assign(channels(300), shards("a", "b", cap=150), {})
    assert result.load() == {"a": 95, "b": 95}
    assert result.unassigned == channels(110, 190)  # the lowest ranked, in rank order


def test_channels_stay_on_their_shard_when_nothing_changed():
    first = assign(channels(250), shards("a", "b", "c"), {})
    again = assign(channels(250), shards("a", "b", "c"), first.channels)
    assert again.channels == first.channels and again.moves == []


def test_a_dead_shards_channels_move_to_the_others_in_one_call_and_the_rest_stay_put():
    before = assign(channels(150), shards("a", "b", "c"), {}).channels
    live = [Shard("a", 95), Shard("b", 95, alive=False, problem="no heartbeat for 31 s"),
            Shard("c", 95)]
    after = assign(channels(150), live, before)
    assert set(after.channels) == set(channels(150))
    assert "b" not in after.load() and max(after.load().values()) <= 95
    moved = {m.broadcaster_id for m in after.moves}
    assert moved == {c for c, s in before.items() if s == "b"}
    assert all(after.channels[c] == s for c, s in before.items() if s != "b")
    assert {m.reason for m in after.moves} == {"shard b is not live (no heartbeat for 31 s)"}


def test_losing_capacity_serves_the_best_ranked_and_names_the_rest():
    before = assign(channels(250), shards("a", "b", "c"), {}).channels
    live = [Shard("a", 95), Shard("b", 95), Shard("c", 95, False, "token failed: revoked")]
    after = assign(channels(250), live, before)
    assert set(after.channels) == set(channels(190))
    assert after.unassigned == channels(60, 190)
    assert after.load() == {"a": 95, "b": 95}
    dropped = {m.broadcaster_id: m.reason for m in after.moves if m.to_shard is None}
    assert set(dropped) == set(channels(60, 190))
    assert set(dropped.values()) == {"over capacity: the live shards hold 190 channels"}


def test_a_returning_or_new_shard_takes_the_unserved_channels():
    two = assign(channels(250), shards("a", "b"), {})
    three = assign(channels(250), shards("a", "b", "d"), two.channels)
    assert set(three.channels) == set(channels(250)) and three.unassigned == []
    assert all(three.channels[c] == s for c, s in two.channels.items())  # no churn
    assert three.load()["d"] == 60


def test_unfollowed_channels_are_dropped_and_new_ones_go_to_the_emptiest_shard():
    before = {"c000": "a", "c001": "a", "c002": "b"}
    after = assign(["c000", "c002", "c003"], shards("a", "b"), before)
    # a and b hold one each: the tie goes to the smaller shard id.
    assert after.channels == {"c000": "a", "c002": "b", "c003": "a"}
    reasons = {m.broadcaster_id: m.reason for m in after.moves}
    assert reasons == {"c001": "no longer followed", "c003": "newly served"}


def test_no_live_shard_serves_nothing():
    result = assign(channels(5), [Shard("a", 95, alive=False, problem="stopped")], {"c000": "a"})
    assert result.channels == {} and result.unassigned == channels(5)
    assert [m.reason for m in result.moves] == [
        "over capacity: the live shards hold 0 channels"]
