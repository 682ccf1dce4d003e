-- Participation over time per channel, one row per stream in order: the stream's figures with
-- the channel's running totals, and averages over its last
-- var('participation_regular_window_streams') streams (this one included).
with participation as (

    select * from {{ ref('stream_participation') }}

),

final as (

    select
        broadcaster_id,
        stream_number,
        stream_id,
        started_at,
        duration_s,
        messages,
        active_chatters,
        new_chatters,
        returning_chatters,
        regulars,
        chatters_in_next_stream,
        chatters_in_next_stream / nullif(active_chatters, 0) as come_back_rate,
        -- Every chatter is new exactly once, so the running sum counts the channel's chatters.
        sum(new_chatters) over running as chatters_so_far,
        avg(active_chatters) over recent as recent_avg_active_chatters,
        avg(messages) over recent as recent_avg_messages

    from participation
    window
        running as (
            partition by broadcaster_id order by stream_number
            rows between unbounded preceding and current row
        ),
        recent as (
            partition by broadcaster_id order by stream_number
            rows between {{ var('participation_regular_window_streams') - 1 }} preceding
                and current row
        )

)

select * from final
