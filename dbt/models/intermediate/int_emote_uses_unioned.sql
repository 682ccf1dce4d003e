-- Every emote use in live chat, whatever its kind (`emote_provider`): Twitch emotes by their
-- positions (twitch), third-party emotes of the channel's sets (7tv, bttv, ffz) and Twitch
-- global emotes by name where a message has no positions (twitch_global). No word is in twice.
-- Incremental by day, like both inputs.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_build_days('sent_on') }}",
) }}

with twitch_emote_uses as (

    select * from {{ ref('int_emote_uses_unnested') }}
    where {{ in_build_days('sent_on') }}

),

emote_words as (

    select * from {{ ref('int_emote_words_matched') }}
    where {{ in_build_days('sent_on') }}

),

unioned as (

    select
        emote_use_id,
        message_id,
        broadcaster_id,
        chatter_id,
        sent_at,
        sent_on,
        'twitch' as emote_provider,
        emote_id,
        begin_position,
        end_position,
        emote_text

    from twitch_emote_uses

    union all

    select
        emote_use_id,
        message_id,
        broadcaster_id,
        chatter_id,
        sent_at,
        sent_on,
        emote_provider,
        emote_id,
        begin_position,
        end_position,
        emote_text

    from emote_words

)

select * from unioned
