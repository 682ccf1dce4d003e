"""A channel's analytics over a range: resolve the channel, cut the range into buckets, measure.

Every time series endpoint is `channel_series` with its own measure: the measure runs the
queries for one broadcaster and range and returns the response's own fields; `channel_series`
adds the fields they all share (broadcaster, interval, start, end).
"""

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

import psycopg
import pyarrow as pa
from psycopg_pool import PoolTimeout

from api.params import Buckets, Interval, bucket_range
from api.queries.activity import chat_rate
from api.queries.chatters import active_chatters
from api.queries.clips import detections
from api.queries.emotes import EMOTE_SET_SCHEMA, emote_usage, top_emotes
from api.resources import Resources
from api.schemas import (
    ActiveChatters,
    Channel,
    ChatActivity,
    ChatSentiment,
    Detection,
    EmoteCount,
    EmoteList,
    EmoteUsage,
)

log = logging.getLogger(__name__)

Series = TypeVar("Series", ActiveChatters, ChatActivity, ChatSentiment, EmoteUsage)
# (resources, broadcaster id, buckets) -> the response's fields other than the shared ones.
Measure = Callable[[Resources, str, Buckets], Awaitable[dict[str, Any]]]


def extent(channel: Channel) -> tuple[datetime, datetime] | None:
    """The channel's first and last message, the default range of its charts."""
    if channel.first_message_at is None or channel.last_message_at is None:
        return None
    return channel.first_message_at, channel.last_message_at


async def channel_buckets(
    resources: Resources, channel: str, start: str | None, end: str | None, interval: Interval
) -> tuple[Channel, Buckets]:
    """The channel asked for (404 when unknown) and the buckets of the range asked for, or of
    the channel's latest chat when a bound is missing (400 when the range is bad)."""
    found = await resources.channels.resolve(channel)
    return found, bucket_range(start, end, interval, extent(found))


async def channel_series(
    resources: Resources,
    response: type[Series],
    measure: Measure,
    channel: str,
    interval: Interval,
    start: str | None,
    end: str | None,
) -> Series:
    """`response` for `channel` over the buckets of [start, end): what `measure` finds there,
    with the broadcaster id, the interval and the range it covers."""
    found, buckets = await channel_buckets(resources, channel, start, end, interval)
    fields = await measure(resources, found.broadcaster_id, buckets)
    return response(
        broadcaster_id=found.broadcaster_id,
        interval=interval.value,
        start=buckets.start,
        end=buckets.end,
        **fields,
    )


async def chat_activity_fields(
    resources: Resources, broadcaster_id: str, buckets: Buckets
) -> dict[str, Any]:
    """Messages and chatters per bucket, and the detections of the range (ChatActivity)."""
    t, messages, chatters, fresh = await chat_rate(resources.marts, broadcaster_id, buckets)
    async with resources.pool.connection() as conn:
        rows = await detections(conn, broadcaster_id, buckets.start, buckets.end)
    return {
        "t": t,
        "messages": messages,
        "chatters": chatters,
        "detections": [Detection(*row) for row in rows],
        "freshness": fresh,
    }


async def active_chatter_fields(
    resources: Resources, broadcaster_id: str, buckets: Buckets
) -> dict[str, Any]:
    """Active and new chatters per bucket, and distinct chatters of the range (ActiveChatters)."""
    t, active, new, total, fresh = await active_chatters(resources.marts, broadcaster_id,
                                                         buckets)
    return {"t": t, "active": active, "new": new, "distinct_chatters": total,
            "freshness": fresh}


def emote_usage_fields(emote: str) -> Measure:
    """Uses of `emote` per bucket and in all (EmoteUsage)."""

    async def measure(
        resources: Resources, broadcaster_id: str, buckets: Buckets
    ) -> dict[str, Any]:
        emote_set = await channel_emote_set(resources, broadcaster_id)
        t, uses, fresh = await emote_usage(resources.marts, broadcaster_id, buckets, emote_set,
                                           emote)
        return {"emote": emote, "t": t, "uses": uses, "total": sum(uses), "freshness": fresh}

    return measure


async def most_used_emotes(
    resources: Resources, channel: str, start: str | None, end: str | None, limit: int
) -> EmoteList:
    """The channel's `limit` most used emotes in [start, end), by default its latest 30 days
    (720 hours) of chat."""
    found, buckets = await channel_buckets(resources, channel, start, end, Interval.h1)
    emote_set = await channel_emote_set(resources, found.broadcaster_id)
    rows, fresh = await top_emotes(resources.marts, found.broadcaster_id, buckets, emote_set,
                                   limit)
    return EmoteList(
        broadcaster_id=found.broadcaster_id,
        start=buckets.start,
        end=buckets.end,
        emotes=[EmoteCount(*row) for row in rows],
        emote_set_known=emote_set.num_rows > 0,
        freshness=fresh,
    )


async def channel_emote_set(resources: Resources, broadcaster_id: str) -> pa.Table:
    """The channel's third-party emotes; none (Twitch emotes only) while PostgreSQL is down."""
    try:
        return await resources.emote_sets.get(
            lambda: resources.pool.connection(timeout=2.0), broadcaster_id
        )
    except (psycopg.Error, PoolTimeout) as error:
        log.warning("emote set of %s unavailable: %s", broadcaster_id, error)
        return EMOTE_SET_SCHEMA.empty_table()
