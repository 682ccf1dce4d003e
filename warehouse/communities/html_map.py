"""The interactive map: one self-contained HTML file (the vendored renderer static/
community_map.js and the data inline), so it opens from disk with no network. The data sits
in a JSON script element with `<`, `>` and `&` escaped, so no name can close the element or
become markup; the renderer puts names on the page as text only."""

import html
import json
from pathlib import Path

import polars as pl

RENDERER = Path(__file__).with_name("static") / "community_map.js"
MAX_EDGES = 20_000

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
      content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
<title>{title}</title>
<style>
body {{ margin: 0; font: 14px system-ui, sans-serif; display: flex; height: 100vh; }}
#map {{ flex: 1; display: flex; }}
#map svg {{ flex: 1; background: #fff; cursor: grab; }}
.legend {{ width: 22em; overflow: auto; margin: 0; padding: 1em 1em 1em 2.5em; }}
.swatch {{ display: inline-block; width: 0.9em; height: 0.9em; border-radius: 50%; }}
</style>
</head>
<body>
<div id="map"></div>
<script id="map-data" type="application/json">{data}</script>
<script>{renderer}</script>
</body>
</html>
"""


def map_data(placed: pl.DataFrame, edges: pl.DataFrame, communities: pl.DataFrame) -> dict:
    strongest = edges.sort("weight", descending=True).head(MAX_EDGES)
    return {
        "nodes": placed.select(
            id="broadcaster_id", name="broadcaster_login", community="community",
            chatters="chatters", colour="colour", x=pl.col("x").round(5),
            y=pl.col("y").round(5)).to_dicts(),
        "edges": strongest.select(s="source", t="target", w="weight").to_dicts(),
        "communities": communities.select("community", "channels", "label", "colour")
        .to_dicts(),
    }


def write_html(placed: pl.DataFrame, edges: pl.DataFrame, communities: pl.DataFrame,
               path: Path, title: str) -> None:
    data = json.dumps(map_data(placed, edges, communities), separators=(",", ":"))
    data = data.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    page = PAGE.format(title=html.escape(title), data=data, renderer=RENDERER.read_text())
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(page, encoding="utf-8")
    temporary.replace(path)
