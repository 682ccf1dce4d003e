-- The most used emotes of every kind per channel and UTC hour, ranked: rank 1 has the most
-- uses; ties go to more distinct users, then to the emote's name and provider, so ranks are
-- stable and never shared. The top `top_emotes_per_period` (var, default 10) are kept.
-- Incremental by day: an hour lies inside one UTC day.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_build_days('hour_on') }}",
) }}

with emote_uses as (

    select * from {{ ref('int_emote_uses_unioned') }}
    where {{ in_build_days('sent_on') }}

),

hourly_counts as (

    select
        broadcaster_id,
        date_trunc('hour', sent_at) as hour_start_at,
        emote_provider,
        emote_id,
        mode(emote_text) as emote_name,
        count(*) as uses,
        count(distinct chatter_id) as users

    from emote_uses
    group by broadcaster_id, hour_start_at, emote_provider, emote_id

),

ranked as (

    select
        broadcaster_id,
        hour_start_at,
        cast(hour_start_at as date) as hour_on,
        row_number() over (
            partition by broadcaster_id, hour_start_at
            order by uses desc, users desc, emote_name, emote_provider, emote_id
        ) as emote_rank,
        emote_provider,
        emote_id,
        emote_name,
        uses,
        users,
        round(uses / sum(uses) over (partition by broadcaster_id, hour_start_at), 4)
            as share_of_emote_uses

    from hourly_counts

),

final as (

    select * from ranked
    where emote_rank <= {{ var('top_emotes_per_period', 10) }}

)

select * from final
