"""GET /v1.0/channels and a channel's chat activity with its detections."""

from litestar import Controller, get
from litestar.di import NamedDependency

from api.params import ChannelPath, EndParam, Interval, IntervalParam, StartParam
from api.resources import Resources
from api.schemas import Channel, ChannelList, ChatActivity
from api.services.series import channel_series, chat_activity_fields


class ChannelController(Controller):
    path = "/v1.0/channels"
    tags = ("channels",)

    @get(operation_id="listChannels", summary="Channels with chat or clips")
    async def list_channels(self, resources: NamedDependency[Resources]) -> ChannelList:
        """Every channel that has messages in the lake or a row in PostgreSQL (streamers, clips,
        emote sets), busiest first."""
        return ChannelList(channels=await resources.channels.all())

    @get("/{channel:str}", operation_id="getChannel", summary="One channel")
    async def get_channel(
        self, resources: NamedDependency[Resources], channel: ChannelPath
    ) -> Channel:
        """A channel by broadcaster id or login; 404 when neither is known."""
        return await resources.channels.resolve(channel)

    @get(
        "/{channel:str}/activity", operation_id="getChatActivity", summary="Chat rate"
    )
    async def chat_activity(
        self,
        resources: NamedDependency[Resources],
        channel: ChannelPath,
        interval: IntervalParam = Interval.m1,
        start: StartParam = None,
        end: EndParam = None,
    ) -> ChatActivity:
        """Messages and distinct chatters per bucket (zero-filled), and the detections of the
        range with what became of their clips. Without start/end: the latest 720 buckets of
        the channel's chat."""
        return await channel_series(
            resources, ChatActivity, chat_activity_fields, channel, interval, start, end
        )
