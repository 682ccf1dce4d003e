"""Live chat as the marts define it, for the API's series.

Every series reads the published marts build up to a cut, the start of the bucket that holds the
build's newest message: whole buckets before it come from the marts as they are; from the cut
on, rows are counted here, the build's own rows up to its newest message and the lake's newer
rows after it. The lake's rows get the marts' rules (live chat only, one row per message id,
the same chatter identity as dbt/models/staging/stg_lake__chat_messages.sql), so a live chart
is seconds-fresh and still equals the marts once a build picks the rows up
(tests/api/test_marts_agreement.py holds the two equal). Without a build the lake serves all.
"""

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from api.marts import ServedBuild
from api.params import INTERVAL_SECONDS, Buckets
from api.schemas import Freshness

# The chatter of a lake row: user id, else login, else display name.
LAKE_CHATTER_ID = ("coalesce(user_id, 'login:' || lower(user_name),"
                   " 'display:' || lower(user_display_name))")
# Before any message: the lake's rows are all newer than a build that holds none.
_NO_MESSAGE_US = -(2**62)
BUCKET_SIZES = {seconds: interval.value for interval, seconds in INTERVAL_SECONDS.items()}

_LAKE_LIVE_CHAT = f"""
    select message_id, sent_at, chatter_id, text, emotes from (
        select message_id, timezone('UTC', timestamp) as sent_at,
               {LAKE_CHATTER_ID} as chatter_id, text, emotes, timestamp, source
        from chat_messages
        where broadcaster_id = $broadcaster_id and not coalesce(is_vod_comment, false)
          and date between {{first_day}} and $last_day
          and epoch_us(timestamp) > $through_us
          and timezone('UTC', timestamp) >= {{since}} and timezone('UTC', timestamp) < $end_at
        qualify row_number() over (partition by message_id order by timestamp, source) = 1
    )
"""
LAKE_RECENT = _LAKE_LIVE_CHAT.format(first_day="$lake_first_day", since="$cut_at")
# Every lake row newer than the build (all of the channel's chat without one), for first
# messages: whether a chatter is new depends on all their history in the channel.
LAKE_AFTER_BUILD = _LAKE_LIVE_CHAT.format(first_day="$lake_since_day",
                                          since="timestamp '2011-06-01'")

_RECENT_FROM_MARTS = """
    select message_id, sent_at, chatter_id, message_text as text, emotes
    from {catalog}.intermediate.int_chat_messages_deduplicated
    where broadcaster_id = $broadcaster_id and sent_on between $cut_day and $last_day
      and sent_at >= $cut_at and sent_at < $end_at
"""

# The bucket a naive UTC timestamp falls in, as the epoch second it starts at.
BUCKET_OF = "((epoch_ms({at}) // ($step_s * 1000)) * $step_s)"

GRID = "range($start_s, $end_s, $step_s) as grid(t)"


def recent_messages(served: ServedBuild | None) -> str:
    """Live chat of the channel from the cut to the end of the range, one row per message."""
    if served is None:
        return LAKE_RECENT
    return _RECENT_FROM_MARTS.format(catalog=served.catalog) + " union all " + LAKE_RECENT


def window_params(broadcaster_id: str, buckets: Buckets,
                  served: ServedBuild | None) -> dict[str, Any]:
    """The range's bounds, its cut and the days they touch, as SQL parameters."""
    through = served.build.through if served is not None else None
    cut_s = buckets.start_s
    if through is not None:
        newest_bucket = int(through.timestamp()) // buckets.step_s * buckets.step_s
        cut_s = min(max(newest_bucket, buckets.start_s), buckets.end_s)
    cut_at, end_at = _naive(cut_s), _naive(buckets.end_s)
    last_day = (end_at - timedelta(microseconds=1)).date()
    lake_first_day = cut_at.date() if through is None else max(cut_at.date(), through.date())
    return {
        "broadcaster_id": broadcaster_id,
        "start_s": buckets.start_s,
        "end_s": buckets.end_s,
        "step_s": buckets.step_s,
        "start_at": _naive(buckets.start_s),
        "cut_at": cut_at,
        "end_at": end_at,
        "cut_day": cut_at.date(),
        "last_day": max(last_day, cut_at.date()),
        "lake_first_day": lake_first_day,
        "lake_since_day": date(2011, 6, 1) if through is None else through.date(),
        "through_us": through_us(served),
    }


def through_us(served: ServedBuild | None) -> int:
    """The build's newest message in epoch microseconds: the lake's rows after it are newer."""
    through = served.build.through if served is not None else None
    return _NO_MESSAGE_US if through is None else int(through.timestamp() * 1e6)


def bound(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters `sql` names: DuckDB refuses named parameters a statement does not use."""
    named = set(re.findall(r"\$([a-z_]+)", sql))
    return {name: value for name, value in params.items() if name in named}


def bucket_size(buckets: Buckets) -> str:
    return BUCKET_SIZES[buckets.step_s]


def freshness(served: ServedBuild | None) -> Freshness:
    if served is None:
        return Freshness(None, None)
    return Freshness(served.build.built_at, served.build.through)


def columns(rows: list[tuple], count: int) -> list[list[Any]]:
    """Rows of (t, a, b, ...) as [[t...], [a...], [b...]]."""
    if not rows:
        return [[] for _ in range(count)]
    return [list(column) for column in zip(*rows, strict=True)]


def _naive(epoch_s: int) -> datetime:
    return datetime.fromtimestamp(epoch_s, UTC).replace(tzinfo=None)

