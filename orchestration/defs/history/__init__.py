"""Past broadcasts' chat into the lake: one dynamic partition per chat file."""
