"""GET /v1.0/communities: channel communities of one overlap period, from the last build."""

import asyncio
from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import Parameter

from api.params import OverlapPeriod
from api.queries.communities import communities_folder, read_communities, read_layout
from api.resources import Resources
from api.schemas import CommunityLayout, CommunityMap


class CommunitiesController(Controller):
    path = "/v1.0/communities"
    tags = ("communities",)

    @get("/", operation_id="getCommunities", summary="Channel communities")
    async def communities(
        self,
        resources: NamedDependency[Resources],
        period: OverlapPeriod = "7d",
        limit: Annotated[int, Parameter(ge=1, le=10_000,
                                        description="Channels to list (highest PageRank "
                                        "first).")] = 500,
    ) -> CommunityMap:
        """The communities (Leiden over shared chatters) of the period's last build: its
        modularity beside a random partition's, each community's size, label (dominant
        games and languages) and last period's match, and the most central channels."""
        folder = communities_folder(resources.marts_path, period)
        found = None if folder is None else await asyncio.to_thread(
            read_communities, folder, limit)
        if found is None:
            raise NotFoundException(f"no communities built for period {period}; run "
                                    f"`chatlake communities build --period {period}`")
        return msgspec.convert(found, CommunityMap)

    @get("/map", operation_id="getCommunityMap", summary="Channel communities laid out")
    async def layout(
        self,
        resources: NamedDependency[Resources],
        period: OverlapPeriod = "7d",
        edges: Annotated[int, Parameter(ge=0, le=20_000,
                                        description="Strongest edges to include.")] = 2000,
    ) -> CommunityLayout:
        """The period's map as data: every channel placed in [-1, 1]² (communities apart, the
        most central channels in their middle) with its community's colour, the strongest
        edges by weight (indices into the nodes), and the communities' labels."""
        folder = communities_folder(resources.marts_path, period)
        hidden = await resources.optouts.current()
        found = None if folder is None else await asyncio.to_thread(
            read_layout, folder, edges, hidden)
        if found is None:
            raise NotFoundException(f"no community map built for period {period}; run "
                                    f"`chatlake communities build --period {period}`")
        return msgspec.convert({"period": period, **found}, CommunityLayout)
