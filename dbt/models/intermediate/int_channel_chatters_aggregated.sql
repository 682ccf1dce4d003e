-- One row per chatter per channel: when they first and last wrote there, and how much.
with messages as (

    select * from {{ ref('int_chat_messages_deduplicated') }}

),

channel_chatters as (

    select
        broadcaster_id,
        chatter_id,
        min(sent_at) as first_message_at,
        max(sent_at) as last_message_at,
        count(*) as messages

    from messages
    group by broadcaster_id, chatter_id

)

select * from channel_chatters
