{#- Incremental builds by UTC day. A build is told which days changed (`--vars '{days: [...]}'`,
    ISO dates, from warehouse/marts_build.py or a Dagster daily partition); an incremental model
    deletes those days and inserts them again from its input, so rerunning a day gives the same
    rows and a day that lost rows (a deletion in the lake) loses them here too. Without `days`
    an incremental model rebuilds every day; a model built for the first time reads everything. -#}

{% macro in_build_days(day_column) -%}
    {%- set days = var('days', none) -%}
    {%- if not is_incremental() or days is none -%}
        true
    {%- elif days | length == 0 -%}
        false
    {%- else -%}
        {{ day_column }} in (
            {%- for day in days -%}
                cast('{{ day | string | replace("'", "") }}' as date){{ ", " if not loop.last }}
            {%- endfor -%}
        )
    {%- endif -%}
{%- endmacro %}


{% macro delete_build_days(day_column) -%}
    {#- The pre-hook of a model incremental by day: its rows of the days being rebuilt go. -#}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ in_build_days(day_column) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
