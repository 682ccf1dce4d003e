{#- The channel rollups at one grain of int_channel_periods_aggregated ('hour' or 'day'):
    messages, chatters, messages per chatter and the top Twitch emote per channel and period,
    the period's start named <grain>_start_at. channel_hourly_rollups and channel_daily_rollups
    are this macro at their grain, so the two marts cannot drift apart. -#}

{% macro channel_rollups(grain) -%}
with periods as (

    select * from {{ ref('int_channel_periods_aggregated') }}

),

final as (

    select
        broadcaster_id,
        period_start_at as {{ grain }}_start_at,
        messages,
        chatters,
        round(messages / chatters, 3) as messages_per_chatter,
        top_emote_id,
        top_emote_name,
        top_emote_uses

    from periods
    where grain = '{{ grain }}'

)

select * from final
{%- endmacro %}
