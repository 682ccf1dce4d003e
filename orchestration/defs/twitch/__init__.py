"""The Twitch side: the stream monitor asset, its job and its 2-minute schedule."""
