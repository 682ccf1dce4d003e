{#- Folders build into schemas named as configured (staging, intermediate, marts), not the
    default <target schema>_<custom schema>: analysts and the API query marts.<model>. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{- (custom_schema_name or target.schema) | trim -}}
{%- endmacro %}
