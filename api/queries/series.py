"""SQL pieces every lake time series shares: the message filter and the bucket grid.

Times go in as epoch seconds and come out as the epoch second each bucket starts at. The `date`
condition is redundant with the timestamp one but lets DuckDB skip whole partition folders.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from api.params import Buckets

MESSAGES_OF_CHANNEL = """
    select * from chat_messages
    where broadcaster_id = $broadcaster_id
      and timestamp >= to_timestamp($start_s) and timestamp < to_timestamp($end_s)
      and date between $first_day and $last_day
"""

# The bucket a millisecond timestamp falls in, as the epoch second it starts at.
BUCKET_OF_MS = "((({ms}) // ($step_s * 1000)) * $step_s)"

GRID = "range($start_s, $end_s, $step_s) as grid(t)"


def series_params(broadcaster_id: str, buckets: Buckets) -> dict[str, Any]:
    first = datetime.fromtimestamp(buckets.start_s, UTC).date()
    # end is exclusive: a range ending at midnight does not need the next day's folder.
    last = (datetime.fromtimestamp(buckets.end_s, UTC) - timedelta(microseconds=1)).date()
    return {
        "broadcaster_id": broadcaster_id,
        "start_s": buckets.start_s,
        "end_s": buckets.end_s,
        "step_s": buckets.step_s,
        "first_day": first,
        "last_day": last,
    }


def columns(rows: list[tuple], count: int) -> list[list[Any]]:
    """Rows of (t, a, b, ...) as [[t...], [a...], [b...]]."""
    if not rows:
        return [[] for _ in range(count)]
    return [list(column) for column in zip(*rows, strict=True)]
