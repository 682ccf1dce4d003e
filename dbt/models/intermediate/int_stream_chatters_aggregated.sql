-- One row per stream and chatter: how much they wrote there, whether it is their first stream
-- in the channel (new), a regular's stream, and whether they come back the next stream.
-- Regular: active in this stream and in at least var('participation_regular_min_streams') of
-- the channel's last var('participation_regular_window_streams') streams, this one included.
with assigned as (

    select * from {{ ref('int_stream_messages_assigned') }}

),

streams as (

    select * from {{ ref('int_streams_identified') }}

),

stream_chatters as (

    select
        stream_id,
        chatter_id,
        count(*) as messages,
        min(sent_at) as first_message_at

    from assigned
    group by stream_id, chatter_id

),

numbered as (

    select
        streams.broadcaster_id,
        streams.stream_number,
        stream_chatters.*

    from stream_chatters
    inner join streams using (stream_id)

),

flagged as (

    select
        *,
        -- New: the chatter's first message in the channel is in this stream.
        row_number() over (
            partition by broadcaster_id, chatter_id
            order by first_message_at, stream_number
        ) = 1 as is_new_chatter,
        count(*) over (
            partition by broadcaster_id, chatter_id
            order by stream_number
            range between {{ var('participation_regular_window_streams') - 1 }} preceding
                and current row
        ) as streams_in_window,
        coalesce(
            lead(stream_number) over (
                partition by broadcaster_id, chatter_id order by stream_number
            ) = stream_number + 1,
            false
        ) as is_in_next_stream

    from numbered

),

final as (

    select
        stream_id,
        broadcaster_id,
        stream_number,
        chatter_id,
        messages,
        first_message_at,
        is_new_chatter,
        streams_in_window,
        streams_in_window >= {{ var('participation_regular_min_streams') }} as is_regular,
        is_in_next_stream

    from flagged

)

select * from final
