"""GET /v1.0/tuning/runs/{run_id}/videos and .../backtest?video_id=: the backtest plot's data.
The video is a query parameter: ids are the label file's, and may hold a slash."""

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import Parameter

from api.resources import Resources
from api.schemas import TuningVideo, TuningVideoList
from api.services.tuning_videos import tuning_video, tuning_videos

# Printable text only: PostgreSQL refuses a NUL in a string, and no id holds control characters.
PRINTABLE = r"^[^\x00-\x1f\x7f]+$"
RunId = Annotated[str, Parameter(max_length=200, pattern=PRINTABLE,
                                 description="A tuning run's id.")]
VideoId = Annotated[str, Parameter(min_length=1, max_length=200, pattern=PRINTABLE,
                                   description="A labelled video's id.")]


class TuningVideoController(Controller):
    path = "/v1.0/tuning/runs/{run_id:str}"
    tags = ("tuning",)

    @get("/videos", operation_id="listTuningVideos", summary="A tuning run's labelled videos")
    async def list_videos(self, resources: NamedDependency[Resources],
                          run_id: RunId) -> TuningVideoList:
        """The run's labelled videos with how many labels each has and how often the run's
        chosen parameter set fired on it; 404 when the run stored none."""
        return await tuning_videos(resources, run_id)

    @get("/backtest", operation_id="getTuningVideo", summary="A backtest on one video")
    async def video(self, resources: NamedDependency[Resources], run_id: RunId,
                    video_id: VideoId) -> TuningVideo:
        """The chat rate per window, the labelled intervals and the chosen set's detections on
        one video, for a backtest plot; 404 when the run has no such video."""
        return await tuning_video(resources, run_id, video_id)
