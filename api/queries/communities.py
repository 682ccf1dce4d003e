"""A communities build as the web UI reads it: the summary and tables that `chatlake
communities build` (or the Dagster asset) wrote under `<marts file's folder>/communities/
<period>/` (docs/communities.md). Files, not SQL: the build renames each into place whole."""

import json
from pathlib import Path

import polars as pl

from warehouse.optouts import OptOutSet

NODE_COLUMNS = ("broadcaster_id", "broadcaster_login", "community", "chatters",
                "weighted_degree", "pagerank", "previous_community")
COMMUNITY_COLUMNS = ("community", "channels", "chatters_summed", "top_channel", "games",
                     "languages", "label", "previous_community", "previous_jaccard")


def communities_folder(marts_path: Path | None, period: str) -> Path | None:
    return None if marts_path is None else marts_path.parent / "communities" / period


def read_communities(folder: Path, channel_limit: int) -> dict | None:
    """Summary, every community, and the `channel_limit` channels of highest PageRank; None
    when that period has not been built."""
    summary_file = folder / "summary.json"
    if not summary_file.is_file():
        return None
    summary = json.loads(summary_file.read_text())
    communities = pl.read_parquet(folder / "communities.parquet", columns=list(COMMUNITY_COLUMNS))
    nodes = (pl.read_parquet(folder / "nodes.parquet", columns=list(NODE_COLUMNS))
             .sort("pagerank", descending=True).head(channel_limit))
    return {"summary": summary, "communities": communities.to_dicts(),
            "channels": nodes.to_dicts()}


def read_layout(folder: Path, max_edges: int, hidden: OptOutSet) -> dict | None:
    """The build's map layout (`map.json`) with at most `max_edges` of its strongest edges and
    without opted-out channels (and their edges); None when the period has no map."""
    layout_file = folder / "map.json"
    if not layout_file.is_file():
        return None
    layout = json.loads(layout_file.read_text())
    nodes = layout["nodes"]
    kept = [i for i, n in enumerate(nodes) if not hidden.drops_channel(n["id"], n.get("name"))]
    index = {old: new for new, old in enumerate(kept)}
    edges = [{"s": index[e["s"]], "t": index[e["t"]], "w": e["w"]} for e in layout["edges"]
             if e["s"] in index and e["t"] in index]
    edges.sort(key=lambda e: -e["w"])
    return {"nodes": [nodes[i] for i in kept], "edges": edges[:max_edges],
            "communities": layout["communities"]}
