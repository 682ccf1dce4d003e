-- Shared chatters between every ordered pair of channels (both directions, so a channel's row
-- set is complete on its own), with the Jaccard index |A ∩ B| / |A ∪ B| over all time.
with channel_chatters as (

    select * from {{ ref('int_channel_chatters_aggregated') }}

),

channel_sizes as (

    select broadcaster_id, count(*) as chatters
    from channel_chatters
    group by broadcaster_id

),

shared as (

    select
        channel.broadcaster_id,
        other.broadcaster_id as other_broadcaster_id,
        count(*) as shared_chatters

    from channel_chatters as channel
    inner join channel_chatters as other
        on channel.chatter_id = other.chatter_id
        and channel.broadcaster_id <> other.broadcaster_id
    group by all

),

pairs as (

    select
        channel.broadcaster_id,
        other.broadcaster_id as other_broadcaster_id,
        channel.chatters,
        other.chatters as other_chatters

    from channel_sizes as channel
    inner join channel_sizes as other
        on channel.broadcaster_id <> other.broadcaster_id

),

final as (

    select
        pairs.broadcaster_id,
        pairs.other_broadcaster_id,
        pairs.chatters,
        pairs.other_chatters,
        coalesce(shared.shared_chatters, 0) as shared_chatters,
        coalesce(shared.shared_chatters, 0)
            / (pairs.chatters + pairs.other_chatters - coalesce(shared.shared_chatters, 0))
            as jaccard_index

    from pairs
    left join shared using (broadcaster_id, other_broadcaster_id)

)

select * from final
