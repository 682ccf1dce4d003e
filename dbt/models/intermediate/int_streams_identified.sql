-- One row per stream (broadcast) of a channel: monitor-seen broadcasts (online to offline),
-- imported VODs, and sessions of other chat split at silences longer than
-- var('stream_gap_minutes') (int_stream_messages_assigned says which message goes where).
-- stream_number orders a channel's streams by start, from 1.
with lifecycle_streams as (

    select * from {{ ref('int_lifecycle_streams_paired') }}

),

assigned as (

    select * from {{ ref('int_stream_messages_assigned') }}

),

message_spans as (

    select
        stream_id,
        any_value(broadcaster_id) as broadcaster_id,
        any_value(stream_source) as source,
        min(vod_id) as vod_id,
        min(sent_at) as first_message_at,
        max(sent_at) as last_message_at,
        count(*) as messages

    from assigned
    group by stream_id

),

-- Lifecycle streams appear even without chat; the others exist through their messages.
combined as (

    select
        lifecycle_streams.stream_id,
        lifecycle_streams.broadcaster_id,
        'lifecycle' as source,
        message_spans.vod_id,
        lifecycle_streams.started_at,
        lifecycle_streams.ended_at,
        -- An open stream lasts, so far, to its last event or message.
        coalesce(
            lifecycle_streams.ended_at,
            greatest(lifecycle_streams.last_event_at, message_spans.last_message_at)
        ) as measured_until,
        coalesce(message_spans.messages, 0) as messages

    from lifecycle_streams
    left join message_spans using (stream_id)

    union all

    select
        stream_id,
        broadcaster_id,
        source,
        vod_id,
        first_message_at as started_at,
        last_message_at as ended_at,
        last_message_at as measured_until,
        messages

    from message_spans
    where source <> 'lifecycle'

),

final as (

    select
        stream_id,
        broadcaster_id,
        row_number() over (
            partition by broadcaster_id order by started_at, stream_id
        ) as stream_number,
        source,
        vod_id,
        started_at,
        ended_at,
        ended_at is null as is_open,
        date_diff('millisecond', started_at, measured_until) / 1000 as duration_s,
        messages

    from combined

)

select * from final
