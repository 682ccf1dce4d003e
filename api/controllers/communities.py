"""GET /v1.0/communities: channel communities of one overlap period, from the last build."""

import asyncio
from typing import Annotated, Literal

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import Parameter

from api.queries.communities import communities_folder, read_communities
from api.resources import Resources
from api.schemas import CommunityMap


class CommunitiesController(Controller):
    path = "/v1.0/communities"
    tags = ("communities",)

    @get("/", operation_id="getCommunities", summary="Channel communities")
    async def communities(
        self,
        resources: NamedDependency[Resources],
        period: Annotated[Literal["1d", "7d", "30d", "all"], Parameter(
            description="Overlap period: the last 1, 7 or 30 UTC days, or all time.")] = "7d",
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
