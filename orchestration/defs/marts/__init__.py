"""The dbt marts (dbt/, docs/marts.md) as Dagster assets, downstream of the lake's datasets."""
