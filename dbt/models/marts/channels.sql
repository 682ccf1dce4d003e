-- Every channel the lake knows, from its chat, the detector's windows or the stream monitor.
-- Live chat is counted once per message (the deduplicated messages); VOD comments once per id.
with messages as (

    select * from {{ ref('stg_lake__chat_messages') }}

),

live_chat as (

    select * from {{ ref('int_chat_messages_deduplicated') }}

),

windows as (

    select * from {{ ref('stg_lake__chat_windows') }}

),

lifecycle as (

    select * from {{ ref('stg_lake__stream_lifecycle') }}

),

logins as (

    select broadcaster_id, broadcaster_login, sent_at as seen_at from live_chat
    union all
    select broadcaster_id, broadcaster_login, occurred_at as seen_at from lifecycle

),

latest_logins as (

    select
        broadcaster_id,
        arg_max(broadcaster_login, seen_at) as broadcaster_login

    from logins
    where broadcaster_login is not null
    group by broadcaster_id

),

chat_spans as (

    select
        broadcaster_id,
        min(sent_at) as first_message_at,
        max(sent_at) as last_message_at,
        count(*) as live_messages

    from live_chat
    group by broadcaster_id

),

vod_comment_counts as (

    select broadcaster_id, count(distinct message_id) as vod_comments
    from messages
    where not is_live_chat
    group by broadcaster_id

),

lifecycle_events as (

    select
        broadcaster_id,
        max(occurred_at) filter (where event_type = 'online') as last_online_at,
        max(occurred_at) filter (where event_type = 'offline') as last_offline_at

    from lifecycle
    group by broadcaster_id

),

broadcaster_ids as (

    select broadcaster_id from messages
    union
    select broadcaster_id from windows
    union
    select broadcaster_id from lifecycle

),

final as (

    select
        broadcaster_ids.broadcaster_id,
        latest_logins.broadcaster_login,
        chat_spans.first_message_at,
        chat_spans.last_message_at,
        coalesce(chat_spans.live_messages, 0) as live_messages,
        coalesce(vod_comment_counts.vod_comments, 0) as vod_comments,
        lifecycle_events.last_online_at,
        lifecycle_events.last_offline_at

    from broadcaster_ids
    left join latest_logins using (broadcaster_id)
    left join chat_spans using (broadcaster_id)
    left join vod_comment_counts using (broadcaster_id)
    left join lifecycle_events using (broadcaster_id)

)

select * from final
