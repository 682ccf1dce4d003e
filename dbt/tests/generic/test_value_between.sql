{#- Every non-null value of the column lies in [low, high] (a sentiment score in [-1, 1]). -#}
{% test value_between(model, column_name, low, high) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} < {{ low }} or {{ column_name }} > {{ high }}

{% endtest %}
