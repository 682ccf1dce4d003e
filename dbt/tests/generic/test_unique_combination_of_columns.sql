{#- The grain of a model: no two rows share these columns (dbt_utils' test, without a package
    download). -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with grouped as (

    select
        {{ combination_of_columns | join(', ') }},
        count(*) as row_count
    from {{ model }}
    group by all

),

duplicated as (

    select * from grouped where row_count > 1

)

select * from duplicated

{% endtest %}
