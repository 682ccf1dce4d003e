-- Third-party emotes (7TV, BTTV, FFZ) arrive in chat as plain words. Which words are emotes
-- depends on the channel's emote set at that moment, so each row says when the emote was in the
-- set: [valid_from, valid_to), valid_to null while it still is. The API counts a word as an
-- emote only for messages sent inside that range.
create table channel_emotes (
    broadcaster_id  text not null,
    provider        text not null check (provider in ('7tv', 'bttv', 'ffz')),
    emote_id        text not null,
    emote_name      text not null,
    set_id          text,
    valid_from      timestamptz not null,
    valid_to        timestamptz,
    check (valid_to is null or valid_to > valid_from),
    primary key (broadcaster_id, provider, emote_id, valid_from)
);
-- At most one open row per emote, so re-importing a snapshot is idempotent.
create unique index channel_emotes_open
    on channel_emotes (broadcaster_id, provider, emote_id) where valid_to is null;
