-- Per channel and UTC hour: messages, chatters, messages per chatter and the top Twitch emote.
with periods as (

    select * from {{ ref('int_channel_periods_aggregated') }}

),

final as (

    select
        broadcaster_id,
        period_start_at as hour_start_at,
        messages,
        chatters,
        round(messages / chatters, 3) as messages_per_chatter,
        top_emote_id,
        top_emote_name,
        top_emote_uses

    from periods
    where grain = 'hour'

)

select * from final
