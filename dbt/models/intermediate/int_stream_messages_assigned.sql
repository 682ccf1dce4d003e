-- Every live message with the stream (broadcast) it belongs to, by time and in this order:
--   1. lifecycle: inside a monitor-seen broadcast, online to offline (int_lifecycle_streams_paired);
--   2. vod: a message of an imported VOD (vod_id) is that VOD's stream, which spans its first to
--      its last live message; a message without vod_id joins the VOD that started last at or
--      before it, if that VOD's span covers it;
--   3. gap: the rest, per channel, cut into sessions wherever chat falls silent for more than
--      var('stream_gap_minutes').
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

in_lifecycle as (

    select
        with_vods.*,
        lifecycle_streams.stream_id,
        'lifecycle' as stream_source

    -- The channel's latest stream started at or before the message (lifecycle streams do not
    -- overlap); an ASOF join, not a range join, so the cost grows with messages, not with
    -- messages times streams.
    from with_vods
    asof inner join lifecycle_streams
        on with_vods.broadcaster_id = lifecycle_streams.broadcaster_id
        and with_vods.sent_at >= lifecycle_streams.started_at
    where lifecycle_streams.ended_at is null
        or with_vods.sent_at <= lifecycle_streams.ended_at

),

outside_lifecycle as (

    select * from with_vods
    anti join in_lifecycle using (message_id)

),

vod_spans as (

    select
        broadcaster_id,
        vod_id,
        'vod:' || broadcaster_id || ':' || vod_id as stream_id,
        min(sent_at) as started_at,
        max(sent_at) as ended_at

    from outside_lifecycle
    where vod_id is not null
    group by broadcaster_id, vod_id

),

in_vod_of_their_own as (

    select
        outside_lifecycle.*,
        vod_spans.stream_id,
        'vod' as stream_source

    from outside_lifecycle
    inner join vod_spans using (broadcaster_id, vod_id)

),

in_vod_span as (

    select
        outside_lifecycle.*,
        vod_spans.stream_id,
        'vod' as stream_source

    from outside_lifecycle
    asof inner join vod_spans
        on outside_lifecycle.broadcaster_id = vod_spans.broadcaster_id
        and outside_lifecycle.sent_at >= vod_spans.started_at
    where outside_lifecycle.vod_id is null
        and outside_lifecycle.sent_at <= vod_spans.ended_at

),

leftover as (

    select * from outside_lifecycle
    anti join in_vod_span using (message_id)
    where outside_lifecycle.vod_id is null

),

gap_marked as (

    select
        *,
        coalesce(
            sent_at - lag(sent_at) over (
                partition by broadcaster_id order by sent_at, message_id
            ) > to_minutes({{ var('stream_gap_minutes') }}),
            true
        ) as is_session_start

    from leftover

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
        'gap' as stream_source

    from gap_numbered

),

assigned as (

    select * from in_lifecycle
    union all by name
    select * from in_vod_of_their_own
    union all by name
    select * from in_vod_span
    union all by name
    select * from in_gap_session

),

final as (

    select
        message_id,
        broadcaster_id,
        chatter_id,
        sent_at,
        vod_id,
        stream_id,
        stream_source

    from assigned

)

select * from final
