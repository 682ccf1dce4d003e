"""Channel communities from the marts' chat overlap (docs/communities.md)."""
