"""GET /v1.0/tuning/results: the tuning job's results, when it has run."""

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import Parameter

from api.queries.tuning import find_table, results
from api.resources import Resources
from api.schemas import TuningResults


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
        async with resources.pool.connection() as conn:
            table = await find_table(conn)
            if table is None:
                return TuningResults(available=False, table=None, results=[])
            rows = await results(conn, table, limit)
        return TuningResults(available=True, table=table, results=rows)
