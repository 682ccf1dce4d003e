-- How chat feels per channel in 1 min and 1 h buckets (UTC, epoch-aligned): messages by
-- sentiment label, the mean score, and the net sentiment (positive - negative) / messages.
-- Incremental by day: no bucket (1 h at most, epoch-aligned) spans two UTC days.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_build_days('bucket_on') }}",
    meta={'build_day_column': 'bucket_on'},
) }}

with sentiments as (

    select * from {{ ref('int_chat_message_sentiments_scored') }}
    where {{ in_build_days('sent_on') }}

),

bucket_sizes as (

    select * from (values ('1m', 60), ('1h', 3600)) as sizes (bucket_size, bucket_seconds)

),

bucketed as (

    select
        bucket_sizes.bucket_size,
        bucket_sizes.bucket_seconds,
        sentiments.broadcaster_id,
        sentiments.sentiment_score,
        sentiments.sentiment_label,
        time_bucket(to_seconds(bucket_sizes.bucket_seconds), sentiments.sent_at,
            timestamp '1970-01-01') as bucket_start_at

    from sentiments
    cross join bucket_sizes

),

final as (

    select
        broadcaster_id,
        bucket_size,
        bucket_seconds,
        bucket_start_at,
        cast(bucket_start_at as date) as bucket_on,
        count(*) as messages,
        count(*) filter (where sentiment_label = 1) as positive_messages,
        count(*) filter (where sentiment_label = 0) as neutral_messages,
        count(*) filter (where sentiment_label = -1) as negative_messages,
        -- Summed as decimals: exact, so a rebuilt day gives the same bits whatever the order.
        avg(sentiment_score::decimal(18, 9))::double as mean_sentiment_score,
        (count(*) filter (where sentiment_label = 1) - count(*) filter (where sentiment_label = -1))
            / count(*) as net_sentiment

    from bucketed
    group by broadcaster_id, bucket_size, bucket_seconds, bucket_start_at
    -- Rows of one channel and size side by side in time: the API reads ranges of them.
    order by broadcaster_id, bucket_size, bucket_start_at

)

select * from final
