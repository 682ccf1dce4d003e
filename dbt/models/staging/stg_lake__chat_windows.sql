with source as (

    select * from {{ lake_source('chat_windows') }}

),

-- The detector writes windows to Kafka at least once: after a restart from a checkpoint it
-- may send a window again, and the archiver stores both copies. One row per channel window.
deduplicated as (

    select * from source
    qualify row_number() over (
        partition by broadcaster_id, window_start order by message_count desc
    ) = 1

),

renamed as (

    select
        broadcaster_id,
        timezone('UTC', window_start) as window_start_at,
        timezone('UTC', window_end) as window_end_at,
        message_count,
        chatter_count

    from deduplicated

)

select * from renamed
