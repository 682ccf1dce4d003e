with source as (

    select * from {{ lake_source('channel_emotes') }}

),

renamed as (

    select
        broadcaster_id,
        provider as emote_provider,
        emote_id,
        emote_name,
        set_id as emote_set_id,
        timezone('UTC', valid_from) as valid_from_at,
        timezone('UTC', valid_to) as valid_to_at

    from source

)

select * from renamed
