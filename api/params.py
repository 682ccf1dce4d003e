"""Query parameters the controllers share, and turning them into checked values.

Times are taken as strings and parsed here rather than by the framework, so a bad one gets a
message naming the parameter, the value and the expected form, and so date-only values and
offsets other than Z are accepted as ISO 8601 allows.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Annotated, Literal

from litestar.exceptions import ClientException
from litestar.params import Parameter

# A chart of more points than this is unreadable and slow to send; ask for a coarser interval.
MAX_BUCKETS = 20_000
# The last this-many buckets of a channel's data, when no range is given.
DEFAULT_BUCKETS = 720
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


class Interval(str, Enum):
    """Bucket widths of the time series."""

    s1 = "1s"
    s5 = "5s"
    s30 = "30s"
    m1 = "1m"
    m5 = "5m"
    h1 = "1h"

    @property
    def seconds(self) -> int:
        return INTERVAL_SECONDS[self]


INTERVAL_SECONDS = {
    Interval.s1: 1, Interval.s5: 5, Interval.s30: 30,
    Interval.m1: 60, Interval.m5: 300, Interval.h1: 3600,
}

_TIME_FORMAT = {"format": "date-time"}

StartParam = Annotated[
    str | None,
    Parameter(
        description="Start of the range, inclusive: ISO 8601 date-time (UTC when no offset is "
        "given), e.g. 2024-01-06T16:20:00Z.",
        schema_extra=_TIME_FORMAT,
    ),
]
EndParam = Annotated[
    str | None,
    Parameter(
        description="End of the range, exclusive: ISO 8601 date-time; must be after `start`.",
        schema_extra=_TIME_FORMAT,
    ),
]
IntervalParam = Annotated[
    Interval,
    Parameter(description="Bucket width of the series: 1s, 5s, 30s, 1m, 5m or 1h."),
]


class SentimentInterval(str, Enum):
    """Bucket widths of the sentiment series (the marts' `channel_sentiment` grains)."""

    m1 = "1m"
    h1 = "1h"

    @property
    def interval(self) -> Interval:
        return Interval(self.value)


SentimentIntervalParam = Annotated[
    SentimentInterval,
    Parameter(description="Bucket width of the series: 1m or 1h."),
]
ChannelPath = Annotated[
    str,
    Parameter(description="The channel: its broadcaster id or its login.", max_length=100),
]


def bad_request(message: str) -> ClientException:
    return ClientException(detail=message)


def parse_instant(name: str, value: str | None) -> datetime | None:
    """A timezone-aware UTC datetime from an ISO 8601 string, or a 400 naming the parameter."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        shown = value if len(value) <= 40 else value[:40] + "..."
        raise bad_request(
            f"{name}: {shown!r} is not an ISO 8601 date-time (e.g. 2024-01-06T16:20:00Z)"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if not EARLIEST <= parsed < LATEST:
        # Chat data lives well inside; the bounds keep bucket arithmetic clear of datetime's edges.
        raise bad_request(
            f"{name}: {value!r} is outside {EARLIEST.year}-01-01..{LATEST.year}-01-01"
        )
    return parsed.astimezone(UTC)


def parse_range(start: str | None, end: str | None) -> tuple[datetime | None, datetime | None]:
    first, last = parse_instant("start", start), parse_instant("end", end)
    if first is not None and last is not None and last <= first:
        raise bad_request(
            f"end ({last.isoformat()}) must be after start ({first.isoformat()})"
        )
    return first, last


@dataclass(frozen=True)
class Buckets:
    """A half-open range [start_s, end_s) cut into buckets of `step_s`, aligned to the epoch."""

    start_s: int
    end_s: int
    step_s: int

    @property
    def start(self) -> datetime:
        return datetime.fromtimestamp(self.start_s, UTC)

    @property
    def end(self) -> datetime:
        return datetime.fromtimestamp(self.end_s, UTC)


def bucket_range(
    start: str | None,
    end: str | None,
    interval: Interval,
    extent: tuple[datetime, datetime] | None,
) -> Buckets:
    """The buckets to chart: the range asked for, or the latest DEFAULT_BUCKETS of the channel's
    data (`extent`: its first and last message) when a bound is missing."""
    step = interval.seconds
    first, last = parse_range(start, end)
    if last is None:
        # Just past the last message, so the bucket holding it is included.
        last = extent[1] + timedelta(seconds=1) if extent else datetime.now(UTC)
    if first is None:
        earliest = extent[0] if extent else last - timedelta(seconds=step)
        first = max(earliest, last - timedelta(seconds=step * DEFAULT_BUCKETS))
        if first >= last:
            first = last - timedelta(seconds=step)
    start_s = int(first.timestamp()) // step * step
    end_s = -(-int(last.timestamp() + 0.999999) // step) * step  # round up to a bucket edge
    if end_s <= start_s:
        end_s = start_s + step
    count = (end_s - start_s) // step
    if count > MAX_BUCKETS:
        raise bad_request(
            f"the range holds {count} buckets of {interval.value}; at most {MAX_BUCKETS} are "
            f"allowed: narrow start/end or choose a coarser interval"
        )
    return Buckets(start_s, end_s, step)


OverlapPeriod = Annotated[Literal["1d", "7d", "30d", "all"], Parameter(
    description="Overlap period: the last 1, 7 or 30 UTC days (ending at the newest day in "
    "the marts), or all time.")]
