"""Upkeep of the lake's Delta tables: compaction every hour, vacuum every night."""
