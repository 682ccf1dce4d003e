-- Emote uses of every kind (Twitch, 7TV, BTTV, FFZ, Twitch global by name) per channel in time
-- buckets of 1 s, 5 s, 30 s, 1 min, 5 min and 1 h (UTC, aligned to the epoch): uses, and
-- distinct chatters who used the emote.
-- Incremental by day: no bucket (1 h at most, epoch-aligned) spans two UTC days.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_build_days('bucket_on') }}",
    meta={'build_day_column': 'bucket_on'},
) }}

with emote_uses as (

    select * from {{ ref('int_emote_uses_unioned') }}
    where {{ in_build_days('sent_on') }}

),

bucket_sizes as (

    {{ bucket_sizes() }}

),

bucketed as (

    select
        bucket_sizes.bucket_size,
        bucket_sizes.bucket_seconds,
        emote_uses.broadcaster_id,
        emote_uses.emote_provider,
        emote_uses.emote_id,
        emote_uses.emote_text,
        emote_uses.chatter_id,
        time_bucket(to_seconds(bucket_sizes.bucket_seconds), emote_uses.sent_at,
            timestamp '1970-01-01') as bucket_start_at

    from emote_uses
    cross join bucket_sizes

),

final as (

    select
        broadcaster_id,
        emote_provider,
        emote_id,
        mode(emote_text) as emote_name,
        bucket_size,
        bucket_seconds,
        bucket_start_at,
        cast(bucket_start_at as date) as bucket_on,
        count(*) as uses,
        count(distinct chatter_id) as users

    from bucketed
    group by
        broadcaster_id, emote_provider, emote_id, bucket_size, bucket_seconds, bucket_start_at
    -- Rows of one channel and size side by side in time: the API reads ranges of them.
    order by broadcaster_id, bucket_size, bucket_start_at

)

select * from final
