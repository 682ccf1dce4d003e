"""Prometheus metrics of the clipper, updated as it works."""

from prometheus_client import Counter, Gauge, Histogram

CLIPS = Counter("chatlake_clipper_clips_total", "Detections finished, by outcome.",
                ["outcome"])  # completed | failed
CLIP_FAILURES = Counter("chatlake_clipper_failures_total", "Failed detections, by reason kind.",
                        ["kind"])  # forbidden | offline | transient | not_visible | too_late ...
CREATE_CALLS = Counter("chatlake_clipper_create_calls_total", "Create Clip calls, by answer.",
                       ["status"])  # 202 | 403 | 404 | 429 | 503 | timeout ...
CLIPS_IN_FLIGHT = Gauge("chatlake_clipper_in_flight", "Detections being clipped now.")
CLIP_SECONDS = Histogram("chatlake_clipper_detection_to_clip_seconds",
                         "From the detection time to the completed clip.",
                         buckets=(15, 20, 25, 30, 40, 60, 90, 120, 300))
CLIPPER_TOKEN_REFRESHES = Counter("chatlake_clipper_token_refreshes_total",
                                  "User token refreshes done (and persisted) by the clipper.")
