-- Every live message with the stream (broadcast) it belongs to, by time and in this order:
--   1. lifecycle: inside a monitor-seen broadcast, online to offline (int_lifecycle_streams_paired);
--   2. vod: a message of an imported VOD (vod_id) is that VOD's stream, which spans its first to
--      its last live message; a message without vod_id joins the VOD that started last at or
--      before it, if that VOD's span covers it;
--   3. gap: the rest, per channel, cut into sessions wherever chat falls silent for more than
--      var('stream_gap_minutes').
-- Each step is an ASOF join or a window over the messages, never a join of messages with
-- messages, so the cost grows with the messages alone.
with messages as (

    select * from {{ ref('int_chat_messages_deduplicated') }}

),

message_vods as (

    select * from {{ ref('int_chat_message_vods_deduplicated') }}

),

lifecycle_streams as (

    select * from {{ ref('int_lifecycle_streams_paired') }}

),

with_vods as (

    select
        messages.message_id,
        messages.broadcaster_id,
        messages.chatter_id,
        messages.sent_at,
        message_vods.vod_id

    from messages
    left join message_vods using (message_id)

),

-- The channel's latest lifecycle stream started at or before the message (they do not
-- overlap), kept when it had not ended yet.
with_lifecycle as (

    select
        with_vods.*,
        case
            when lifecycle_streams.ended_at is null
                or with_vods.sent_at <= lifecycle_streams.ended_at
                then lifecycle_streams.stream_id
        end as lifecycle_stream_id

    from with_vods
    asof left join lifecycle_streams
        on with_vods.broadcaster_id = lifecycle_streams.broadcaster_id
        and with_vods.sent_at >= lifecycle_streams.started_at

),

vod_spans as (

    select
        broadcaster_id,
        'vod:' || broadcaster_id || ':' || vod_id as stream_id,
        min(sent_at) as started_at,
        max(sent_at) as ended_at

    from with_lifecycle
    where lifecycle_stream_id is null and vod_id is not null
    group by broadcaster_id, vod_id

),

with_vod_span as (

    select
        with_lifecycle.*,
        case
            when with_lifecycle.sent_at <= vod_spans.ended_at then vod_spans.stream_id
        end as covering_vod_stream_id

    from with_lifecycle
    asof left join vod_spans
        on with_lifecycle.broadcaster_id = vod_spans.broadcaster_id
        and with_lifecycle.sent_at >= vod_spans.started_at

),

placed as (

    select
        message_id,
        broadcaster_id,
        chatter_id,
        sent_at,
        vod_id,
        coalesce(
            lifecycle_stream_id,
            'vod:' || broadcaster_id || ':' || vod_id,
            covering_vod_stream_id
        ) as stream_id,
        case
            when lifecycle_stream_id is not null then 'lifecycle'
            when vod_id is not null or covering_vod_stream_id is not null then 'vod'
            else 'gap'
        end as stream_source

    from with_vod_span

),

-- Messages in no lifecycle stream or VOD: a session starts after a silence longer than the gap.
gap_marked as (

    select
        *,
        coalesce(
            sent_at - lag(sent_at) over (
                partition by broadcaster_id order by sent_at, message_id
            ) > to_minutes({{ var('stream_gap_minutes') }}),
            true
        ) as is_session_start

    from placed
    where stream_source = 'gap'

),

gap_numbered as (

    select
        *,
        sum(is_session_start::integer) over (
            partition by broadcaster_id
            order by sent_at, message_id
            rows between unbounded preceding and current row
        ) as session_number

    from gap_marked

),

in_gap_session as (

    select
        message_id,
        broadcaster_id,
        chatter_id,
        sent_at,
        vod_id,
        'gap:' || broadcaster_id || ':' || strftime(
            min(sent_at) over (partition by broadcaster_id, session_number),
            '%Y-%m-%dT%H:%M:%S.%g'
        ) as stream_id,
        stream_source

    from gap_numbered

),

final as (

    select * from placed where stream_source <> 'gap'
    union all
    select * from in_gap_session

)

select * from final
