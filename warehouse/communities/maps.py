"""Both maps of a build, and their layout as JSON for the web UI, from one layout and one
colouring."""

import json
from pathlib import Path

import polars as pl

from warehouse.communities.build import Communities
from warehouse.communities.html_map import map_data, write_html
from warehouse.communities.layout import community_colour, map_positions
from warehouse.communities.png_map import write_png


def write_maps(result: Communities, folder: Path, title: str) -> tuple[Path, Path]:
    placed = map_positions(result.nodes, result.edges, seed=result.settings.seed).with_columns(
        colour=community_colour(pl.col("community")))
    communities = result.communities.with_columns(colour=community_colour(pl.col("community")))
    png, page = folder / "map.png", folder / "map.html"
    write_png(placed, result.edges, communities, png, title)
    write_html(placed, result.edges, communities, page, title)
    # The same layout as data, for the web UI's map (GET /v1.0/communities/map).
    layout = folder / "map.json"
    temporary = layout.with_name(layout.name + ".tmp")
    temporary.write_text(json.dumps(map_data(placed, result.edges, communities),
                                    separators=(",", ":")))
    temporary.replace(layout)
    return png, page
