-- When the detector's row was committed (the JDBC upsert never writes this column, so it keeps
-- the insert's time): window end -> recorded_at is the detector's latency, which the clipper
-- exports as chatlake_detection_commit_seconds. Rows from before this migration stay null.
alter table clips add column recorded_at timestamptz;
alter table clips alter column recorded_at set default clock_timestamp();
