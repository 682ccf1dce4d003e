"""chatlake: a batch-plus-stream lakehouse for Twitch chat."""
