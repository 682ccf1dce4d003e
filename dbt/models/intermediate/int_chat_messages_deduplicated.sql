-- Live chat only, one row per message id: the lake keeps every copy it was given (the same file
-- imported and also replayed through Kafka lands twice), the marts count each message once.
-- Incremental by day: the copies of a message carry its one timestamp, so they share a day.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_build_days('sent_on') }}",
) }}

with messages as (

    select * from {{ ref('stg_lake__chat_messages') }}
    where {{ in_build_days('sent_on') }}

),

live_chat as (

    select * from messages where is_live_chat

),

deduplicated as (

    select
        message_id,
        broadcaster_id,
        broadcaster_login,
        chatter_id,
        sent_at,
        sent_on,
        message_text,
        is_command,
        emotes

    from live_chat
    qualify row_number() over (partition by message_id order by sent_at, message_source) = 1

)

-- A channel's messages side by side in time: the API reads ranges of them.
select * from deduplicated order by broadcaster_id, sent_at
