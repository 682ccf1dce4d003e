"""The base every package stands on: settings in sections, Kafka client helpers, atomic files,
the /metrics endpoint. Imports nothing of the project but `chatlake_contracts`."""
