"""Editor markers: a VOD's (or a recorded live stream's) detections and clips as a file."""

from enum import Enum
from typing import Annotated

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import Parameter

from api.downloads import TEXT, download_operation
from api.params import ChannelPath, parse_instant
from api.resources import Resources
from api.services.markers import markers_download


class MarkerFormat(str, Enum):
    csv = "csv"
    edl = "edl"
    chapters = "chapters"


FormatParam = Annotated[MarkerFormat, Parameter(
    description="csv (a header row, one marker a row), edl (CMX 3600: DaVinci Resolve, "
                "Premiere) or chapters (YouTube chapter lines from 00:00).")]
FpsParam = Annotated[int, Parameter(ge=1, le=120, description="Timecode frame rate.")]
# text/csv for CSV, text/plain for the EDL and the chapters (warehouse/markers.py FORMATS).
MARKER_DOWNLOAD = download_operation({"text/csv": TEXT, "text/plain": TEXT})
StartHourParam = Annotated[int, Parameter(
    ge=0, le=23, description="EDL timecode hour of the VOD's first frame (Resolve: 1).")]


class MarkerController(Controller):
    tags = ("markers",)

    @get("/v1.0/vods/{vod_id:str}/markers", operation_id="getVodMarkers",
         summary="Markers of an imported VOD", operation_class=MARKER_DOWNLOAD)
    async def vod_markers(
        self,
        resources: NamedDependency[Resources],
        vod_id: Annotated[str, Parameter(description="The VOD's id, as imported.",
                                         min_length=1, max_length=100)],
        format: FormatParam = MarkerFormat.csv,
        fps: FpsParam = 30,
        start_hour: StartHourParam = 0,
    ) -> Response[str]:
        """Every detection and clip of the VOD's channel while it ran, at offsets into it
        (placed by its imported chat). 404 when no chat of the VOD is in the lake."""
        text, media_type, headers = await markers_download(
            resources, format.value, fps, start_hour, vod_id=vod_id)
        return Response(text, media_type=media_type, headers=headers)

    @get("/v1.0/channels/{channel:str}/stream-markers", operation_id="getStreamMarkers",
         summary="Markers of a recorded live stream", operation_class=MARKER_DOWNLOAD)
    async def stream_markers(
        self,
        resources: NamedDependency[Resources],
        channel: ChannelPath,
        started_at: Annotated[str | None, Parameter(
            description="When the stream went online, or any time during it (ISO 8601): the "
                        "latest stream to go online by then (a minute's slack); default: the "
                        "latest stream.",
            schema_extra={"format": "date-time"})] = None,
        format: FormatParam = MarkerFormat.csv,
        fps: FpsParam = 30,
        start_hour: StartHourParam = 0,
    ) -> Response[str]:
        """Detections and clips of a live stream (online to offline in stream_lifecycle), at
        offsets from when it went online. 404 when there is no such stream."""
        text, media_type, headers = await markers_download(
            resources, format.value, fps, start_hour, channel=channel,
            started_at=parse_instant("started_at", started_at))
        return Response(text, media_type=media_type, headers=headers)
