"""A channel's profile: GET /v1.0/channels/{channel}/heatmap and /streams, from the marts."""

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import Parameter

from api.params import ChannelPath
from api.queries.channel_profile import chat_heatmap, stream_participation
from api.resources import Resources
from api.schemas import ChatHeatmap, StreamList, StreamParticipation


class ChannelProfileController(Controller):
    path = "/v1.0/channels/{channel:str}"
    tags = ("channels",)

    @get("/heatmap", operation_id="getChatHeatmap", summary="Chat by weekday and hour")
    async def heatmap(self, resources: NamedDependency[Resources],
                      channel: ChannelPath) -> ChatHeatmap:
        """Messages per UTC weekday (Monday first) and hour of day over all the channel's chat
        in the marts, and how many such hours had chat (for an average per hour)."""
        found = await resources.channels.resolve(channel)
        messages, hours, fresh = await chat_heatmap(resources.marts, found.broadcaster_id)
        return ChatHeatmap(found.broadcaster_id, messages, hours, fresh)

    @get("/streams", operation_id="listStreams", summary="Streams and their participation")
    async def streams(
        self,
        resources: NamedDependency[Resources],
        channel: ChannelPath,
        limit: Annotated[int, Parameter(ge=1, le=500, description="Streams to list.")] = 50,
    ) -> StreamList:
        """The channel's latest streams, newest first: duration, messages, active, new and
        returning chatters, regulars, messages per chatter, top-chatter shares, come-backs."""
        found = await resources.channels.resolve(channel)
        rows, fresh = await stream_participation(resources.marts, found.broadcaster_id, limit)
        return StreamList(found.broadcaster_id,
                          [StreamParticipation(**row) for row in rows], fresh)
