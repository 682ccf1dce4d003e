"""`chat_sentiment(text)` in DuckDB: the polars scorer as a vectorised (Arrow) function.

DuckDB hands the function whole vectors of text (2,048 rows), so the marts score messages with
the same code, lexicon and rules as `chatlake sentiment` and the evaluation, with no Python call
per message. Registered on every dbt connection by warehouse/dbt_plugin.py.
"""

import duckdb
import polars as pl
import pyarrow as pa
from duckdb import DuckDBPyConnection, sqltypes

from warehouse.sentiment.scorer import score_messages

FUNCTION_NAME = "chat_sentiment"
RESULT_TYPE = duckdb.struct_type({"score": sqltypes.DOUBLE, "label": sqltypes.TINYINT})


def _score_vector(texts: pa.Array | pa.ChunkedArray) -> pa.StructArray:
    scored = score_messages(pl.Series(pl.from_arrow(texts), dtype=pl.String))
    return pa.StructArray.from_arrays(
        [scored["sentiment_score"].to_arrow(), scored["sentiment_label"].to_arrow()],
        names=["score", "label"],
    )


def register_sentiment_function(conn: DuckDBPyConnection) -> None:
    """`chat_sentiment(text) -> struct(score double, label tinyint)` on this connection."""
    conn.create_function(FUNCTION_NAME, _score_vector, [sqltypes.VARCHAR], RESULT_TYPE,
                         type="arrow", side_effects=False)
