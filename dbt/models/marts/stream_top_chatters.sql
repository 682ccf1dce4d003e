-- The var('participation_top_chatters') chatters with the most messages in each stream (ties
-- go to the smaller chatter id), with their share of the stream's messages and the latest
-- login and display name they wrote under.
with stream_chatters as (

    select * from {{ ref('int_stream_chatters_aggregated') }}

),

streams as (

    select * from {{ ref('int_streams_identified') }}

),

chatter_names as (

    select * from {{ ref('int_chatter_names_aggregated') }}

),

ranked as (

    select
        stream_id,
        broadcaster_id,
        chatter_id,
        messages,
        messages / sum(messages) over (partition by stream_id) as share_of_messages,
        is_new_chatter,
        is_regular,
        row_number() over (
            partition by stream_id order by messages desc, chatter_id
        ) as chatter_rank

    from stream_chatters

),

top_chatters as (

    select * from ranked
    where chatter_rank <= {{ var('participation_top_chatters') }}

),

-- Names only for the few chatters shown: their latest across days.
names as (

    select
        chatter_id,
        arg_max(chatter_login, last_message_at) filter (where chatter_login is not null)
            as chatter_login,
        arg_max(chatter_display_name, last_message_at)
            filter (where chatter_display_name is not null) as chatter_display_name

    from chatter_names
    where chatter_id in (select chatter_id from top_chatters)
    group by chatter_id

),

final as (

    select
        top_chatters.stream_id,
        top_chatters.broadcaster_id,
        -- The stream's start, so exports can cut by time (--since/--until).
        streams.started_at,
        top_chatters.chatter_rank,
        top_chatters.chatter_id,
        names.chatter_login,
        names.chatter_display_name,
        top_chatters.messages,
        top_chatters.share_of_messages,
        top_chatters.is_new_chatter,
        top_chatters.is_regular

    from top_chatters
    inner join streams using (stream_id)
    left join names using (chatter_id)

)

select * from final
