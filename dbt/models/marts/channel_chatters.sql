-- Active and new chatters per channel per UTC hour and day. New: the chatter's first message
-- ever in that channel falls in the period.
with periods as (

    select * from {{ ref('int_channel_periods_aggregated') }}

),

final as (

    select
        broadcaster_id,
        grain,
        period_start_at,
        chatters as active_chatters,
        new_chatters,
        chatters - new_chatters as returning_chatters

    from periods

)

select * from final
