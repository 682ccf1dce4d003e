"""Kafka topic names. Keys: broadcaster id on every topic except the dead letters."""

CHAT_MESSAGES = "chat-messages"
STREAM_LIFECYCLE = "stream-lifecycle"
CHAT_WINDOWS = "chat-windows"
DEAD_LETTERS = "chat-dead-letters"

# Partition counts used when chatlake creates the topics itself.
TOPICS: dict[str, int] = {
    CHAT_MESSAGES: 3,
    STREAM_LIFECYCLE: 1,
    CHAT_WINDOWS: 3,
    DEAD_LETTERS: 1,
}
