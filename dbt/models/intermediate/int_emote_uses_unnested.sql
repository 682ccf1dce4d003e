-- One row per Twitch emote occurrence in live chat, with the emote's text cut from the message
-- by its code-point positions (begin inclusive, end exclusive). Positions outside the text
-- (seen in real IRC tags) are dropped rather than guessed.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_build_days('sent_on') }}",
) }}

with messages as (

    select * from {{ ref('int_chat_messages_deduplicated') }}
    where {{ in_build_days('sent_on') }}

),

unnested as (

    select
        message_id,
        broadcaster_id,
        chatter_id,
        sent_at,
        sent_on,
        message_text,
        unnest(emotes, recursive := true)

    from messages
    where len(emotes) > 0

),

emote_uses as (

    select
        message_id || ':' || "begin" as emote_use_id,
        message_id,
        broadcaster_id,
        chatter_id,
        sent_at,
        sent_on,
        emote_id,
        "begin" as begin_position,
        "end" as end_position,
        substring(message_text, "begin" + 1, "end" - "begin") as emote_text

    from unnested
    where "begin" >= 0 and "end" > "begin" and "end" <= length(message_text)

)

select * from emote_uses
