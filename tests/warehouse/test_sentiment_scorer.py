"""The sentiment scorer's rules, on messages written for the test."""

import polars as pl
import pytest

from warehouse.sentiment.scorer import score_messages


def scores(*texts: str | None) -> list[float]:
    return score_messages(pl.Series(list(texts), dtype=pl.String))["sentiment_score"].to_list()


def labels(*texts: str | None) -> list[int]:
    return score_messages(pl.Series(list(texts), dtype=pl.String))["sentiment_label"].to_list()


def test_emote_only_messages_carry_the_emotes_meaning() -> None:
    assert labels("KEKW", "OMEGALUL", "PogChamp", "Sadge", "BibleThump", "PepeHands",
                  "monkaS") == [1, 1, 1, -1, -1, -1, -1]


def test_emotes_are_case_sensitive_but_slang_is_not() -> None:
    # "LUL" is the emote; "lul" typed as a word is slang for the same laugh; both positive.
    assert labels("LUL", "lul", "w", "W", "L", "l") == [1, 1, 1, 1, -1, -1]


def test_plain_english_still_scores_through_vader_words() -> None:
    assert labels("what a great play", "this is awful") == [1, -1]


def test_unknown_tokens_are_neutral_and_do_not_dilute() -> None:
    assert scores("xyzzy qwfp", "", None, "   ") == [0.0, 0.0, 0.0, 0.0]
    # Unknown words around an emote leave its score as it was.
    assert scores("zzkq KEKW qqxv")[0] == pytest.approx(scores("KEKW")[0])


def test_negation_turns_the_next_words_but_not_emotes() -> None:
    good, not_good, dont_like, not_kekw, kekw = scores(
        "good", "not good", "i dont like this", "not KEKW", "KEKW")
    assert good > 0 > not_good
    assert dont_like < 0
    assert not_kekw == pytest.approx(kekw)


def test_negation_reaches_three_tokens_and_stays_in_its_message() -> None:
    far, near, next_message = scores("not a b c good", "not a b good", "good")
    assert far > 0 > near
    # The negation at the end of one message does not reach into the next one.
    assert scores("this is not", "good")[1] == pytest.approx(next_message)


def test_repetition_strengthens_but_stays_bounded() -> None:
    one, three, many = scores("KEKW", "KEKW KEKW KEKW", " ".join(["KEKW"] * 50))
    assert 0 < one < three < many <= 1.0


def test_stretched_letters_are_recognised_and_emphasised() -> None:
    lol, looool, nice, niiiice = scores("lol", "LOOOOOL", "nice", "niiiiiice")
    assert looool > lol > 0
    assert niiiice > nice > 0


def test_caps_emphasise_a_word_unless_the_whole_message_shouts() -> None:
    plain, caps_word, all_caps = scores("great play", "GREAT play", "GREAT PLAY")
    assert caps_word > plain
    assert all_caps == pytest.approx(plain)


def test_exclamation_marks_push_away_from_neutral() -> None:
    nice, nice_bang, sad, sad_bang = scores("nice", "nice!!!", "Sadge", "Sadge !!!")
    assert nice_bang > nice > 0
    assert sad_bang < sad < 0
    assert scores("!!!!")[0] == 0.0


def test_twitch_slang_overrides_plain_english() -> None:
    # In game chat "insane" and "sick" are praise; VADER alone reads them as negative.
    assert labels("that was insane", "sick play", "trash", "copium", "based") == [1, 1, -1, -1, 1]


def test_mixed_messages_and_order_are_kept() -> None:
    texts = ["Sadge", "KEKW", "xyzzy", "gg", "L"]
    assert labels(*texts) == [-1, 1, 0, 1, -1]
    assert labels(*reversed(texts)) == [-1, 1, 0, 1, -1][::-1]


def test_scores_are_bounded_and_typed() -> None:
    frame = score_messages(pl.Series(["KEKW " * 200, "trash " * 200, "ok"]))
    assert frame.schema == pl.Schema({"sentiment_score": pl.Float64,
                                      "sentiment_label": pl.Int8})
    assert frame["sentiment_score"].abs().max() <= 1.0
