-- Shared active chatters per ordered channel pair over the last 1, 7 and 30 UTC days and all
-- time, with Jaccard, overlap coefficient and the directed share (of this channel's chatters,
-- how many also chat in the other). Only pairs that share someone: a self-join on chatter,
-- never a cross join of channels, so it scales with shared chatters, not channels².
-- A chatter is active in a period when their last message there falls in it; periods end at
-- the newest UTC day in the lake. A table, not day-incremental: every build moves the windows.
with channel_chatters as (

    select broadcaster_id, chatter_id, cast(last_message_at as date) as last_day
    from {{ ref('int_channel_chatters_aggregated') }}

),

newest as (

    select max(last_day) as newest_day from channel_chatters

),

periods as (

    select * from (values ('1d', 1), ('7d', 7), ('30d', 30), ('all', null)) as p(period, days)

),

active as (

    select periods.period, channel_chatters.broadcaster_id, channel_chatters.chatter_id
    from channel_chatters
    cross join newest
    inner join periods
        on periods.days is null
        or channel_chatters.last_day > newest.newest_day - periods.days

),

sizes as (

    select period, broadcaster_id, count(*) as chatters
    from active
    group by all

),

shared as (

    select
        channel.period,
        channel.broadcaster_id,
        other.broadcaster_id as other_broadcaster_id,
        count(*) as shared_chatters

    from active as channel
    inner join active as other
        on channel.period = other.period
        and channel.chatter_id = other.chatter_id
        and channel.broadcaster_id <> other.broadcaster_id
    group by all

),

final as (

    select
        shared.period,
        shared.broadcaster_id,
        shared.other_broadcaster_id,
        channel.chatters,
        other.chatters as other_chatters,
        shared.shared_chatters,
        shared.shared_chatters / (channel.chatters + other.chatters - shared.shared_chatters)
            as jaccard_index,
        shared.shared_chatters / least(channel.chatters, other.chatters) as overlap_coefficient,
        shared.shared_chatters / channel.chatters as directed_share

    from shared
    inner join sizes as channel
        on shared.period = channel.period and shared.broadcaster_id = channel.broadcaster_id
    inner join sizes as other
        on shared.period = other.period and shared.other_broadcaster_id = other.broadcaster_id

)

select * from final
