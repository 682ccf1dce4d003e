{#- The lake's Delta tables as relations that exist even before the table is first written. The lake's
    location is lake_uri()'s alone: the sources in models/staging/_staging__sources.yml name the
    datasets and their columns, and are read through lake_source(). -#}

{% macro lake_source(dataset) -%}
    {#- source() is called on every render, so dbt records the dependency while parsing. -#}
    {%- do source('lake', dataset) -%}
    {%- if execute and not lake_has_table(dataset) -%}
        ({{ lake_empty_relation(dataset) }})
    {%- else -%}
        delta_scan('{{ lake_table(dataset) | replace("'", "''") }}'{{ lake_version(dataset) }})
    {%- endif -%}
{%- endmacro %}


{% macro lake_version(dataset) -%}
    {#- `, version => N` when the build pins the table (`--vars '{lake_versions: {dataset: N}}'`):
        every model of one build reads the same commit of each table, whatever the archiver
        commits meanwhile, and the build records what it read. -#}
    {%- set versions = var('lake_versions', {}) -%}
    {%- if dataset in versions -%}
        , version => {{ versions[dataset] | int }}
    {%- endif -%}
{%- endmacro %}


{% macro lake_uri() -%}
    {#- --vars lake_uri, else $CHATLAKE_LAKE_URI, else <$CHATLAKE_STATE_DIR or .chatlake>/lake: the
        default of core/settings.py, relative to the working directory. Dagster passes the
        resolved settings as --vars. -#}
    {{- var('lake_uri', env_var('CHATLAKE_LAKE_URI',
        env_var('CHATLAKE_STATE_DIR', '.chatlake') ~ '/lake')).rstrip('/') -}}
{%- endmacro %}


{% macro lake_table(dataset) -%}
    {{ lake_uri() }}/{{ dataset }}
{%- endmacro %}


{% macro lake_has_table(dataset) -%}
    {#- A Delta table exists once its log has a first commit. -#}
    {%- set pattern = (lake_table(dataset) ~ '/_delta_log/*.json') | replace("'", "''") -%}
    {%- set result = run_query("select count(*) from glob('" ~ pattern ~ "')") -%}
    {{- return(result.columns[0].values()[0] > 0) -}}
{%- endmacro %}


{% macro lake_empty_relation(dataset) -%}
    {#- Zero rows shaped like the dataset, from the column types declared in the sources YAML;
        tests/dbt/test_lake_sources.py holds them equal to warehouse/lake_schema.py's
        Dataset.read_schema. -#}
    {%- set node = graph.sources.values() | selectattr('source_name', 'equalto', 'lake')
        | selectattr('name', 'equalto', dataset) | first -%}
    select
    {%- for column in node.columns.values() %}
        cast(null as {{ column.data_type }}) as {{ adapter.quote(column.name) }}
        {{- "," if not loop.last }}
    {%- endfor %}
    where false
{%- endmacro %}
