-- Users and channels who asked not to be kept (issue 18). A subject is known by its Twitch id,
-- its login, or both: sources without ids (IRC logs) carry only the login, so both are matched.
create table optouts (
    id             bigserial primary key,
    kind           text not null check (kind in ('user', 'channel')),
    subject_id     text,
    subject_login  text check (subject_login = lower(subject_login)),
    reason         text,
    created_at     timestamptz not null default now(),
    check (subject_id is not null or subject_login is not null)
);
create unique index optouts_by_id on optouts (kind, subject_id) where subject_id is not null;
create unique index optouts_by_login on optouts (kind, subject_login)
    where subject_login is not null;

-- Every opt-out, removal, erasure and retention run: who as an id (the Twitch id, else a hash
-- of the login), when, what, rows removed per table. Never message content, never a login.
create table privacy_audit (
    id             bigserial primary key,
    at             timestamptz not null default now(),
    action         text not null check (action in ('optout_add', 'optout_remove', 'erase',
                                                   'erase_postgres', 'retention')),
    kind           text check (kind in ('user', 'channel')),
    subject        text,
    rows_by_table  jsonb not null default '{}'::jsonb,
    detail         text
);
create index privacy_audit_at on privacy_audit (at desc);
