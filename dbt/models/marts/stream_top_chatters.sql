-- The var('participation_top_chatters') chatters with the most messages in each stream (ties
-- go to the smaller chatter id), with their share of the stream's messages.
with stream_chatters as (

    select * from {{ ref('int_stream_chatters_aggregated') }}

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

final as (

    select * from ranked
    where chatter_rank <= {{ var('participation_top_chatters') }}

)

select * from final
