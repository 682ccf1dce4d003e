"""GET /v1.0/channels/{channel}/live: the channel's chat as server-sent events, from Kafka."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import orjson
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.response import ServerSentEvent, ServerSentEventMessage

from api.live_feed import FeedUnavailableError, follow_channel
from api.params import ChannelPath
from api.resources import Resources


class LiveChatController(Controller):
    path = "/v1.0/channels/{channel:str}/live"
    tags = ("channels",)

    @get(operation_id="followLiveChat", summary="Live chat (server-sent events)")
    async def live(self, resources: NamedDependency[Resources],
                   channel: ChannelPath) -> ServerSentEvent:
        """From now on, each live chat message of the channel as a `message` event whose data is
        JSON (`sent_at` epoch ms, `login`, `display_name`, `text`, `emotes` as names), and a
        comment now and then to keep the connection open. 503 when Kafka cannot be read."""
        found = await resources.channels.resolve(channel)
        if resources.kafka_servers is None:
            raise HTTPException(status_code=503, detail="no Kafka configured for the live feed")
        feed = follow_channel(resources.kafka_servers, found.broadcaster_id, datetime.now(UTC),
                              resources.optouts.current)
        try:
            first = await anext(feed)
        except FeedUnavailableError as error:
            raise HTTPException(status_code=503, detail=str(error)) from None
        return ServerSentEvent(_events(first, feed), headers={"Cache-Control": "no-store"})


async def _events(first: dict | None,
                  feed: AsyncIterator[dict | None]) -> AsyncIterator[ServerSentEventMessage]:
    yield _event(first)
    async for message in feed:
        yield _event(message)


def _event(message: dict | None) -> ServerSentEventMessage:
    if message is None:
        return ServerSentEventMessage(comment="keep-alive", data=None)
    text = message.get("text") or ""
    emotes = [text[e["begin"]:e["end"]] for e in (message.get("metadata") or {}).get("emotes") or []
              if isinstance(e, dict) and 0 <= e.get("begin", -1) < e.get("end", -1) <= len(text)]
    return ServerSentEventMessage(event="message", data=orjson.dumps({
        "sent_at": message["timestamp"], "login": message.get("user_name"),
        "display_name": message.get("user_display_name"), "text": text, "emotes": emotes,
    }).decode())
