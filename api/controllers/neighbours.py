"""GET /v1.0/channels/{channel}/neighbours: the channels whose chatters a channel shares most."""

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import Parameter

from api.params import ChannelPath, OverlapPeriod
from api.queries.neighbours import overlap_neighbours
from api.resources import Resources
from api.schemas import ChannelNeighbour, ChannelNeighbours


class NeighbourController(Controller):
    path = "/v1.0/channels/{channel:str}/neighbours"
    tags = ("communities",)

    @get(operation_id="listChannelNeighbours", summary="Channels sharing this one's chatters")
    async def neighbours(
        self,
        resources: NamedDependency[Resources],
        channel: ChannelPath,
        period: OverlapPeriod = "7d",
        limit: Annotated[int, Parameter(ge=1, le=100, description="Neighbours to list.")] = 10,
    ) -> ChannelNeighbours:
        """The channels sharing the most active chatters with this one in the period (the
        marts' `channel_overlap_periods`): shared count, Jaccard, overlap coefficient and the
        share of this channel's chatters also chatting there."""
        found = await resources.channels.resolve(channel)
        logins = {c.broadcaster_id: c.login for c in await resources.channels.all()}
        rows, fresh = await overlap_neighbours(resources.marts, found.broadcaster_id, period,
                                               limit)
        # A neighbour the directory does not list has opted out: it is not shown.
        shown = [ChannelNeighbour(broadcaster_id=other, login=logins[other], **row)
                 for row in rows if (other := row.pop("other_broadcaster_id")) in logins]
        return ChannelNeighbours(found.broadcaster_id, period, shown, fresh)
