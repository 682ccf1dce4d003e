-- Per channel and UTC hour or day: messages, chatters, new chatters (first message ever in that
-- channel) and the most used Twitch emote (ties go to the smaller emote id).
with messages as (

    select * from {{ ref('int_chat_messages_deduplicated') }}

),

channel_chatters as (

    select * from {{ ref('int_channel_chatters_aggregated') }}

),

emote_uses as (

    select * from {{ ref('int_emote_uses_unnested') }}

),

grains as (

    select * from (values ('hour'), ('day')) as grains (grain)

),

message_counts as (

    select
        grains.grain,
        messages.broadcaster_id,
        date_trunc(grains.grain, messages.sent_at) as period_start_at,
        count(*) as messages,
        count(distinct messages.chatter_id) as chatters

    from messages
    cross join grains
    group by all

),

new_chatter_counts as (

    select
        grains.grain,
        channel_chatters.broadcaster_id,
        date_trunc(grains.grain, channel_chatters.first_message_at) as period_start_at,
        count(*) as new_chatters

    from channel_chatters
    cross join grains
    group by all

),

emote_counts as (

    select
        grains.grain,
        emote_uses.broadcaster_id,
        date_trunc(grains.grain, emote_uses.sent_at) as period_start_at,
        emote_uses.emote_id,
        mode(emote_uses.emote_text) as emote_name,
        count(*) as uses

    from emote_uses
    cross join grains
    group by all

),

top_emotes as (

    select * from emote_counts
    qualify row_number() over (
        partition by grain, broadcaster_id, period_start_at
        order by uses desc, emote_id
    ) = 1

),

periods as (

    select
        message_counts.grain,
        message_counts.broadcaster_id,
        message_counts.period_start_at,
        message_counts.messages,
        message_counts.chatters,
        coalesce(new_chatter_counts.new_chatters, 0) as new_chatters,
        top_emotes.emote_id as top_emote_id,
        top_emotes.emote_name as top_emote_name,
        coalesce(top_emotes.uses, 0) as top_emote_uses

    from message_counts
    left join new_chatter_counts
        using (grain, broadcaster_id, period_start_at)
    left join top_emotes
        using (grain, broadcaster_id, period_start_at)

)

select * from periods
