-- Per channel and UTC hour: messages, chatters, messages per chatter and the top Twitch emote.
{{ channel_rollups('hour') }}
