"""The chat ingest service (twitchio 3, EventSub `channel.chat.message` -> Kafka).

Follows `stream-lifecycle`, keeps one chat subscription per online channel (at most
`ingest_max_channels`, 95), maps each notification to a v1 chat record (`mapping`),
publishes it keyed by broadcaster id, sends what cannot be parsed to the dead-letter topic,
and stops gracefully. Run it with `uv run chatlake ingest`; with `--shard` it is one of
several (one per Twitch account) and reads the channels the monitor assigned to it.
"""

from ingest.chat_ingest.service import ChatIngestService, IngestConfig, IngestStartupError

__all__ = ["ChatIngestService", "IngestConfig", "IngestStartupError"]
