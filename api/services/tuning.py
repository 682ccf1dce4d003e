"""The tuning job's results, when it has made its table."""

from api.queries.tuning import find_table, results
from api.resources import Resources
from api.schemas import TuningResults


async def tuning_results(resources: Resources, limit: int) -> TuningResults:
    """Up to `limit` rows, newest first; not available until the tuning job has run."""
    async with resources.pool.connection() as conn:
        table = await find_table(conn)
        if table is None:
            return TuningResults(available=False, table=None, results=[])
        rows = await results(conn, table, limit)
    return TuningResults(available=True, table=table, results=rows)
