"""GET /v1.0/channels/{channel}/chatters: active chatters over time."""

from litestar import Controller, get
from litestar.di import NamedDependency

from api.params import ChannelPath, EndParam, Interval, IntervalParam, StartParam
from api.resources import Resources
from api.schemas import ActiveChatters
from api.services.series import active_chatter_fields, channel_series


class ChatterController(Controller):
    path = "/v1.0/channels/{channel:str}/chatters"
    tags = ("channels",)

    @get(operation_id="getActiveChatters", summary="Active chatters over time")
    async def active_chatters(
        self,
        resources: NamedDependency[Resources],
        channel: ChannelPath,
        interval: IntervalParam = Interval.m1,
        start: StartParam = None,
        end: EndParam = None,
    ) -> ActiveChatters:
        """Distinct chatters per bucket (`active`), chatters whose first message of the range
        falls in the bucket (`new`), and distinct chatters over the whole range."""
        return await channel_series(
            resources, ActiveChatters, active_chatter_fields, channel, interval, start, end
        )
