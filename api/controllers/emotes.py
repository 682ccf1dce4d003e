"""Emote usage of a channel: the most used emotes, and one emote's use over time."""

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import Parameter

from api.params import ChannelPath, EndParam, Interval, IntervalParam, StartParam
from api.resources import Resources
from api.schemas import EmoteList, EmoteUsage
from api.services.series import channel_series, emote_usage_fields, most_used_emotes


class EmoteController(Controller):
    path = "/v1.0/channels/{channel:str}/emotes"
    tags = ("emotes",)

    @get(operation_id="listEmotes", summary="Most used emotes")
    async def list_emotes(
        self,
        resources: NamedDependency[Resources],
        channel: ChannelPath,
        start: StartParam = None,
        end: EndParam = None,
        limit: Annotated[int, Parameter(ge=1, le=500, description="Emotes to list.")] = 50,
    ) -> EmoteList:
        """Emotes by uses in [start, end): Twitch emotes from their positions, third-party
        emotes as words of the channel's emote set. Without a range: the channel's latest
        30 days of chat."""
        return await most_used_emotes(resources, channel, start, end, limit)

    @get("/usage", operation_id="getEmoteUsage", summary="One emote's use over time")
    async def emote_usage(
        self,
        resources: NamedDependency[Resources],
        channel: ChannelPath,
        emote: Annotated[
            str,
            Parameter(description="Emote name as typed in chat, e.g. Kappa.", min_length=1,
                      max_length=100),
        ],
        interval: IntervalParam = Interval.m1,
        start: StartParam = None,
        end: EndParam = None,
    ) -> EmoteUsage:
        """Uses of `emote` per bucket, zero-filled. Without start/end: the latest 720 buckets
        of the channel's chat."""
        return await channel_series(
            resources, EmoteUsage, emote_usage_fields(emote), channel, interval, start, end
        )
