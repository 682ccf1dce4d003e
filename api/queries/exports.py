"""An export's query, started in a worker thread: the lake's views and the marts file on a
connection of the export's own (warehouse/exports.py builds the SQL, filters as parameters).

Its own connection, not the LakeReader's: the marts file is attached read-only only while an
export runs, so a marts build (one writer per DuckDB file) is kept out no longer than that.
"""

from collections.abc import Iterator
from pathlib import Path

from warehouse.exports import Filters, encode, open_sources, plan, record_batches
from warehouse.lake_store import LakeStore
from warehouse.optouts import NO_OPTOUTS, OptOutSet


def start_export(store: LakeStore, marts: Path | None, source: str, fmt: str,
                 filters: Filters, optouts: OptOutSet = NO_OPTOUTS) -> Iterator[bytes]:
    """Check the request and run its query (raising ExportError before any byte is sent), then
    return the body's chunks; the connection closes when they run out (or the body is
    dropped). Rows of opted-out users and channels are left out."""
    con = open_sources(store, marts)
    try:
        reader = record_batches(con, plan(con, source, fmt, filters, allow_sql=False), optouts)
    except BaseException:
        con.close()
        raise

    def body() -> Iterator[bytes]:
        try:
            for chunk, _ in encode(reader, fmt):
                if chunk:
                    yield chunk
        except ValueError as error:
            # Litestar ends a sync stream quietly on ValueError: make a failure a failure.
            raise RuntimeError(f"export of {source} failed mid-stream: {error}") from error
        finally:
            con.close()

    return body()
