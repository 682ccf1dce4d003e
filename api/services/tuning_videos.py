"""The backtest plot's data: a tuning run's chosen set on one labelled video."""

from litestar.exceptions import NotFoundException

from api.queries.tuning import table_exists
from api.queries.tuning_videos import run_video, run_videos
from api.resources import Resources
from api.schemas import TuningVideo, TuningVideoList, TuningVideoSummary


async def tuning_videos(resources: Resources, run_id: str) -> TuningVideoList:
    async with resources.pool.connection() as conn:
        stored = await table_exists(conn, "tuning_videos")
        rows = await run_videos(conn, run_id) if stored else None
    if rows is None:
        raise NotFoundException(f"tuning run {run_id!r} has no videos stored")
    return TuningVideoList(run_id=run_id, videos=[
        TuningVideoSummary(video_id=v, split=s, labels=n_labels, detections=n_detections)
        for v, s, n_labels, n_detections in rows])


async def tuning_video(resources: Resources, run_id: str, video_id: str) -> TuningVideo:
    async with resources.pool.connection() as conn:
        stored = await table_exists(conn, "tuning_videos")
        row = await run_video(conn, run_id, video_id) if stored else None
    if row is None:
        raise NotFoundException(f"tuning run {run_id!r} has no video {video_id!r}")
    split, bucket_s, window_end_s, messages, labels, detections = row
    return TuningVideo(run_id=run_id, video_id=video_id, split=split, bucket_s=bucket_s,
                       window_end_s=window_end_s, messages=messages, labels=labels,
                       detections=detections)
