-- Live chat only, one row per message id: the lake keeps every copy it was given (the same file
-- imported and also replayed through Kafka lands twice), the marts count each message once.
with messages as (

    select * from {{ ref('stg_lake__chat_messages') }}

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
        message_text,
        is_command,
        emotes

    from live_chat
    qualify row_number() over (partition by message_id order by sent_at, message_source) = 1

)

select * from deduplicated
