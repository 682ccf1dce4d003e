"""The detector's Python side: the reference (`reference`, the same windows and detections as the
PyFlink job in streaming/), starting that job (`job`), and tuning from history: replay chat
through the detector, score against labelled highlights, search parameters on a training split,
apply the winner.

Modules, in the order data flows through them:
- `labels`: label files (`video_id,start_s,end_s[,split]`, crowd clips with views) -> `LabelSet`
- `chat`: chat files or a lake slice -> messages on each video's own timeline (DuckDB table)
- `windows`: per bucket length, dense window series of every video (computed once, cached)
- `engine`: one parameter set -> detections, vectorised; equal to the contract's `step`
- `signals`: the extra, stream-computable variants (distinct chatters, median/MAD, EWMA)
- `scoring`: detections vs labels -> precision, recall, F1, detections per hour
- `search`: grids, sweeps, selection on train; `report`, `plot`: what the user sees
- `params_file`: the applied parameters, as the detector job reads them
"""
