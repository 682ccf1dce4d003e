"""GET /v1.0/channels/{channel}/chatters: active chatters over time."""

from litestar import Controller, get
from litestar.di import NamedDependency

from api.controllers.channels import extent
from api.params import (
    ChannelPath,
    EndParam,
    Interval,
    IntervalParam,
    StartParam,
    bucket_range,
)
from api.queries.chatters import active_chatters
from api.resources import Resources
from api.schemas import ActiveChatters


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
        found = await resources.channels.resolve(channel)
        buckets = bucket_range(start, end, interval, extent(found))
        t, active, new, total = await active_chatters(
            resources.lake, found.broadcaster_id, buckets
        )
        return ActiveChatters(
            broadcaster_id=found.broadcaster_id,
            interval=interval.value,
            start=buckets.start,
            end=buckets.end,
            t=t,
            active=active,
            new=new,
            distinct_chatters=total,
        )
