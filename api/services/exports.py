"""Downloads of marts and lake tables: the checks, the errors and the response headers.

Only named marts and lake tables are exported over HTTP, never SQL text: DuckDB's SQL reads
and writes files, which a web client must not reach.
"""

import re
from collections.abc import Iterator
from datetime import datetime

import anyio
from litestar.exceptions import ClientException, NotFoundException, ServiceUnavailableException

from api.queries.exports import start_export
from api.resources import Resources
from warehouse.exports import (
    MEDIA_TYPES,
    ExportError,
    Filters,
    MartsUnavailableError,
    UnknownSourceError,
)

EXTENSIONS = {"csv": "csv", "jsonl": "jsonl", "json": "json", "parquet": "parquet"}
_SAFE_FILENAME = re.compile(r"[^A-Za-z0-9_.-]+")


def attachment(stem: str, extension: str) -> dict[str, str]:
    """A Content-Disposition that saves the body as a file named from `stem` (made safe)."""
    name = _SAFE_FILENAME.sub("_", stem).strip("._") or "export"
    return {"Content-Disposition": f'attachment; filename="{name}.{extension}"'}


async def export_download(resources: Resources, source: str, fmt: str, channel: str | None,
                          start: datetime | None, end: datetime | None):
    """(body chunks, media type, headers) of an export; 404 for an unknown source, 400 for a
    filter it cannot take, 503 while the marts file cannot be opened."""
    filters = Filters(channel, start, end)
    optouts = await resources.optouts.current()
    slots = resources.export_slots
    if not slots.acquire(blocking=False):
        raise ServiceUnavailableException(
            detail="as many exports as the API streams at once are running; retry shortly",
            headers={"Retry-After": "5"})
    try:
        body = await anyio.to_thread.run_sync(
            start_export, resources.lake.store, resources.marts_path, source, fmt, filters,
            optouts)
    except BaseException as error:
        slots.release()
        if isinstance(error, UnknownSourceError):
            raise NotFoundException(detail=str(error)) from None
        if isinstance(error, MartsUnavailableError):
            raise ServiceUnavailableException(detail=str(error),
                                              headers={"Retry-After": "5"}) from None
        if isinstance(error, ExportError):
            raise ClientException(detail=str(error)) from None
        raise
    return _releasing(body, slots), MEDIA_TYPES[fmt], attachment(source, EXTENSIONS[fmt])


def _releasing(body: Iterator[bytes], slots) -> Iterator[bytes]:
    """`body`, giving its slot back when it ends, fails or is dropped by a client gone away."""
    try:
        yield from body
    finally:
        body.close()  # type: ignore[attr-defined]
        slots.release()
