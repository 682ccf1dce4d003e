"""Emote-aware sentiment of chat messages, vectorised in polars.

Messages are cut into whitespace tokens (emotes are words in Twitch chat), each distinct token
is looked up once (an emote by its exact name, else the lower-cased word without surrounding
punctuation, else the word with stretched letters squeezed: "LOOOOL" -> "lol"), and the
valences are summed per message the way VADER does it:

- negation: a word up to three tokens after "not"/"dont"/... counts -0.74 times (VADER's
  factor); emotes are not negated ("not bad KEKW" is still laughing);
- caps: an all-caps English word in a message that is not all caps gains 0.733 (VADER's);
- stretched letters ("niiiice") gain a little, like caps;
- exclamation marks (up to four) add 0.292 each in the message's direction (VADER's);
- repetition: every repeat counts, and the sum is squashed into [-1, 1] by s / sqrt(s^2 + 15),
  so "KEKW KEKW KEKW" is more amused than "KEKW" but never past 1.

Unknown tokens are neutral. No per-message Python: one explode, joins and one group-by.
"""

import numpy as np
import polars as pl

from warehouse.sentiment.lexicon import Lexicon, load_lexicon

NEGATION_FACTOR = -0.74
NEGATION_REACH = 3
CAPS_BOOST = 0.733
STRETCH_BOOST = 0.4
EXCLAMATION_BOOST = 0.292
MAX_EXCLAMATIONS = 4
NORMALISATION_ALPHA = 15.0
# A message is positive at compound >= 0.05 and negative at <= -0.05, VADER's own thresholds.
LABEL_THRESHOLD = 0.05

_TRIM = "!?.,;:\"'()[]{}*~-_/\\|@#<>"
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _squeezed(word: pl.Expr, keep: int) -> pl.Expr:
    """Runs of three or more of a letter cut to `keep` (polars' regex has no backreferences)."""
    for letter in _LETTERS:
        word = word.str.replace_all(f"{letter}{{3,}}", letter * keep)
    return word


_STRETCHED = "|".join(f"{letter}{{3}}" for letter in _LETTERS)


def _squeezed_lookup(words: pl.Series, lexicon: Lexicon) -> pl.DataFrame:
    """For unknown words with a letter three times in a row: the valence of the word with the
    runs cut to two letters ("goooood" -> "good"), else to one ("looool" -> "lol"). Only these
    few words pay for the 52 replacements."""
    stretched = pl.DataFrame({"word": words}).filter(pl.col("word").str.contains(_STRETCHED))
    if not stretched.height:
        return pl.DataFrame(schema={"word": pl.String, "as_stretched": pl.Float64})
    table = lexicon.words
    return (
        stretched.with_columns(double=_squeezed(pl.col("word"), 2),
                               single=_squeezed(pl.col("word"), 1))
        .join(table.rename({"word": "double", "valence": "as_double"}), on="double", how="left")
        .join(table.rename({"word": "single", "valence": "as_single"}), on="single", how="left")
        .select("word", as_stretched=pl.coalesce("as_double", "as_single"))
        .drop_nulls("as_stretched")
    )


def _token_valences(tokens: pl.Series, lexicon: Lexicon) -> pl.DataFrame:
    """One row per distinct token: its valence and what kind of token it is."""
    vocab = pl.DataFrame({"token": tokens.unique()}).with_columns(
        trimmed=pl.col("token").str.strip_chars(_TRIM),
    ).with_columns(word=pl.col("trimmed").str.to_lowercase())
    emotes = lexicon.emotes
    looked_up = (
        vocab.join(emotes.rename({"valence": "raw_emote"}), on="token", how="left")
        .join(emotes.rename({"token": "trimmed", "valence": "trimmed_emote"}),
              on="trimmed", how="left")
        .join(lexicon.words.rename({"valence": "as_word"}), on="word", how="left")
    )
    emote_valence = pl.coalesce("raw_emote", "trimmed_emote")
    unknown = looked_up.filter(emote_valence.is_null() & pl.col("as_word").is_null())["word"]
    looked_up = looked_up.join(_squeezed_lookup(unknown.unique(), lexicon), on="word",
                               how="left")
    return looked_up.select(
        "token",
        is_emote=emote_valence.is_not_null(),
        is_negation=pl.col("word").is_in(lexicon.negations.implode()),
        is_caps_word=(
            emote_valence.is_null()
            & (pl.col("trimmed").str.len_chars() >= 2)
            & pl.col("trimmed").str.contains(r"^[A-Z]+$")
        ),
        is_stretched=emote_valence.is_null() & pl.col("as_stretched").is_not_null(),
        valence=pl.coalesce(emote_valence, "as_word", "as_stretched", pl.lit(0.0)),
    )


def _directed(sums: pl.Expr, boost: pl.Expr) -> pl.Expr:
    """`boost` added away from zero (nothing added to a zero)."""
    return pl.when(sums > 0).then(boost).when(sums < 0).then(-boost).otherwise(0.0)


def score_messages(texts: pl.Series, lexicon: Lexicon | None = None) -> pl.DataFrame:
    """Per message, in input order: `sentiment_score` in [-1, 1] and `sentiment_label`
    (-1 negative, 0 neutral, 1 positive). Null text scores 0."""
    lexicon = lexicon or load_lexicon()
    messages = pl.DataFrame({"text": texts.cast(pl.String).fill_null("")}).with_row_index(
        "message"
    )
    tokens = messages.select(
        "message", token=pl.col("text").str.extract_all(r"\S+")
    ).explode("token").drop_nulls("token")
    if tokens.height:
        tokens = tokens.join(
            _token_valences(tokens["token"], lexicon), on="token", how="left",
            maintain_order="left",
        )
    else:
        tokens = tokens.with_columns(
            is_emote=pl.lit(False), is_negation=pl.lit(False), is_caps_word=pl.lit(False),
            is_stretched=pl.lit(False), valence=pl.lit(0.0),
        )
    # A negation reaches the next NEGATION_REACH tokens of its own message (rows of one
    # message are adjacent after the explode, so shifts stay vectorised).
    negated = pl.lit(False)
    for k in range(1, NEGATION_REACH + 1):
        negated = negated | (
            pl.col("is_negation").shift(k).fill_null(False)
            & (pl.col("message").shift(k) == pl.col("message")).fill_null(False)
        )
    shouting = messages.select(
        "message",
        is_shouting=pl.col("text") == pl.col("text").str.to_uppercase(),
        exclamations=pl.col("text").str.count_matches("!").clip(0, MAX_EXCLAMATIONS),
    )
    valence = pl.col("valence")
    emphasis = (
        pl.when(pl.col("is_caps_word") & ~pl.col("is_shouting")).then(CAPS_BOOST).otherwise(0.0)
        + pl.when(pl.col("is_stretched")).then(STRETCH_BOOST).otherwise(0.0)
    )
    weighted = (
        tokens.join(shouting.select("message", "is_shouting"), on="message", how="left",
                    maintain_order="left")
        .with_columns(valence=valence + _directed(valence, emphasis))
        .with_columns(
            valence=pl.when(negated & ~pl.col("is_emote"))
            .then(valence * NEGATION_FACTOR)
            .otherwise(valence)
        )
        .group_by("message")
        .agg(valence=valence.sum())
    )
    sums = np.zeros(messages.height)
    sums[weighted["message"].to_numpy()] = weighted["valence"].to_numpy()
    sums = pl.Series("sums", sums)
    scored = shouting.with_columns(sums=sums).with_columns(
        sums=pl.col("sums") + _directed(pl.col("sums"), pl.col("exclamations") * EXCLAMATION_BOOST)
    ).select(
        sentiment_score=pl.col("sums") / (pl.col("sums") ** 2 + NORMALISATION_ALPHA).sqrt()
    )
    return scored.with_columns(sentiment_label=sentiment_labels(pl.col("sentiment_score")))


def sentiment_labels(score: pl.Expr) -> pl.Expr:
    """-1 / 0 / 1 from a score, the one place the thresholds are applied."""
    return (
        pl.when(score >= LABEL_THRESHOLD).then(1)
        .when(score <= -LABEL_THRESHOLD).then(-1)
        .otherwise(0)
        .cast(pl.Int8)
    )
