-- One row per broadcast the stream monitor saw: an `online` event that follows an `offline`
-- (or is the channel's first event) starts a stream, the next `offline` ends it. The monitor
-- re-announces `online` every cycle while it follows a channel, so later onlines inside a
-- stream, and repeated offlines after it, change nothing. A stream without its offline yet is
-- open: ended_at is null.
with lifecycle as (

    select * from {{ ref('stg_lake__stream_lifecycle') }}

),

-- The same event stored twice (a re-published cycle) is one event.
events as (

    select distinct broadcaster_id, event_type, occurred_at
    from lifecycle
    where event_type in ('online', 'offline')

),

marked as (

    select
        *,
        event_type = 'online'
            and coalesce(
                lag(event_type) over (
                    partition by broadcaster_id order by occurred_at, event_type desc
                ) = 'offline',
                true
            ) as is_stream_start

    from events

),

numbered as (

    select
        *,
        sum(is_stream_start::integer) over (
            partition by broadcaster_id
            order by occurred_at, event_type desc
            rows between unbounded preceding and current row
        ) as lifecycle_stream_number

    from marked

),

streams as (

    select
        broadcaster_id,
        min(occurred_at) filter (where event_type = 'online') as started_at,
        min(occurred_at) filter (where event_type = 'offline') as ended_at,
        max(occurred_at) as last_event_at

    from numbered
    -- Offlines before the channel's first online belong to no stream.
    where lifecycle_stream_number > 0
    group by broadcaster_id, lifecycle_stream_number

),

final as (

    select
        'lifecycle:' || broadcaster_id || ':' || strftime(started_at, '%Y-%m-%dT%H:%M:%S.%g')
            as stream_id,
        broadcaster_id,
        started_at,
        ended_at,
        last_event_at

    from streams

)

select * from final
