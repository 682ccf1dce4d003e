-- Per channel and UTC day: messages, chatters, messages per chatter and the top Twitch emote.
{{ channel_rollups('day') }}
