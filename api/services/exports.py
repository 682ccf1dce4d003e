"""Downloads of marts and lake tables: the checks, the errors and the response headers.

Only named marts and lake tables are exported over HTTP, never SQL text: DuckDB's SQL reads
and writes files, which a web client must not reach.
"""

import re
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
    try:
        body = await anyio.to_thread.run_sync(
            start_export, resources.lake.store, resources.marts_path, source, fmt, filters)
    except UnknownSourceError as error:
        raise NotFoundException(detail=str(error)) from None
    except MartsUnavailableError as error:
        raise ServiceUnavailableException(detail=str(error)) from None
    except ExportError as error:
        raise ClientException(detail=str(error)) from None
    return body, MEDIA_TYPES[fmt], attachment(source, EXTENSIONS[fmt])
