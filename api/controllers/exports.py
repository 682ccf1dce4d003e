"""GET /v1.0/exports/{source}: a mart or lake table as a CSV, JSON lines, JSON or Parquet file."""

from enum import Enum
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import Parameter
from litestar.response import Stream

from api.downloads import BINARY, JSON_ROWS, TEXT, download_operation
from api.params import EndParam, StartParam, parse_range
from api.resources import Resources
from api.services.exports import export_download
from warehouse.exports import MEDIA_TYPES


class ExportFormat(str, Enum):
    csv = "csv"
    jsonl = "jsonl"
    json = "json"
    parquet = "parquet"


class ExportController(Controller):
    path = "/v1.0/exports"
    tags = ("exports",)

    @get("/{source:str}", operation_id="exportTable", summary="Download a mart or lake table",
         operation_class=download_operation({
             MEDIA_TYPES["csv"]: TEXT, MEDIA_TYPES["jsonl"]: TEXT,
             MEDIA_TYPES["json"]: JSON_ROWS, MEDIA_TYPES["parquet"]: BINARY}))
    async def export_table(
        self,
        resources: NamedDependency[Resources],
        source: Annotated[str, Parameter(
            description="A mart (e.g. channel_hourly_rollups) or a lake table (chat_messages, "
                        "chat_windows, stream_lifecycle, dead_letters).",
            min_length=1, max_length=100, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")],
        format: Annotated[ExportFormat, Parameter(
            description="csv, jsonl (one JSON object a line), json (one array) or parquet.")]
            = ExportFormat.csv,
        channel: Annotated[str | None, Parameter(
            description="Only this channel (broadcaster id or login).", max_length=100)] = None,
        start: StartParam = None,
        end: EndParam = None,
    ) -> Stream:
        """The rows of `source` (of `channel`, with its time column in [start, end)), streamed
        as a file download: memory stays bounded whatever its size. 404 for an unknown source,
        400 for a filter it has no column for."""
        first, last = parse_range(start, end)
        body, media_type, headers = await export_download(
            resources, source, format.value, channel, first, last)
        return Stream(body, media_type=media_type, headers=headers)
