-- What a tuning run's chosen parameter set does on each labelled video, for the tuning page's
-- backtest plot: the chat rate per window, the labelled intervals and the detections. Counts
-- and times only, never chat text. Written beside tuning_results (detector/store.py).
create table tuning_videos (
    run_id        text not null references tuning_runs (run_id) on delete cascade,
    video_id      text not null,
    split         text,                        -- the label file's split, when it has one
    bucket_s      double precision not null,   -- window width of the rate
    window_end_s  double precision[] not null, -- on the video's timeline
    messages      integer[] not null,          -- per window, same length
    labels        jsonb not null,              -- [[start_s, end_s], ...]
    detections    double precision[] not null, -- window ends where the chosen set fired
    primary key (run_id, video_id)
);
