-- One row per broadcast the stream monitor saw: an `online` that follows an `offline` (or is
-- the channel's first event) starts a stream, the next `offline` ends it. The monitor
-- re-announces `online` every cycle while it follows a channel, so later onlines inside a
-- stream, and repeated offlines after it, change nothing. An `online` after more than
-- var('stream_gap_minutes') without any event also starts a stream: the monitor had stopped,
-- and the stream before ends at its last event. A stream without its offline yet is open:
-- ended_at is null.
with lifecycle as (

    select * from {{ ref('stg_lake__stream_lifecycle') }}

),

-- The same event stored twice (a re-published cycle) is one event.
events as (

    select distinct broadcaster_id, event_type, occurred_at
    from lifecycle
    where event_type in ('online', 'offline')

),

with_previous as (

    select
        *,
        lag(event_type) over channel_events as previous_event_type,
        lag(occurred_at) over channel_events as previous_occurred_at

    from events
    window channel_events as (
        partition by broadcaster_id order by occurred_at, event_type desc
    )

),

marked as (

    select
        *,
        event_type = 'online'
            and (
                previous_event_type is null
                or previous_event_type = 'offline'
                or occurred_at - previous_occurred_at
                    > to_minutes({{ var('stream_gap_minutes') }})
            ) as is_stream_start

    from with_previous

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

-- A stream followed by another without its offline was cut by the monitor's silence.
closed as (

    select
        broadcaster_id,
        started_at,
        case
            when ended_at is null
                and lead(started_at) over (
                    partition by broadcaster_id order by started_at
                ) is not null
                then last_event_at
            else ended_at
        end as ended_at,
        last_event_at

    from streams

),

final as (

    select
        'lifecycle:' || broadcaster_id || ':' || strftime(started_at, '%Y-%m-%dT%H:%M:%S.%g')
            as stream_id,
        broadcaster_id,
        started_at,
        ended_at,
        last_event_at

    from closed

)

select * from final
