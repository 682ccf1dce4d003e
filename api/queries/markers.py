"""A VOD's detections and clips from PostgreSQL, by warehouse/vod_markers.py's one query."""

from psycopg import AsyncConnection

from warehouse.markers import Marker
from warehouse.vod_markers import MARKERS_SQL, VodSpan, markers_params, to_markers


async def vod_markers(conn: AsyncConnection, span: VodSpan) -> list[Marker]:
    cursor = await conn.execute(MARKERS_SQL, markers_params(span))
    return to_markers(await cursor.fetchall(), span)
