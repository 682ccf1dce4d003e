"""Community labels from what their channels stream: the dominant games and languages, each
channel weighted by its chatters (so a community of one big Just Chatting channel and many
small Dota 2 ones reads as both, in the order of who is there)."""

import polars as pl

TOP_GAMES = 3
TOP_LANGUAGES = 2


def community_labels(channels: pl.DataFrame, tags: pl.DataFrame) -> pl.DataFrame:
    """community, games (list, most chatters first), languages, label ("Dota 2, Just Chatting
    · en"). `channels`: broadcaster_id, community, chatters. `tags`: broadcaster_id, game_name,
    language, share (the channel's share of streams or time with that game; 1 when unknown)."""
    weighted = channels.join(tags, on="broadcaster_id").with_columns(
        weight=pl.col("chatters") * pl.col("share"))

    def top(column: str, k: int) -> pl.DataFrame:
        return (weighted.filter(pl.col(column).is_not_null() & (pl.col(column) != ""))
                .group_by("community", column).agg(pl.col("weight").sum())
                .sort(["community", "weight", column], descending=[False, True, False])
                .group_by("community", maintain_order=True).agg(pl.col(column).head(k)))

    games = top("game_name", TOP_GAMES).rename({"game_name": "games"})
    languages = top("language", TOP_LANGUAGES).rename({"language": "languages"})
    result = (channels.select("community").unique().sort("community")
              .join(games, on="community", how="left")
              .join(languages, on="community", how="left")
              .with_columns(games=pl.col("games").fill_null(pl.lit([], pl.List(pl.String))),
                            languages=pl.col("languages").fill_null(
                                pl.lit([], pl.List(pl.String)))))
    return result.with_columns(label=pl.concat_str(
        [pl.col("games").list.join(", "), pl.col("languages").list.join(", ")],
        separator=" · ").str.strip_chars(" ·"))
