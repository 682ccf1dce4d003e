"""Channel communities from the chat-overlap graph: overlap edges, Leiden partitions with their
modularity, centrality, labels from what channels stream, tracking across periods, maps and
file outputs (docs/communities.md). Plain functions over polars frames and DuckDB, no per-row
Python on the hot path."""
