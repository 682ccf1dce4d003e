-- The VOD each live message was imported from, one row per message id, for the messages that
-- came with one (int_chat_messages_deduplicated keeps no vod_id). Incremental by day like that
-- model, so a build reads only the days that changed, not the whole lake.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_build_days('sent_on') }}",
) }}

with messages as (

    select * from {{ ref('stg_lake__chat_messages') }}
    where {{ in_build_days('sent_on') }}

),

message_vods as (

    select
        message_id,
        min(vod_id) as vod_id,
        min(sent_on) as sent_on

    from messages
    where is_live_chat and vod_id is not null
    group by message_id

)

select * from message_vods
