-- One row per stream (broadcast): lifecycle, vod or gap (docs/marts.md, "Streams").
with streams as (

    select * from {{ ref('int_streams_identified') }}

)

select * from streams
