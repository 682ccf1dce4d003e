-- Emote uses of every kind (Twitch, 7TV, BTTV, FFZ, Twitch global by name) per channel in time
-- buckets of 1 s, 5 s, 30 s, 1 min, 5 min and 1 h (UTC, aligned to the epoch): uses, and
-- distinct chatters who used the emote.
with emote_uses as (

    select * from {{ ref('int_emote_uses_unioned') }}

),

bucket_sizes as (

    select * from (
        values ('1s', 1), ('5s', 5), ('30s', 30), ('1m', 60), ('5m', 300), ('1h', 3600)
    ) as bucket_sizes (bucket_size, bucket_seconds)

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
        count(*) as uses,
        count(distinct chatter_id) as users

    from bucketed
    group by
        broadcaster_id, emote_provider, emote_id, bucket_size, bucket_seconds, bucket_start_at

)

select * from final
