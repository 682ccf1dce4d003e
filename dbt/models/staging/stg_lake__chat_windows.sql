with source as (

    select * from {{ lake_source('chat_windows') }}

),

renamed as (

    select
        broadcaster_id,
        timezone('UTC', window_start) as window_start_at,
        timezone('UTC', window_end) as window_end_at,
        message_count,
        chatter_count

    from source

)

select * from renamed
