with source as (

    select * from {{ lake_source('stream_lifecycle') }}

),

renamed as (

    select
        event_type,
        broadcaster_id,
        broadcaster_login,
        rank as viewer_rank,
        timezone('UTC', "timestamp") as occurred_at,
        reason

    from source

)

select * from renamed
