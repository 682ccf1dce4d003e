"""Communities followed from one period to the next: each community of this period is matched
to the previous period's community whose members it shares most by Jaccard (ties: the larger
overlap, then the smaller id), so a channel's row can say where it was last period."""

import polars as pl


def match_communities(current: pl.DataFrame, previous: pl.DataFrame) -> pl.DataFrame:
    """community, previous_community (null when it shares no channel with any), jaccard.

    Both frames: broadcaster_id, community."""
    sizes_now = current.group_by("community").agg(members=pl.len())
    sizes_before = previous.group_by("community").agg(previous_members=pl.len()).rename(
        {"community": "previous_community"})
    common = (current.join(previous.rename({"community": "previous_community"}),
                           on="broadcaster_id")
              .group_by("community", "previous_community").agg(common=pl.len())
              .join(sizes_now, on="community").join(sizes_before, on="previous_community")
              .with_columns(jaccard=pl.col("common")
                            / (pl.col("members") + pl.col("previous_members") - pl.col("common")))
              .sort(["community", "jaccard", "common", "previous_community"],
                    descending=[False, True, True, False])
              .unique("community", keep="first", maintain_order=True)
              .select("community", "previous_community", "jaccard"))
    return (sizes_now.select("community").join(common, on="community", how="left")
            .sort("community"))


def channel_history(current: pl.DataFrame, previous: pl.DataFrame) -> pl.DataFrame:
    """broadcaster_id, previous_community (the channel's own community last period, null if
    it was not in the graph), matched_previous_community (what its community continues)."""
    matched = match_communities(current, previous)
    return (current.join(previous.rename({"community": "previous_community"}),
                         on="broadcaster_id", how="left")
            .join(matched.select("community",
                                 pl.col("previous_community").alias("matched_previous_community")),
                  on="community", how="left")
            .select("broadcaster_id", "previous_community", "matched_previous_community"))
