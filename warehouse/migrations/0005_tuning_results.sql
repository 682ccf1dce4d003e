-- Detector tuning (chatlake tune, the Dagster tuning asset): one row per parameter set of a
-- sweep, with its pooled figures on the training and held-out splits. The API/UI lists runs
-- and their best rows; docs/tuning.md describes the columns.
create table tuning_runs (
    run_id          text primary key,
    started_at      timestamptz not null default now(),
    source          text not null,            -- what was replayed: lake slice or files
    labels          text not null,            -- label file (and views threshold)
    train_split     text,
    test_split      text,
    parameter_sets  integer not null,
    chosen_rank     integer                   -- rank of the selected row (1 = best train F1)
);

create table tuning_results (
    run_id            text not null references tuning_runs (run_id) on delete cascade,
    rank              integer not null,        -- by train F1, 1 = best
    params            jsonb not null,          -- TuningParams.as_dict(): bucket_s, baseline_s, k,
                                               -- cooldown_s, min_count, max_gap_s, signal, ...
    is_applicable     boolean not null,        -- the running detector can use it as is
    is_chosen         boolean not null default false,
    train_precision   double precision,        -- null: no detections
    train_recall      double precision,
    train_f1          double precision not null,
    train_detections  integer not null,
    train_per_hour    double precision,
    test_precision    double precision,
    test_recall       double precision,
    test_f1           double precision,
    test_detections   integer,
    test_per_hour     double precision,
    primary key (run_id, rank)
);
