"""Tuning results, when the tuning job has made its table (issue 5); absent is not an error.

The table's shape belongs to the tuning job, so rows are passed through as JSON objects, newest
first when the table has a timestamp column to order by.
"""

from typing import Any

from psycopg import AsyncConnection, sql

# Names the tuning job may give its results table, most specific first.
CANDIDATE_TABLES = ("tuning_results", "tuning_runs", "backtest_results")


async def table_exists(conn: AsyncConnection, name: str) -> bool:
    cursor = await conn.execute("select to_regclass(%s) is not null", [name])
    row = await cursor.fetchone()
    return bool(row and row[0])


async def find_table(conn: AsyncConnection) -> str | None:
    for name in CANDIDATE_TABLES:
        if await table_exists(conn, name):
            return name
    return None


async def results(conn: AsyncConnection, table: str, limit: int) -> list[dict[str, Any]]:
    if table == "tuning_results" and await table_exists(conn, "tuning_runs"):
        # Migration 0005's shape: rows of the newest run first, best rank first, each with its
        # run's start time and source.
        cursor = await conn.execute(
            "select to_jsonb(r) || jsonb_build_object('started_at', u.started_at,"
            " 'source', u.source) from tuning_results r join tuning_runs u using (run_id)"
            " order by u.started_at desc, r.rank limit %s",
            [limit],
        )
        return [row[0] for row in await cursor.fetchall()]
    cursor = await conn.execute(
        "select column_name from information_schema.columns where table_name = %s"
        " and data_type like 'timestamp%%' order by ordinal_position",
        [table],
    )
    time_columns = [row[0] for row in await cursor.fetchall()]
    order = (
        sql.SQL(" order by {} desc nulls last").format(sql.Identifier(time_columns[0]))
        if time_columns
        else sql.SQL("")
    )
    query = sql.SQL("select row_to_json(t) from {} as t{} limit %s").format(
        sql.Identifier(table), order
    )
    cursor = await conn.execute(query, [limit])
    return [row[0] for row in await cursor.fetchall()]
