-- One row per emote used as a plain word in live chat: 7TV, BTTV and FFZ emotes of the channel's
-- sets while the emote was in the set, and Twitch global emotes by name in messages that carry
-- no emote positions at all (sources without tags: there, nothing else says a word is an emote).
-- A word is a space-separated token matched exactly, case and punctuation included ("KEKW," is
-- no emote), as chat clients render them. Each word counts once: a word at a Twitch emote's
-- position is that Twitch emote (int_emote_uses_unnested), and a word that several sets name goes
-- to the first of twitch_global, 7tv, bttv, ffz.
-- Incremental by day, like the messages it reads (a changed emote set rebuilds everything:
-- warehouse/marts_build.py).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_build_days('sent_on') }}",
) }}

with messages as (

    select * from {{ ref('int_chat_messages_deduplicated') }}
    where {{ in_build_days('sent_on') }}

),

channel_emotes as (

    select * from {{ ref('stg_lake__channel_emotes') }}

),

global_emotes as (

    select * from {{ ref('twitch_global_emotes') }}

),

twitch_emote_uses as (

    select * from {{ ref('int_emote_uses_unnested') }}
    where {{ in_build_days('sent_on') }}

),

words as (

    select
        message_id,
        broadcaster_id,
        chatter_id,
        sent_at,
        sent_on,
        message_text,
        len(emotes) > 0 as has_emote_positions,
        unnest(string_split(message_text, ' ')) as word,
        generate_subscripts(string_split(message_text, ' '), 1) as word_index

    from messages

),

set_emote_words as (

    select
        words.*,
        channel_emotes.emote_provider,
        channel_emotes.emote_id,
        channel_emotes.valid_from_at

    from words
    inner join channel_emotes
        on words.broadcaster_id = channel_emotes.broadcaster_id
        and words.word = channel_emotes.emote_name
        and words.sent_at >= channel_emotes.valid_from_at
        and (channel_emotes.valid_to_at is null or words.sent_at < channel_emotes.valid_to_at)

),

global_emote_words as (

    select
        words.*,
        'twitch_global' as emote_provider,
        -- No id comes with a name-only use: the name is the id.
        global_emotes.emote_name as emote_id,
        cast(null as timestamp) as valid_from_at

    from words
    inner join global_emotes
        on words.word = global_emotes.emote_name
    where not words.has_emote_positions

),

candidates as (

    select * from set_emote_words
    union all by name
    select * from global_emote_words

),

-- Once per word: by provider, then the emote most recently added under that name.
chosen as (

    select * from candidates
    qualify row_number() over (
        partition by message_id, word_index
        order by
            case emote_provider
                when 'twitch_global' then 0 when '7tv' then 1 when 'bttv' then 2 else 3
            end,
            valid_from_at desc,
            emote_id
    ) = 1

),

positioned as (

    select
        *,
        -- The word's first code point: the words before it and one space after each.
        length(array_to_string(string_split(message_text, ' ')[:word_index - 1], ' '))
            + if(word_index > 1, 1, 0) as begin_position

    from chosen

),

emote_uses as (

    select
        positioned.message_id || ':' || positioned.begin_position as emote_use_id,
        positioned.message_id,
        positioned.broadcaster_id,
        positioned.chatter_id,
        positioned.sent_at,
        positioned.sent_on,
        positioned.emote_provider,
        positioned.emote_id,
        positioned.begin_position,
        positioned.begin_position + length(positioned.word) as end_position,
        positioned.word as emote_text

    from positioned
    -- Same id scheme as the Twitch uses: an id taken there is a word at a Twitch position.
    left join twitch_emote_uses
        on twitch_emote_uses.emote_use_id
            = positioned.message_id || ':' || positioned.begin_position
    where twitch_emote_uses.emote_use_id is null

)

select * from emote_uses
