"""What a communities build reads from the published marts file: one period's overlap edges
(`marts.channel_overlap_periods`, each pair once), the channels' logins, the day the period
ends, and what the channels stream (`marts.channel_games`, when the marts have it)."""

from datetime import date

import duckdb
import polars as pl

PERIODS = {"1d": 1, "7d": 7, "30d": 30, "all": None}

TAGS_SCHEMA = {"broadcaster_id": pl.String, "game_name": pl.String, "language": pl.String,
               "share": pl.Float64}


def check_period(period: str) -> str:
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}; choose one of {', '.join(PERIODS)}")
    return period


def period_edges(con: duckdb.DuckDBPyConnection, period: str) -> pl.DataFrame:
    return con.execute(
        "select broadcaster_id, other_broadcaster_id, chatters, other_chatters, "
        "shared_chatters, jaccard_index, overlap_coefficient "
        "from marts.channel_overlap_periods "
        "where period = ? and broadcaster_id < other_broadcaster_id",
        [check_period(period)]).pl()


def period_end(con: duckdb.DuckDBPyConnection) -> date | None:
    """The newest UTC day with live chat: where the mart's periods end."""
    return con.execute("select max(last_message_at)::date "
                       "from intermediate.int_channel_chatters_aggregated").fetchone()[0]


def channel_logins(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return con.execute("select broadcaster_id, broadcaster_login from marts.channels").pl()


def channel_tags(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """broadcaster_id, game_name, language, share of the channel's streams; empty when the
    marts carry no stream metadata yet."""
    has_tags = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'marts' and table_name = 'channel_games'").fetchone()[0]
    if not has_tags:
        return pl.DataFrame(schema=TAGS_SCHEMA)
    return con.execute("select broadcaster_id, game_name, language, share "
                       "from marts.channel_games").pl().cast(TAGS_SCHEMA)
