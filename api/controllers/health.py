"""GET /health (liveness) and /health/ready (PostgreSQL and the lake answer)."""

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec

from api.resources import Resources
from api.schemas import Health
from api.services.health import readiness


class HealthController(Controller):
    path = "/health"
    tags = ("health",)

    @get(operation_id="getHealth", summary="Liveness")
    async def health(self) -> Health:
        """The process serves requests. Touches nothing else, so it stays cheap."""
        return Health(status="ok")

    @get(
        "/ready",
        operation_id="getReadiness",
        summary="Readiness",
        responses={
            503: ResponseSpec(data_container=Health, description="A dependency is down.")
        },
    )
    async def ready(self, resources: NamedDependency[Resources]) -> Response[Health]:
        """200 when PostgreSQL and the lake both answer a query, else 503 with each check."""
        health = await readiness(resources)
        return Response(health, status_code=200 if health.status == "ok" else 503)
