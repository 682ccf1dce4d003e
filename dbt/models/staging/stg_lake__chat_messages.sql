with source as (

    select * from {{ lake_source('chat_messages') }}

),

renamed as (

    select
        message_id,
        broadcaster_id,
        broadcaster_login,
        -- Wall-clock UTC without a zone, so buckets never depend on a session's time zone.
        timezone('UTC', "timestamp") as sent_at,
        "date" as sent_on,
        -- Chatter identity: the Twitch user id, else the login (logs without tags), else the
        -- display name (a few VOD comments carry nothing else).
        coalesce(user_id, 'login:' || lower(user_name),
            'display:' || lower(user_display_name)) as chatter_id,
        user_id,
        user_name as user_login,
        user_display_name,
        text as message_text,
        source as message_source,
        not coalesce(is_vod_comment, false) as is_live_chat,
        starts_with(text, '!') as is_command,
        coalesce(is_first_message, false) as is_first_message,
        coalesce(is_action, false) as is_action,
        coalesce(metadata.is_subscriber, false) as is_subscriber,
        coalesce(metadata.is_mod, false) as is_mod,
        coalesce(bits, 0) as bits,
        vod_id,
        vod_offset_s,
        reply_parent_message_id,
        source_broadcaster_id,
        coalesce(metadata.emotes, []) as emotes

    from source

)

select * from renamed
