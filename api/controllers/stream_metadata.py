"""GET /v1.0/channels/{channel}/stream: what the channel's latest stream was about."""

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException

from api.params import ChannelPath
from api.queries.stream_metadata import latest_stream
from api.resources import Resources
from api.schemas import StreamMetadata


class StreamMetadataController(Controller):
    path = "/v1.0/channels/{channel:str}/stream"
    tags = ("channels",)

    @get(operation_id="getLatestStream", summary="The channel's latest stream")
    async def latest(self, resources: NamedDependency[Resources],
                     channel: ChannelPath) -> StreamMetadata:
        """Game, title and language of the channel's newest stream, as the stream monitor's
        polls (or an import's --game/--language/--title) recorded them; 404 when none is
        recorded. The title is the streamer's text: shown as text, never as HTML."""
        found = await resources.channels.resolve(channel)
        async with resources.pool.connection() as conn:
            row = await latest_stream(conn, found.broadcaster_id)
        if row is None:
            raise NotFoundException(f"no stream of {found.broadcaster_id} recorded")
        started_at, last_seen_at, game_name, title, language = row
        return StreamMetadata(found.broadcaster_id, started_at, last_seen_at, game_name, title,
                              language)
