"""A channel's chat sentiment series: the measure `channel_series` runs for the endpoint."""

from typing import Any

from api.params import Buckets
from api.queries.sentiment import channel_sentiment
from api.resources import Resources


async def chat_sentiment_fields(
    resources: Resources, broadcaster_id: str, buckets: Buckets
) -> dict[str, Any]:
    """Messages by label, mean score and net sentiment per bucket (ChatSentiment)."""
    series, fresh = await channel_sentiment(resources.marts, broadcaster_id, buckets)
    return {**series, "freshness": fresh}
