"""A stochastic block model of chatters, for tests and the benchmark: channels fall in planted
blocks, each chatter has a home block and chats in a few channels, mostly of that block."""

from dataclasses import dataclass

import numpy as np
import polars as pl


@dataclass(frozen=True)
class PlantedChat:
    pairs: pl.DataFrame  # broadcaster_id, chatter_id: distinct chatter-channel pairs
    blocks: pl.DataFrame  # broadcaster_id, block: the planted community of each channel


def planted_chat(channels: int = 500, blocks: int = 10, chatters: int = 20_000,
                 mean_channels_per_chatter: float = 3.0, p_home: float = 0.9,
                 seed: int = 7) -> PlantedChat:
    """Vectorised: every chatter draws 1 + Poisson(mean - 1) channels; each is from the home
    block with probability p_home, else any channel."""
    rng = np.random.default_rng(seed)
    channel_block = np.arange(channels) % blocks  # blocks of equal size, interleaved ids
    by_block = [np.flatnonzero(channel_block == b) for b in range(blocks)]
    home = rng.integers(0, blocks, chatters)
    counts = 1 + rng.poisson(mean_channels_per_chatter - 1, chatters)
    chatter = np.repeat(np.arange(chatters), counts)
    chatter_home = home[chatter]
    block_size = np.array([len(b) for b in by_block])
    starts = np.concatenate([[0], np.cumsum(block_size)[:-1]])
    ordered = np.concatenate(by_block)
    in_block = ordered[starts[chatter_home]
                       + (rng.random(chatter.size) * block_size[chatter_home]).astype(np.int64)]
    anywhere = rng.integers(0, channels, chatter.size)
    channel = np.where(rng.random(chatter.size) < p_home, in_block, anywhere)
    width = len(str(channels - 1))

    def channel_id(column: pl.Expr) -> pl.Expr:
        return pl.format("c{}", column.cast(pl.String).str.zfill(width))

    pairs = (pl.DataFrame({"channel": channel, "chatter": chatter})
             .unique()
             .select(broadcaster_id=channel_id(pl.col("channel")),
                     chatter_id=pl.format("u{}", pl.col("chatter"))))
    blocks_frame = pl.DataFrame({"channel": np.arange(channels), "block": channel_block})
    return PlantedChat(pairs, blocks_frame.select(channel_id(pl.col("channel"))
                                                  .alias("broadcaster_id"), "block"))
