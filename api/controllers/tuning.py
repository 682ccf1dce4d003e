"""GET /v1.0/tuning/results: the tuning job's results, when it has run."""

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import Parameter

from api.resources import Resources
from api.schemas import TuningResults
from api.services.tuning import tuning_results


class TuningController(Controller):
    path = "/v1.0/tuning/results"
    tags = ("tuning",)

    @get(operation_id="listTuningResults", summary="Detector tuning results")
    async def list_results(
        self,
        resources: NamedDependency[Resources],
        limit: Annotated[int, Parameter(ge=1, le=1000, description="Rows to return.")] = 100,
    ) -> TuningResults:
        """Rows of the tuning results table, newest first; `available` is false (and the list
        empty) until the tuning job has created its table."""
        return await tuning_results(resources, limit)
