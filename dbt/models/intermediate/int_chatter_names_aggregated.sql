-- The latest login and display name of each chatter per UTC day, so a mart can name chatters
-- without reading the whole lake. Incremental by day.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_build_days('sent_on') }}",
) }}

with messages as (

    select * from {{ ref('stg_lake__chat_messages') }}
    where {{ in_build_days('sent_on') }}

),

daily_names as (

    select
        sent_on,
        chatter_id,
        arg_max(user_login, sent_at) filter (where user_login is not null) as chatter_login,
        arg_max(user_display_name, sent_at) filter (where user_display_name is not null)
            as chatter_display_name,
        max(sent_at) as last_message_at

    from messages
    group by sent_on, chatter_id

)

select * from daily_names
