"""Prometheus metrics of the clipper, updated as it works."""

from prometheus_client import Counter, Gauge, Histogram

CLIPS = Counter("chatlake_clipper_clips_total", "Detections finished, by outcome.",
                ["outcome"])  # completed | failed
FAILURE_KINDS = ("forbidden", "offline", "transient", "not_visible", "too_late", "refused")
CLIP_FAILURES = Counter("chatlake_clipper_failures_total", "Failed detections, by reason kind.",
                        ["kind"])  # forbidden | offline | transient | not_visible | too_late ...
CREATE_CALLS = Counter("chatlake_clipper_create_calls_total", "Create Clip calls, by answer.",
                       ["status"])  # 202 | 403 | 404 | 429 | 503 | timeout ...
CLIPS_IN_FLIGHT = Gauge("chatlake_clipper_in_flight", "Detections being clipped now.")
CLIP_SECONDS = Histogram("chatlake_clipper_detection_to_clip_seconds",
                         "From the detection time to the completed clip.",
                         buckets=(15, 20, 25, 30, 35, 40, 50, 60, 90, 120, 300))
# The three latencies a live system lives by (docs/operations.md). The detection time is the
# end of the window that fired, so the first one is the detector's whole delay: watermark,
# Python step and the JDBC sink's flush.
DETECTION_COMMIT_SECONDS = Histogram(
    "chatlake_detection_commit_seconds",
    "From the end of the window that fired to the detection's row committed in PostgreSQL.",
    buckets=(0.5, 1, 2, 3, 4, 5, 6, 7, 8, 10, 15, 20, 30, 60, 120))
CREATE_CALL_SECONDS = Histogram(
    "chatlake_clipper_detection_to_create_seconds",
    "From the detection time to the first Create Clip call (the configured delay included).",
    buckets=(5, 9, 10, 10.25, 10.5, 11, 11.5, 12, 13, 15, 20, 30, 60))
TOKEN_VALID = Gauge("chatlake_clipper_token_valid",
                    "1 while the clipper's Twitch user token validates.")
TOKEN_EXPIRES = Gauge("chatlake_clipper_token_expires_timestamp_seconds",
                      "When the user token expires (epoch s), as its last validation said.")


def start_series() -> None:
    """Called by a running clipper: its outcome series exist from the start (at 0), so rates
    and dashboards have data before the first clip."""
    for outcome in ("completed", "failed"):
        CLIPS.labels(outcome)
    for kind in FAILURE_KINDS:
        CLIP_FAILURES.labels(kind)
    CREATE_CALLS.labels("202")
CLIPPER_TOKEN_REFRESHES = Counter("chatlake_clipper_token_refreshes_total",
                                  "User token refreshes done (and persisted) by the clipper.")
