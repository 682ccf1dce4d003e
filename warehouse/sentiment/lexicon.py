"""The scorer's lexicon: chatlake's Twitch emotes and slang over VADER's general-English words.

One lookup frame per source, built once per process: `emotes` matched case-sensitively,
`words` (our slang first, then VADER's lexicon shipped in the vadersentiment package, MIT)
matched lower-cased.
"""

import functools
from dataclasses import dataclass

import polars as pl
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from warehouse.sentiment.twitch_lexicon import EMOTE_VALENCES, NEGATIONS, SLANG_VALENCES


@dataclass(frozen=True)
class Lexicon:
    emotes: pl.DataFrame  # token (case-sensitive), valence
    words: pl.DataFrame  # word (lower case), valence
    negations: pl.Series


def vader_valences() -> dict[str, float]:
    """VADER's lexicon as the package ships it (word -> mean valence)."""
    return dict(SentimentIntensityAnalyzer().lexicon)


@functools.cache
def load_lexicon() -> Lexicon:
    words = {**vader_valences(), **SLANG_VALENCES}  # ours wins where chat means otherwise
    return Lexicon(
        emotes=pl.DataFrame(
            {"token": list(EMOTE_VALENCES), "valence": list(EMOTE_VALENCES.values())},
            schema={"token": pl.String, "valence": pl.Float64},
        ),
        words=pl.DataFrame(
            {"word": list(words), "valence": list(words.values())},
            schema={"word": pl.String, "valence": pl.Float64},
        ),
        negations=pl.Series("negation", sorted(NEGATIONS), dtype=pl.String),
    )
