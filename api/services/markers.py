"""Editor markers of a VOD or a recorded live stream, rendered for download."""

from datetime import datetime

from litestar.exceptions import ClientException, NotFoundException

from api.queries.markers import vod_markers
from api.resources import Resources
from api.services.exports import attachment
from warehouse.markers import EXTENSIONS, FORMATS, render
from warehouse.vod_markers import MarkersError, VodSpan, stream_span, vod_span


async def markers_download(resources: Resources, fmt: str, fps: int, start_hour: int, *,
                           vod_id: str | None = None, channel: str | None = None,
                           started_at: datetime | None = None):
    """(text, media type, headers); 404 when the lake has no such VOD or stream."""
    try:
        if vod_id is not None:
            span: VodSpan = await resources.lake.run(lambda cur: vod_span(cur, vod_id))
        else:
            span = await resources.lake.run(lambda cur: stream_span(cur, channel, started_at))
    except MarkersError as error:
        raise NotFoundException(detail=str(error)) from None
    async with resources.pool.connection() as conn:
        found = await vod_markers(conn, span)
    try:
        text = render(found, fmt, span.title, fps, start_hour)
    except ValueError as error:
        raise ClientException(detail=f"start_hour: {error}") from None
    which = vod_id if vod_id is not None else f"{span.start:%Y%m%dT%H%M}"
    stem = f"{span.broadcaster_login or span.broadcaster_id}-{which}"
    return text, FORMATS[fmt], attachment(f"{stem}-markers", EXTENSIONS[fmt])
