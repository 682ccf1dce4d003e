"""A dbt-duckdb plugin that lets the marts read the lake's Delta tables.

dbt-duckdb would `install delta` from DuckDB's extension repository, which cannot be reached
here; this loads the extension (and httpfs plus the S3 secret for an object-store lake) from
the PyPI packages instead, on every connection dbt opens. Named in dbt/profiles.yml. It also
registers `chat_sentiment(text)` (warehouse/sentiment), which the sentiment models call.
"""

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from warehouse.duckdb_lake import load_lake_extensions
from warehouse.lake_store import LakeStore
from warehouse.sentiment.duckdb_function import register_sentiment_function


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self._store = LakeStore.at(plugin_config["lake_uri"])

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        load_lake_extensions(conn, self._store)
        register_sentiment_function(conn)
