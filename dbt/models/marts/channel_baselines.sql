-- What a normal 5-second window looks like per channel: the median and 95th percentile of
-- messages per window. From the lake's live chat (commands left out and only windows with chat
-- counted, as the detector does), and from the detector's own windows where there are any
-- (those are as long as the job's window: 2 s with the learned preset, 5 s with the seed).
with messages as (

    select * from {{ ref('int_chat_messages_deduplicated') }}

),

detector_windows as (

    select * from {{ ref('stg_lake__chat_windows') }}

),

chat_windows as (

    select
        broadcaster_id,
        time_bucket(interval 5 second, sent_at, timestamp '1970-01-01') as window_start_at,
        count(*) as messages

    from messages
    where not is_command
    group by all

),

chat_baselines as (

    select
        broadcaster_id,
        count(*) as windows,
        quantile_cont(messages, 0.5) as median_messages_per_window,
        quantile_cont(messages, 0.95) as p95_messages_per_window

    from chat_windows
    group by broadcaster_id

),

detector_baselines as (

    select
        broadcaster_id,
        count(*) as detector_windows,
        quantile_cont(message_count, 0.5) as detector_median_messages_per_window,
        quantile_cont(message_count, 0.95) as detector_p95_messages_per_window

    from detector_windows
    group by broadcaster_id

),

final as (

    select
        broadcaster_id,
        coalesce(chat_baselines.windows, 0) as windows,
        chat_baselines.median_messages_per_window,
        chat_baselines.p95_messages_per_window,
        coalesce(detector_baselines.detector_windows, 0) as detector_windows,
        detector_baselines.detector_median_messages_per_window,
        detector_baselines.detector_p95_messages_per_window

    from chat_baselines
    full outer join detector_baselines using (broadcaster_id)

)

select * from final
