-- How chat felt per stream (broadcast): messages by sentiment label, the mean score and the net
-- sentiment (positive - negative) / messages. Streams without chat have 0 messages and null
-- scores. A table rebuilt whole, as the streams are.
with streams as (

    select * from {{ ref('int_streams_identified') }}

),

stream_messages as (

    select * from {{ ref('int_stream_messages_assigned') }}

),

sentiments as (

    select * from {{ ref('int_chat_message_sentiments_scored') }}

),

figures as (

    select
        stream_messages.stream_id,
        count(*) as messages,
        count(*) filter (where sentiments.sentiment_label = 1) as positive_messages,
        count(*) filter (where sentiments.sentiment_label = 0) as neutral_messages,
        count(*) filter (where sentiments.sentiment_label = -1) as negative_messages,
        -- Summed as decimals: exact, so a rebuild gives the same bits whatever the order.
        avg(sentiments.sentiment_score::decimal(18, 9))::double as mean_sentiment_score

    from stream_messages
    inner join sentiments using (message_id)
    group by stream_messages.stream_id

),

final as (

    select
        streams.stream_id,
        streams.broadcaster_id,
        streams.started_at,
        coalesce(figures.messages, 0) as messages,
        coalesce(figures.positive_messages, 0) as positive_messages,
        coalesce(figures.neutral_messages, 0) as neutral_messages,
        coalesce(figures.negative_messages, 0) as negative_messages,
        figures.mean_sentiment_score,
        (figures.positive_messages - figures.negative_messages) / figures.messages
            as net_sentiment

    from streams
    left join figures using (stream_id)

)

select * from final order by broadcaster_id, started_at
