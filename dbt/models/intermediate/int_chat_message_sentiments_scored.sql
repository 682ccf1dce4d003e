-- Every live message's sentiment: score in [-1, 1] and label (-1, 0, 1) from chat_sentiment(),
-- the emote-aware scorer of warehouse/sentiment registered by the dbt plugin (vectorised: DuckDB
-- hands it 2,048 messages at a time). Incremental by day, like the messages it reads.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_build_days('sent_on') }}",
    meta={'build_day_column': 'sent_on'},
) }}

with messages as (

    select * from {{ ref('int_chat_messages_deduplicated') }}
    where {{ in_build_days('sent_on') }}

),

scored as (

    select
        message_id,
        broadcaster_id,
        chatter_id,
        sent_at,
        sent_on,
        chat_sentiment(message_text) as sentiment

    from messages

),

final as (

    select
        message_id,
        broadcaster_id,
        chatter_id,
        sent_at,
        sent_on,
        coalesce(sentiment.score, 0.0) as sentiment_score,
        coalesce(sentiment.label, 0)::tinyint as sentiment_label

    from scored

)

select * from final order by broadcaster_id, sent_at
