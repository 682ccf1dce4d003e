class RecordError(ValueError):
    """A record does not match its contract; the message names the field and the problem."""
