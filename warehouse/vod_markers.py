"""Which detections and clips belong to a VOD, and where in it: the data behind editor markers.

A VOD is placed in time from the lake: an imported one by its chat (`chat_messages` rows with
its `vod_id`: each row's time minus its `vod_offset_s` is the VOD's start, the median of them
taken so one odd row cannot move it, over live chat when there is any, since comments posted on
the VOD later carry their own posting time; the largest offset is its length), a recorded live
stream by its `online` event in `stream_lifecycle` (the latest by a given time, until the next
`offline`, or its last chat message).
Its markers are the `clips` rows (PostgreSQL; every detection is one, a clip once it has a
`clip_id`) of that channel whose window starts inside it, at `window_start - start`.

The SQL lives here once; the CLI runs it with a psycopg connection, the API with its pool.
Every value is a parameter, never pasted into the SQL.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from warehouse.markers import Marker

# A detection's window may end just after the last chat row of the VOD.
TAIL_SECONDS = 60


class MarkersError(LookupError):
    """No such VOD or stream in the lake."""


@dataclass(frozen=True)
class VodSpan:
    """Where a VOD (or a recorded live stream) sits in time."""

    name: str
    broadcaster_id: str
    broadcaster_login: str | None
    start: datetime
    duration_s: float

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.duration_s + TAIL_SECONDS)

    @property
    def title(self) -> str:
        return f"{self.broadcaster_login or self.broadcaster_id} {self.name}"


_VOD_SQL = """
    select broadcaster_id, any_value(broadcaster_login),
           coalesce(median(epoch_ms("timestamp") / 1000.0 - vod_offset_s)
                        filter (where not coalesce(is_vod_comment, false)),
                    median(epoch_ms("timestamp") / 1000.0 - vod_offset_s)),
           max(vod_offset_s)
    from chat_messages
    where vod_id = $vod_id and vod_offset_s is not null
    group by broadcaster_id
    order by count(*) desc
    limit 1
"""

_ONLINE_SQL = """
    select broadcaster_id, broadcaster_login, "timestamp"
    from stream_lifecycle
    where event_type = 'online' and (broadcaster_id = $channel or broadcaster_login = $channel)
      and ($at is null or "timestamp" <= $at::timestamptz + interval 1 minute)
    order by "timestamp" desc
    limit 1
"""

_STREAM_END_SQL = """
    select coalesce(
        (select min("timestamp") from stream_lifecycle
         where event_type = 'offline' and broadcaster_id = $id and "timestamp" > $start),
        (select max("timestamp") from chat_messages
         where broadcaster_id = $id and "timestamp" >= $start))
"""

# psycopg parameters: %(broadcaster_id)s, %(start)s, %(end)s.
MARKERS_SQL = """
    select coalesce(window_start, window_end) as at, window_start, window_end, detected_at,
           status, clip_id, title, message_count
    from clips
    where broadcaster_id = %(broadcaster_id)s
      and coalesce(window_start, window_end) >= %(start)s
      and coalesce(window_start, window_end) < %(end)s
    order by at, id
"""


def vod_span(con: duckdb.DuckDBPyConnection, vod_id: str) -> VodSpan:
    """The imported VOD `vod_id`, placed by its chat rows in the lake."""
    row = con.execute(_VOD_SQL, {"vod_id": vod_id}).fetchone()
    if row is None:
        raise MarkersError(f"no chat of VOD {vod_id!r} in the lake (import its chat first)")
    broadcaster_id, login, start_s, duration_s = row
    return VodSpan(vod_id, broadcaster_id, login, datetime.fromtimestamp(start_s, UTC),
                   float(duration_s))


def stream_span(con: duckdb.DuckDBPyConnection, channel: str,
                at: datetime | None = None) -> VodSpan:
    """A recorded live stream of `channel` (login or id): the latest to go online by `at` (its
    start or any time during it; a minute's slack for a start time given roughly), or the
    latest of all."""
    row = con.execute(_ONLINE_SQL, {"channel": channel, "at": at}).fetchone()
    if row is None:
        when = f" by {at.isoformat()}" if at else ""
        raise MarkersError(f"no stream of {channel!r} went online{when} (stream_lifecycle)")
    broadcaster_id, login, start = row
    start = start.astimezone(UTC)
    end = con.execute(_STREAM_END_SQL, {"id": broadcaster_id, "start": start}).fetchone()[0]
    duration = (end.astimezone(UTC) - start).total_seconds() if end else 0.0
    return VodSpan(f"stream {start:%Y-%m-%d %H:%M}Z", broadcaster_id, login, start,
                   max(duration, 0.0))


def markers_params(span: VodSpan) -> dict[str, Any]:
    return {"broadcaster_id": span.broadcaster_id, "start": span.start, "end": span.end}


def to_markers(rows: list[tuple], span: VodSpan) -> list[Marker]:
    """Rows of MARKERS_SQL as markers at their offset into the VOD."""
    markers = []
    for at, window_start, window_end, detected_at, status, clip_id, title, count in rows:
        duration = ((window_end - window_start).total_seconds()
                    if window_start and window_end else 0.0)
        spike = f"chat spike: {count} messages" if count is not None else "chat spike"
        markers.append(Marker(
            offset_s=max((at - span.start).total_seconds(), 0.0),
            duration_s=duration,
            kind="clip" if clip_id else "detection",
            name=(title or spike) if clip_id else f"{spike} ({status})",
            status=status,
            message_count=count,
            clip_url=f"https://clips.twitch.tv/{clip_id}" if clip_id else None,
            detected_at=detected_at,
        ))
    return markers


def read_markers(postgres: Any, span: VodSpan) -> list[Marker]:
    """The markers of `span` over a (sync) psycopg connection."""
    rows = postgres.execute(MARKERS_SQL, markers_params(span)).fetchall()
    return to_markers(rows, span)
