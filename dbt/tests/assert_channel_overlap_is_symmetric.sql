-- Every pair appears in both directions with the same shared chatters and Jaccard index.
with overlap as (

    select * from {{ ref('channel_overlap') }}

),

mismatched as (

    select overlap.*
    from overlap
    left join overlap as mirror
        on mirror.broadcaster_id = overlap.other_broadcaster_id
        and mirror.other_broadcaster_id = overlap.broadcaster_id
    where mirror.broadcaster_id is null
        or mirror.shared_chatters <> overlap.shared_chatters
        or mirror.jaccard_index <> overlap.jaccard_index

)

select * from mismatched
