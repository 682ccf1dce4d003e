import polars as pl

from warehouse.communities.tracking import channel_history, match_communities


def frame(assignment: dict[str, int]) -> pl.DataFrame:
    return pl.DataFrame({"broadcaster_id": list(assignment),
                         "community": list(assignment.values())})


def test_communities_match_by_jaccard_of_members():
    previous = frame({"a": 0, "b": 0, "c": 0, "d": 1, "e": 1, "f": 2})
    # 0 keeps a, b (loses c, which joins d); 1 is new channels only; 2 is d, e, c.
    current = frame({"a": 0, "b": 0, "x": 1, "y": 1, "c": 2, "d": 2, "e": 2})
    matched = match_communities(current, previous).to_dicts()
    assert matched[0] == {"community": 0, "previous_community": 0, "jaccard": 2 / 3}
    assert matched[1] == {"community": 1, "previous_community": None, "jaccard": None}
    # 2 shares c with old 0 (1 of 5 -> 0.2) and d, e with old 1 (2 of 3): old 1 wins.
    assert matched[2] == {"community": 2, "previous_community": 1, "jaccard": 2 / 3}


def test_each_channel_says_where_it_was():
    previous = frame({"a": 0, "b": 0, "c": 1})
    current = frame({"a": 0, "b": 1, "c": 1, "z": 1})
    history = {r["broadcaster_id"]: r for r in channel_history(current, previous).to_dicts()}
    assert history["a"]["previous_community"] == 0
    assert history["b"]["previous_community"] == 0
    assert history["b"]["matched_previous_community"] == 1  # b moved into what c was in
    assert history["z"]["previous_community"] is None
