"""GET /v1.0/channels/{channel}/sentiment: how chat feels over time."""

from litestar import Controller, get
from litestar.di import NamedDependency

from api.params import (
    ChannelPath,
    EndParam,
    SentimentInterval,
    SentimentIntervalParam,
    StartParam,
)
from api.resources import Resources
from api.schemas import ChatSentiment
from api.services.sentiment import chat_sentiment_fields
from api.services.series import channel_series


class SentimentController(Controller):
    path = "/v1.0/channels/{channel:str}/sentiment"
    tags = ("channels",)

    @get(operation_id="getChatSentiment", summary="Chat sentiment over time")
    async def chat_sentiment(
        self,
        resources: NamedDependency[Resources],
        channel: ChannelPath,
        interval: SentimentIntervalParam = SentimentInterval.m1,
        start: StartParam = None,
        end: EndParam = None,
    ) -> ChatSentiment:
        """Per bucket (zero-filled): live messages by sentiment label, the mean score in
        [-1, 1] and the net sentiment (positive - negative) / messages, from the emote-aware
        scorer in the marts (`channel_sentiment`). As of the published marts build
        (`freshness`); without a build, empty buckets. Without start/end: the latest 720
        buckets of the channel's chat."""
        return await channel_series(
            resources, ChatSentiment, chat_sentiment_fields, channel, interval.interval,
            start, end,
        )
