import polars as pl

from warehouse.communities.labels import community_labels


def test_labels_rank_games_and_languages_by_chatters():
    channels = pl.DataFrame({"broadcaster_id": ["a", "b", "c", "d"],
                             "community": [0, 0, 0, 1], "chatters": [100, 30, 30, 5]})
    tags = pl.DataFrame({
        "broadcaster_id": ["a", "b", "b", "c", "d"],
        "game_name": ["Just Chatting", "Dota 2", "Apex Legends", "Dota 2", None],
        "language": ["en", "ru", "ru", "ru", "de"],
        "share": [1.0, 0.5, 0.5, 1.0, 1.0]})
    labels = {r["community"]: r for r in community_labels(channels, tags).to_dicts()}
    assert labels[0]["games"] == ["Just Chatting", "Dota 2", "Apex Legends"]
    assert labels[0]["languages"] == ["en", "ru"]
    assert labels[0]["label"] == "Just Chatting, Dota 2, Apex Legends · en, ru"
    assert labels[1] == {"community": 1, "games": [], "languages": ["de"], "label": "de"}


def test_a_community_without_tags_has_an_empty_label():
    channels = pl.DataFrame({"broadcaster_id": ["a"], "community": [0], "chatters": [1]})
    tags = pl.DataFrame({"broadcaster_id": [], "game_name": [], "language": [], "share": []},
                        schema={"broadcaster_id": pl.String, "game_name": pl.String,
                                "language": pl.String, "share": pl.Float64})
    assert community_labels(channels, tags).to_dicts() == [
        {"community": 0, "games": [], "languages": [], "label": ""}]
