"""Ingest shards: one chat ingest process per Twitch account, channels assigned by the monitor.

Twitch lets one user read the chat of at most 100 channels, so following more of the live top
takes several accounts. Each account runs one shard (`chatlake ingest --shard`); the shard
heartbeats into PostgreSQL and reads the channels assigned to it; the monitor, every cycle,
assigns the followed channels to the live shards (`assign`, pure) and writes that down
(`store`). A shard whose heartbeat is stale or whose token failed loses its channels at the
next cycle. Both sides import this package; neither imports the other.
"""
