-- The seed tables of DESIGN.md, as they were first specified.
create table streamers (
    broadcaster_id   text primary key,
    streamer_login   text not null,
    allows_clipping  boolean not null default true,
    first_seen_at    timestamptz not null default now(),
    last_seen_at     timestamptz not null default now()
);

create table clips (
    id              bigserial primary key,
    broadcaster_id  text not null references streamers (broadcaster_id),
    clip_id         text unique,
    embed_url       text,
    thumbnail_url   text,
    detected_at     timestamptz not null,
    created_at      timestamptz
);
