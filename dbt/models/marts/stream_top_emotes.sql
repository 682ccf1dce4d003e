-- The most used emotes of every kind per stream (broadcast), ranked like top_emotes_hourly:
-- rank 1 has the most uses; ties go to more distinct users, then to the emote's name and
-- provider. The top `top_emotes_per_period` (var, default 10) are kept. A stream can span UTC
-- days, so this is rebuilt whole, like the other stream marts.
with emote_uses as (

    select * from {{ ref('int_emote_uses_unioned') }}

),

stream_messages as (

    select message_id, stream_id from {{ ref('int_stream_messages_assigned') }}

),

stream_counts as (

    select
        stream_messages.stream_id,
        emote_uses.broadcaster_id,
        emote_uses.emote_provider,
        emote_uses.emote_id,
        mode(emote_uses.emote_text) as emote_name,
        count(*) as uses,
        count(distinct emote_uses.chatter_id) as users

    from emote_uses
    inner join stream_messages using (message_id)
    group by all

),

ranked as (

    select
        stream_id,
        broadcaster_id,
        row_number() over (
            partition by stream_id
            order by uses desc, users desc, emote_name, emote_provider, emote_id
        ) as emote_rank,
        emote_provider,
        emote_id,
        emote_name,
        uses,
        users,
        round(uses / sum(uses) over (partition by stream_id), 4) as share_of_emote_uses

    from stream_counts

)

select * from ranked
where emote_rank <= {{ var('top_emotes_per_period', 10) }}
