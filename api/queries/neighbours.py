"""A channel's neighbours by shared chatters over a period, from the published marts
(`channel_overlap_periods`: only pairs that share someone)."""

import duckdb

from api.marts import ServedBuild, ServedMarts
from api.queries.live_chat import Freshness, freshness

COLUMNS = ("other_broadcaster_id", "shared_chatters", "jaccard_index", "overlap_coefficient",
           "directed_share", "chatters", "other_chatters")
SQL = """
    select {columns} from {catalog}.marts.channel_overlap_periods
    where broadcaster_id = $broadcaster_id and period = $period
    order by shared_chatters desc, jaccard_index desc, other_broadcaster_id
    limit $limit
"""


async def overlap_neighbours(marts: ServedMarts, broadcaster_id: str, period: str,
                             limit: int) -> tuple[list[dict], Freshness]:
    """Up to `limit` channels sharing the most chatters with this one in `period`."""

    def work(cursor: duckdb.DuckDBPyConnection, served: ServedBuild | None):
        if served is None:
            return [], freshness(served)
        sql = SQL.format(columns=", ".join(COLUMNS), catalog=served.catalog)
        rows = cursor.execute(sql, {"broadcaster_id": broadcaster_id, "period": period,
                                    "limit": limit}).fetchall()
        return [dict(zip(COLUMNS, row, strict=True)) for row in rows], freshness(served)

    return await marts.run(work)
