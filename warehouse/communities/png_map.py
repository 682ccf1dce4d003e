"""The static map: channels as discs sized by chatters and coloured by community (the palette
of layout.py, solid, so the colours can be counted back from the pixels), the strongest edges
as faint lines beneath, the largest communities' labels in the legend."""

from pathlib import Path

import numpy as np
import polars as pl
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure  # no pyplot: no global backend, no display

MAX_EDGES = 20_000


def write_png(placed: pl.DataFrame, edges: pl.DataFrame, communities: pl.DataFrame,
              path: Path, title: str) -> None:
    """`placed`: nodes with x, y, colour, chatters; `edges`: source, target, weight."""
    figure = Figure(figsize=(12, 12), dpi=100)
    axes = figure.subplots()
    axes.set_axis_off()
    axes.set_title(title)
    if placed.height:
        xy = placed.select("x", "y").to_numpy()
        strongest = edges.sort("weight", descending=True).head(MAX_EDGES)
        if strongest.height:
            s, t = strongest["source"].to_numpy(), strongest["target"].to_numpy()
            weight = strongest["weight"].to_numpy()
            alpha = 0.05 + 0.35 * weight / max(weight.max(), 1e-12)
            lines = LineCollection(np.stack([xy[s], xy[t]], axis=1), linewidths=0.4,
                                   colors=[(0.5, 0.5, 0.5, a) for a in alpha], zorder=1)
            axes.add_collection(lines)
        chatters = placed["chatters"].to_numpy().astype(float)
        size = 6 + 150 * np.sqrt(chatters / max(chatters.max(), 1.0))
        axes.scatter(xy[:, 0], xy[:, 1], s=size, c=placed["colour"].to_list(),
                     linewidths=0, zorder=2)
        for row in communities.head(10).iter_rows(named=True):
            axes.scatter([], [], c=row["colour"], label=_legend(row))
        axes.legend(loc="lower left", fontsize=8, frameon=False)
    axes.set_xlim(-1.1, 1.1)
    axes.set_ylim(-1.1, 1.1)
    axes.set_aspect("equal")
    temporary = path.with_name(path.name + ".tmp.png")
    figure.savefig(temporary, format="png")
    temporary.replace(path)


def _legend(row: dict) -> str:
    label = row.get("label") or row.get("top_channel") or ""
    text = f"{row['community']}: {row['channels']} channels {label}".strip()
    return text.replace("$", r"\$")  # untrusted text: no mathtext
