"""Emote usage of a channel: the most used emotes, and one emote's use over time."""

import logging
from typing import Annotated

import psycopg
import pyarrow as pa
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import Parameter
from psycopg_pool import PoolTimeout

from api.controllers.channels import extent
from api.params import ChannelPath, EndParam, Interval, IntervalParam, StartParam, bucket_range
from api.queries.emotes import EMOTE_SET_SCHEMA, emote_usage, top_emotes
from api.resources import Resources
from api.schemas import EmoteCount, EmoteList, EmoteUsage

log = logging.getLogger(__name__)


async def channel_emote_set(resources: NamedDependency[Resources], broadcaster_id: str) -> pa.Table:
    """The channel's third-party emotes; none (Twitch emotes only) while PostgreSQL is down."""
    try:
        return await resources.emote_sets.get(
            lambda: resources.pool.connection(timeout=2.0), broadcaster_id
        )
    except (psycopg.Error, PoolTimeout) as error:
        log.warning("emote set of %s unavailable: %s", broadcaster_id, error)
        return EMOTE_SET_SCHEMA.empty_table()


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
        found = await resources.channels.resolve(channel)
        buckets = bucket_range(start, end, Interval.h1, extent(found))
        emote_set = await channel_emote_set(resources, found.broadcaster_id)
        rows = await top_emotes(resources.lake, found.broadcaster_id, buckets, emote_set, limit)
        return EmoteList(
            broadcaster_id=found.broadcaster_id,
            start=buckets.start,
            end=buckets.end,
            emotes=[EmoteCount(*row) for row in rows],
            emote_set_known=emote_set.num_rows > 0,
        )

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
        found = await resources.channels.resolve(channel)
        buckets = bucket_range(start, end, interval, extent(found))
        emote_set = await channel_emote_set(resources, found.broadcaster_id)
        t, uses = await emote_usage(
            resources.lake, found.broadcaster_id, buckets, emote_set, emote
        )
        return EmoteUsage(
            broadcaster_id=found.broadcaster_id,
            emote=emote,
            interval=interval.value,
            start=buckets.start,
            end=buckets.end,
            t=t,
            uses=uses,
            total=sum(uses),
        )
