-- The stream monitor runs as a Dagster schedule: each tick is a fresh process, so who is
-- followed, since when and how many polls in a row a channel was missing live here.
create table monitor_follows (
    broadcaster_id   text primary key,
    broadcaster_login text not null,
    followed_since   timestamptz not null,
    last_rank        integer,
    last_seen_at     timestamptz not null,
    missed_polls     integer not null default 0,
    join_reason      text not null
);

-- Every join and leave with its reason: what the Dagster metadata and the demo show.
create table monitor_events (
    id               bigserial primary key,
    at               timestamptz not null default now(),
    event_type       text not null check (event_type in ('online', 'offline')),
    broadcaster_id   text not null,
    broadcaster_login text not null,
    rank             integer,
    reason           text not null
);
create index monitor_events_at on monitor_events (at desc);

-- The clipper claims a detection with a lease (so a second clipper skips it and a crashed
-- one's rows come back) and writes `create_requested_at` before it calls Create Clip: on
-- restart a row still 'creating' may already have a clip, found by its title.
alter table clips
    add column claimed_by           text,
    add column lease_until          timestamptz,
    add column create_requested_at  timestamptz;
