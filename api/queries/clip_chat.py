"""The chat around a clip's moment, from the lake: live messages once each, in time order."""

from datetime import UTC, datetime, timedelta

from api.lake import LakeReader

# Enough on either side of the detection window to read what led up to it and what followed.
CONTEXT = timedelta(seconds=30)
MAX_MESSAGES = 500

_SQL = f"""
    select sent_at, user_name, user_display_name, text, user_id from (
        select timezone('UTC', timestamp) as sent_at, user_name, user_display_name, text,
               user_id, timestamp, source, message_id
        from chat_messages
        where broadcaster_id = $broadcaster_id and not coalesce(is_vod_comment, false)
          and date between $first_day and $last_day
          and timezone('UTC', timestamp) >= $start_at and timezone('UTC', timestamp) < $end_at
        qualify row_number() over (partition by message_id order by timestamp, source) = 1
    )
    order by sent_at
    limit {MAX_MESSAGES}
"""


async def chat_around(lake: LakeReader, broadcaster_id: str, window_start: datetime,
                      window_end: datetime) -> list[tuple]:
    """(sent_at, login, display name, text, user id) of the channel's live chat from CONTEXT
    before the window to CONTEXT after it, at most MAX_MESSAGES."""
    # The lake's timestamps are compared as naive UTC.
    start = (window_start - CONTEXT).astimezone(UTC).replace(tzinfo=None)
    end = (window_end + CONTEXT).astimezone(UTC).replace(tzinfo=None)
    return await lake.fetch(_SQL, {
        "broadcaster_id": broadcaster_id, "start_at": start, "end_at": end,
        "first_day": start.date(), "last_day": end.date(),
    })
