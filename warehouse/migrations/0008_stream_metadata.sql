-- What each broadcast is about, as the stream monitor's Get Streams polls saw it: one row per
-- channel and broadcast start, game/title/language as last seen (they change mid-stream).
-- Community labels (docs/communities.md) read games and languages from here or the events.
create table streams (
    broadcaster_id text not null,
    started_at timestamptz not null,
    game_id text,
    game_name text,
    title text,
    language text,
    first_seen_at timestamptz not null,
    last_seen_at timestamptz not null,
    primary key (broadcaster_id, started_at)
);
create index streams_last_seen_at on streams (last_seen_at);
