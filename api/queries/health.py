"""Readiness checks: can we query PostgreSQL and the lake right now?"""

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from api.lake import LakeReader
from api.schemas import Check

CHECK_TIMEOUT_SECONDS = 2.0


async def check_postgres(pool: AsyncConnectionPool) -> Check:
    try:
        async with pool.connection(timeout=CHECK_TIMEOUT_SECONDS) as conn:
            cursor = await conn.execute("select count(*) from schema_migrations")
            row = await cursor.fetchone()
        return Check("postgres", True, f"{row[0]} migrations applied")
    except (psycopg.Error, PoolTimeout) as error:
        return Check("postgres", False, f"{type(error).__name__}: {str(error)[:200]}")


async def check_lake(lake: LakeReader) -> Check:
    root = lake.store.local_root
    if root is not None and not root.is_dir():
        # A fresh stack has no folder until the archiver writes its first file: ready, empty.
        return Check("lake", True, f"lake folder {root} not created yet (no data)")
    try:
        rows = await lake.fetch("select count(*) from (select 1 from chat_messages limit 1)")
    except Exception as error:  # any DuckDB or storage failure means "not ready"
        return Check("lake", False, f"{type(error).__name__}: {str(error)[:200]}")
    return Check("lake", True, "has chat messages" if rows[0][0] else "readable, no messages yet")
