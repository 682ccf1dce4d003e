"""GET /v1.0/clip: the clips viewers browse."""

from enum import Enum
from typing import Annotated

from litestar import Controller, MediaType, Response, get
from litestar.di import NamedDependency
from litestar.params import Parameter

from api.params import EndParam, StartParam, parse_range
from api.resources import Resources
from api.schemas import ClipChat, ClipPage
from api.services.clips import clip_chat, clip_page

MAX_LIMIT = 100


class ClipStatus(str, Enum):
    """The clip life cycle states of migration 0002."""

    pending = "pending"
    creating = "creating"
    created = "created"
    completed = "completed"
    failed = "failed"


class ClipSort(str, Enum):
    time = "time"
    strength = "strength"


class ClipController(Controller):
    path = "/v1.0/clip"
    tags = ("clips",)

    @get(operation_id="listClips", summary="Clips, newest or strongest first")
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
        sort: Annotated[
            ClipSort,
            Parameter(description="`time`: newest first; `strength`: the detections that stood "
                      "furthest above the channel's baseline first (clips without one last)."),
        ] = ClipSort.time,
    ) -> Response[ClipPage]:
        """Clips detected in [start, end), newest (or strongest) first, `limit` per page.
        Answers may be up to a second old.

        Only completed clips (those with a Twitch clip id and thumbnail) unless `status` says
        otherwise. Pages are keyset-paged: follow `next_cursor` until it is null; rows added
        meanwhile never shift a page.
        """
        first, last = parse_range(start, end)
        body = await clip_page(resources, status.value, limit, first, last, cursor, channel,
                               sort.value)
        return Response(body, media_type=MediaType.JSON)

    @get("/{clip_row_id:int}/chat", operation_id="getClipChat", summary="Chat around a clip")
    async def chat(
        self,
        resources: NamedDependency[Resources],
        clip_row_id: Annotated[int, Parameter(ge=1, le=2**62, description="The clip's `id`.")],
    ) -> ClipChat:
        """The channel's live chat from 30 s before the clip's detection window to 30 s after
        it, oldest first, at most 500 messages (`truncated` says when there were more)."""
        return await clip_chat(resources, clip_row_id)
