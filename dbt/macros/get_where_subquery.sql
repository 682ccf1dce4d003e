{#- Data tests of a model incremental by day look at the days being rebuilt only, when a build
    names them: the other days were tested when they were built and have not changed, and
    testing them again would make every day's build as slow as testing all history. A model
    opts in with `meta={'build_day_column': ...}`; the test's own `where` applies on top. -#}

{% macro duckdb__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set day_column = build_day_column(relation) -%}
    {%- set days = var('days', none) -%}
    {%- set conditions = [] -%}
    {%- if where -%}{%- do conditions.append('(' ~ where ~ ')') -%}{%- endif -%}
    {%- if day_column and days is not none -%}
        {%- do conditions.append(days_condition(day_column, days)) -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ')
                      ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}


{% macro build_day_column(relation) -%}
    {%- if not execute -%}{%- do return(none) -%}{%- endif -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model'
            and node.name == relation.identifier -%}
        {%- do return(node.config.meta.get('build_day_column')) -%}
    {%- endfor -%}
    {%- do return(none) -%}
{%- endmacro %}
