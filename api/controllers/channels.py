"""GET /v1.0/channels and a channel's chat activity with its detections."""

from datetime import datetime

from litestar import Controller, get
from litestar.di import NamedDependency

from api.params import (
    ChannelPath,
    EndParam,
    Interval,
    IntervalParam,
    StartParam,
    bucket_range,
)
from api.queries.activity import chat_rate
from api.queries.clips import detections
from api.resources import Resources
from api.schemas import Channel, ChannelList, ChatActivity, Detection


def extent(channel: Channel) -> tuple[datetime, datetime] | None:
    """The channel's first and last message, the default range of its charts."""
    if channel.first_message_at is None or channel.last_message_at is None:
        return None
    return channel.first_message_at, channel.last_message_at


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
        found = await resources.channels.resolve(channel)
        buckets = bucket_range(start, end, interval, extent(found))
        t, messages, chatters = await chat_rate(resources.lake, found.broadcaster_id, buckets)
        async with resources.pool.connection() as conn:
            rows = await detections(conn, found.broadcaster_id, buckets.start, buckets.end)
        return ChatActivity(
            broadcaster_id=found.broadcaster_id,
            interval=interval.value,
            start=buckets.start,
            end=buckets.end,
            t=t,
            messages=messages,
            chatters=chatters,
            detections=[Detection(*row) for row in rows],
        )
