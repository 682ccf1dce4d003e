-- Per stream: who chatted and how much. Shares are of the stream's messages written by its
-- top 1 % and top 10 % of chatters by messages (at least one chatter each); come-back counts
-- this stream's chatters active in the channel's next stream, null while there is none.
with streams as (

    select * from {{ ref('int_streams_identified') }}

),

stream_chatters as (

    select * from {{ ref('int_stream_chatters_aggregated') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by stream_id order by messages desc, chatter_id
        ) as chatter_rank,
        count(*) over (partition by stream_id) as stream_chatter_count

    from stream_chatters

),

figures as (

    select
        stream_id,
        count(*) as active_chatters,
        count(*) filter (where is_new_chatter) as new_chatters,
        count(*) filter (where not is_new_chatter) as returning_chatters,
        count(*) filter (where is_regular) as regulars,
        count(*) filter (where is_in_next_stream) as chatters_in_next_stream,
        quantile_cont(messages, 0.5) as p50_messages_per_chatter,
        quantile_cont(messages, 0.9) as p90_messages_per_chatter,
        max(messages) as max_messages_per_chatter,
        sum(messages) filter (where chatter_rank <= ceil(stream_chatter_count * 0.01))
            / sum(messages) as top_1_percent_share,
        sum(messages) filter (where chatter_rank <= ceil(stream_chatter_count * 0.10))
            / sum(messages) as top_10_percent_share

    from ranked
    group by stream_id

),

channel_stream_counts as (

    select broadcaster_id, max(stream_number) as last_stream_number
    from streams
    group by broadcaster_id

),

final as (

    select
        streams.stream_id,
        streams.broadcaster_id,
        streams.stream_number,
        streams.source,
        streams.started_at,
        streams.ended_at,
        streams.duration_s,
        streams.messages,
        coalesce(figures.active_chatters, 0) as active_chatters,
        coalesce(figures.new_chatters, 0) as new_chatters,
        coalesce(figures.returning_chatters, 0) as returning_chatters,
        coalesce(figures.regulars, 0) as regulars,
        figures.p50_messages_per_chatter,
        figures.p90_messages_per_chatter,
        figures.max_messages_per_chatter,
        figures.top_1_percent_share,
        figures.top_10_percent_share,
        case
            when streams.stream_number < channel_stream_counts.last_stream_number
                then coalesce(figures.chatters_in_next_stream, 0)
        end as chatters_in_next_stream

    from streams
    inner join channel_stream_counts using (broadcaster_id)
    left join figures using (stream_id)

)

select * from final
