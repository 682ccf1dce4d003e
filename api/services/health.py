"""Readiness: PostgreSQL and the lake, checked at once."""

import asyncio

from api.queries.health import check_lake, check_postgres
from api.resources import Resources
from api.schemas import Health


async def readiness(resources: Resources) -> Health:
    """Each check; the status is "ok" when all pass, else "unavailable"."""
    checks = list(
        await asyncio.gather(check_postgres(resources.pool), check_lake(resources.lake))
    )
    ok = all(check.ok for check in checks)
    return Health(status="ok" if ok else "unavailable", checks=checks)
