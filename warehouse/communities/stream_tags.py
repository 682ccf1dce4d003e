"""What channels stream, for community labels, from the monitor's `streams` table (migration
0008): per channel, each game and language with its share of the channel's watched time (a
broadcast's last minus first sighting, at least a minute, so a single poll counts too)."""

import polars as pl
import psycopg

from warehouse.communities.inputs import TAGS_SCHEMA

TAGS_SQL = """
with watched as (
    select broadcaster_id, game_name, language,
           greatest(extract(epoch from last_seen_at - first_seen_at), 60) as seconds
    from streams
)
select broadcaster_id, game_name, language,
       sum(seconds) / sum(sum(seconds)) over (partition by broadcaster_id) as share
from watched
group by broadcaster_id, game_name, language
"""


def stream_tags(dsn: str, *, connect_timeout_s: float = 5.0) -> pl.DataFrame:
    """broadcaster_id, game_name, language, share; raises psycopg.Error when unreachable."""
    with psycopg.connect(dsn, connect_timeout=max(1, round(connect_timeout_s))) as conn:
        rows = conn.execute(TAGS_SQL).fetchall()
    return pl.DataFrame(rows, schema=list(TAGS_SCHEMA), orient="row").cast(TAGS_SCHEMA)
