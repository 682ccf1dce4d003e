"""A tuning run's chosen set on each labelled video (`tuning_videos`, migration 0009)."""

from psycopg import AsyncConnection


async def run_videos(conn: AsyncConnection, run_id: str) -> list[tuple] | None:
    """(video_id, split, labels, detections) per video of the run, by video id; None when the
    run has no videos stored."""
    cursor = await conn.execute(
        "select video_id, split, jsonb_array_length(labels), cardinality(detections)"
        " from tuning_videos where run_id = %s order by video_id", [run_id])
    rows = await cursor.fetchall()
    return rows or None


async def run_video(conn: AsyncConnection, run_id: str, video_id: str) -> tuple | None:
    """(split, bucket_s, window_end_s, messages, labels, detections) of one video, or None."""
    cursor = await conn.execute(
        "select split, bucket_s, window_end_s, messages, labels, detections"
        " from tuning_videos where run_id = %s and video_id = %s", [run_id, video_id])
    return await cursor.fetchone()
