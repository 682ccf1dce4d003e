{#- The bucket sizes of every time-bucketed mart, and of the API's `interval` (api/params.py). -#}
{% macro bucket_sizes() -%}
    select * from (
        values ('1s', 1), ('5s', 5), ('30s', 30), ('1m', 60), ('5m', 300), ('1h', 3600)
    ) as bucket_sizes (bucket_size, bucket_seconds)
{%- endmacro %}
