-- A clips row starts life as a detection written by the detector (status 'pending') and is
-- completed or failed by the clipper. The detector upserts on (broadcaster_id, window_end), so
-- replays and restarts never add a second row for the same window.
-- Detections also come from replayed files whose channel the monitor never saw, so a clip no
-- longer requires a streamers row.
alter table clips drop constraint clips_broadcaster_id_fkey;
alter table clips
    add column window_start    timestamptz,
    add column window_end      timestamptz,
    add column message_count   integer,
    add column chatter_count   integer,
    add column baseline_mean   double precision,
    add column baseline_std    double precision,
    add column threshold       double precision,
    add column status          text not null default 'pending'
        check (status in ('pending', 'creating', 'created', 'completed', 'failed')),
    add column attempts        integer not null default 0,
    add column failure_reason  text,
    add column edit_url        text,
    add column title           text,
    add column completed_at    timestamptz,
    add column updated_at      timestamptz not null default now();

update clips set window_end = detected_at where window_end is null;
alter table clips alter column window_end set not null;
create unique index clips_broadcaster_window_end on clips (broadcaster_id, window_end);
create index clips_status_detected_at on clips (status, detected_at);
create index clips_created_at on clips (created_at desc);
