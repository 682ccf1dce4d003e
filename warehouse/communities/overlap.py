"""Overlap edges from a chatter-channel table (one row per channel and chatter): the same rule
as the mart `channel_overlap_periods` (a self-join on chatter, grouped; only pairs that share
someone), for inputs that are not a marts build: synthetic chat, the benchmark, a lake read.
tests/communities/test_overlap.py holds the two equal on real chat."""

import duckdb
import polars as pl

OVERLAP_SQL = """
with sizes as (
    select broadcaster_id, count(*) as chatters from pairs group by all
),
shared as (
    select a.broadcaster_id, b.broadcaster_id as other_broadcaster_id,
           count(*) as shared_chatters
    from pairs a join pairs b on a.chatter_id = b.chatter_id
        and a.broadcaster_id < b.broadcaster_id
    group by all
)
select shared.broadcaster_id, shared.other_broadcaster_id, a.chatters,
       b.chatters as other_chatters, shared.shared_chatters,
       shared.shared_chatters / (a.chatters + b.chatters - shared.shared_chatters)
           as jaccard_index,
       shared.shared_chatters / least(a.chatters, b.chatters) as overlap_coefficient
from shared
join sizes a on a.broadcaster_id = shared.broadcaster_id
join sizes b on b.broadcaster_id = shared.other_broadcaster_id
"""


def overlap_edges(pairs: pl.DataFrame) -> pl.DataFrame:
    """Undirected edges (broadcaster_id < other_broadcaster_id) of distinct (broadcaster_id,
    chatter_id) pairs: chatters of each side, shared chatters, Jaccard, overlap coefficient."""
    with duckdb.connect() as con:
        con.register("pairs_in", pairs.select("broadcaster_id", "chatter_id").to_arrow())
        con.execute("create temp table pairs as select distinct * from pairs_in")
        return con.execute(OVERLAP_SQL).pl()


def channel_sizes(pairs: pl.DataFrame) -> pl.DataFrame:
    """broadcaster_id, chatters (distinct) of a chatter-channel table."""
    return (pairs.select("broadcaster_id", "chatter_id").unique()
            .group_by("broadcaster_id").agg(chatters=pl.len()))
