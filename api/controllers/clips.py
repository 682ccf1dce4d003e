"""GET /v1.0/clip: the clips viewers browse."""

from enum import Enum
from typing import Annotated

import msgspec
from litestar import Controller, MediaType, Response, get
from litestar.di import NamedDependency
from litestar.params import Parameter

from api.params import EndParam, StartParam, bad_request, parse_range
from api.queries.clips import BadCursorError, ClipQuery, decode_cursor, encode_cursor, list_clips
from api.resources import Resources
from api.schemas import ClipPage

MAX_LIMIT = 100


class ClipStatus(str, Enum):
    """The clip life cycle states of migration 0002."""

    pending = "pending"
    creating = "creating"
    created = "created"
    completed = "completed"
    failed = "failed"


class ClipController(Controller):
    path = "/v1.0/clip"
    tags = ("clips",)

    @get(operation_id="listClips", summary="Clips, newest first")
    async def list_clips(
        self,
        resources: NamedDependency[Resources],
        start: StartParam = None,
        end: EndParam = None,
        limit: Annotated[
            int, Parameter(ge=1, le=MAX_LIMIT, description="Clips per page, 1 to 100.")
        ] = 20,
        cursor: Annotated[
            str | None,
            Parameter(
                description="`next_cursor` of the previous page; omit for the first page.",
                max_length=200,
            ),
        ] = None,
        channel: Annotated[
            str | None,
            Parameter(description="Only this channel (broadcaster id or login).", max_length=100),
        ] = None,
        status: Annotated[
            ClipStatus,
            Parameter(description="Life cycle state of the clips to list."),
        ] = ClipStatus.completed,
    ) -> Response[ClipPage]:
        """Clips detected in [start, end), newest first (by detection time), `limit` per page.
        Answers may be up to a second old.

        Only completed clips (those with a Twitch clip id and thumbnail) unless `status` says
        otherwise. Pages are keyset-paged: follow `next_cursor` until it is null; rows added
        meanwhile never shift a page.
        """
        first, last = parse_range(start, end)
        after = None
        if cursor is not None:
            try:
                after = decode_cursor(cursor)
            except BadCursorError:
                raise bad_request(
                    "cursor: not a cursor this API issued; pass next_cursor unchanged"
                ) from None
        broadcaster_id = None
        if channel is not None:
            broadcaster_id = (await resources.channels.resolve(channel)).broadcaster_id
        query = ClipQuery(status.value, limit + 1, first, last, broadcaster_id, after)
        body = resources.clip_pages.get(query)
        if body is not None:
            return Response(body, media_type=MediaType.JSON)
        async with resources.pool.connection() as conn:
            clips = await list_clips(conn, query)
        next_cursor = None
        if len(clips) > limit:
            clips = clips[:limit]
            next_cursor = encode_cursor(clips[-1].detected_at, clips[-1].id)
        # Cached encoded: a repeat costs no query and no encoding.
        body = msgspec.json.encode(ClipPage(clips=clips, next_cursor=next_cursor))
        resources.clip_pages.put(query, body)
        return Response(body, media_type=MediaType.JSON)
