"""What a window's messages say besides how many there were: the content counts the learned
detector scores, defined once for DuckDB (reference, backtest, lake) and Flink SQL (the job).

Per window, over the messages that count (`chatlake_contracts.counting`):

    text_units        sum of text lengths in UTF-16 code units (Java's String.length); both
                      engines count code points and add one per character outside the BMP
    short_count       messages of at most SHORT_MAX_UNITS units ("LUL", "?", "gg wp")
    emote_only_count  messages made only of EMOTE_WORDS separated by spaces (chat without
                      emote positions, as old VODs, IRC logs and most replays are)
    distinct_texts    distinct texts once spaces are removed; messages minus this is the
                      copypasta count (the same line typed by many people)
    caps_count        messages with three upper-case ASCII letters in a row and no lower-case
                      ASCII letter
    laugh_count       messages with a laughter or hype token of LAUGH_PATTERN

The patterns use only what Java's regex and RE2 (DuckDB) read the same way: ASCII classes,
literal non-ASCII text, `^` and `\\z` anchors, no `\\b`, `\\s` or case-insensitive flags.
`tests/detector/test_window_content.py` holds the two engines equal on real chat.
"""

CONTENT_FIELDS = ("text_units", "short_count", "emote_only_count", "distinct_texts",
                  "caps_count", "laugh_count")

SHORT_MAX_UNITS = 10

# Global Twitch emotes and the most used BTTV/FFZ/7TV names; small on purpose (a word that is
# also English would make ordinary messages emote-only).
EMOTE_WORDS = (
    "Kappa", "KappaPride", "Keepo", "PogChamp", "Pog", "POGGERS", "PogU", "LUL", "LULW",
    "OMEGALUL", "4Head", "BibleThump", "ResidentSleeper", "Kreygasm", "DansGame", "SwiftRage",
    "WutFace", "NotLikeThis", "FailFish", "BabyRage", "TriHard", "cmonBruh", "SMOrc",
    "HeyGuys", "VoHiYo", "SeemsGood", "CoolStoryBob", "EleGiggle", "Jebaited", "PJSalt",
    "MingLee", "haHAA", "FeelsBadMan", "FeelsGoodMan", "FeelsStrongMan", "FeelsWeirdMan",
    "monkaS", "monkaW", "PepeHands", "PepeLaugh", "Pepega", "KEKW", "Kapp", "WeirdChamp",
    "5Head", "EZ", "Clap", "gachiGASM", "gachiBASS", "forsenE", "CiGrip", "BloodTrail",
    "PunOko", "TheIlluminati",
)

# Laughter and hype in the languages Twitch chat is most often in, written before looking at
# any labelled highlight: emote names, lol/lmao/haha/xD, Russian kha/akhakh, Chinese 哈哈/233/
# 笑死, Japanese www/草, Korean ㅋㅋ, Spanish/Portuguese jaja/kkkk, and !!!/???.
_LAUGH_WORDS = ("LUL", "LULW", "OMEGALUL", "KEKW", "LMAO", "lmao", "LOL", "lol", "Lol", "haha",
                "HAHA", "xD", "XD", "Pog", "POG", "PogChamp", "POGGERS", "PogU", "WOW", "wow",
                "Kreygasm", "EZ", "ROFL", "rofl")
LAUGH_PATTERN = ("(^|[^A-Za-z])(" + "|".join(_LAUGH_WORDS) + r")([^A-Za-z]|\z)"
                 "|哈哈|233|笑死|www|草|\u0445\u0430|\u0425\u0410|\u0430\u0445\u0430\u0445|jaja|kkkk|ㅋㅋ"
                 "|[!?]{3}")

_EMOTE = "(" + "|".join(EMOTE_WORDS) + ")"
EMOTE_ONLY_PATTERN = f"^ *{_EMOTE}( +{_EMOTE})* *\\z"
CAPS_PATTERN = "[A-Z]{3}"
LOWER_PATTERN = "[a-z]"
# Characters outside the Basic Multilingual Plane: two UTF-16 units each.
_ASTRAL = "[\\x{10000}-\\x{10FFFF}]"


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def duckdb_units(text: str) -> str:
    """DuckDB: the length of `text` in UTF-16 code units."""
    return (f"(length({text}) + length(regexp_replace({text}, "
            f"{_sql_string('[^' + _ASTRAL[1:])}, '', 'g')))")


def duckdb_content(text: str) -> str:
    """DuckDB aggregate expressions, `... as <field>`, in CONTENT_FIELDS order."""
    units = duckdb_units(text)
    return ",\n".join((
        f"cast(coalesce(sum({units}), 0) as bigint) as text_units",
        f"count(*) filter (where {units} <= {SHORT_MAX_UNITS}) as short_count",
        f"count(*) filter (where regexp_matches({text}, {_sql_string(EMOTE_ONLY_PATTERN)}))"
        " as emote_only_count",
        f"count(distinct replace({text}, ' ', '')) as distinct_texts",
        f"count(*) filter (where regexp_matches({text}, {_sql_string(CAPS_PATTERN)}) and not "
        f"regexp_matches({text}, {_sql_string(LOWER_PATTERN)})) as caps_count",
        f"count(*) filter (where regexp_matches({text}, {_sql_string(LAUGH_PATTERN)}))"
        " as laugh_count",
    ))


def flink_units(text: str) -> str:
    """Flink SQL: the length of `text` in UTF-16 code units. Flink's CHAR_LENGTH counts code
    points (its strings are UTF-8 inside), so each character outside the BMP is first replaced
    by two; a text without one is returned as it is by the regex, at little cost."""
    return f"CHAR_LENGTH(REGEXP_REPLACE({text}, {_sql_string(_ASTRAL)}, '..'))"


def flink_content(text: str) -> str:
    """Flink SQL aggregate expressions, `... AS <field>`, in CONTENT_FIELDS order."""
    def count_if(condition: str) -> str:
        return f"CAST(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS BIGINT)"

    def matches(pattern: str) -> str:
        return f"REGEXP({text}, {_sql_string(pattern)})"

    units = flink_units(text)
    return ",\n".join((
        f"CAST(SUM({units}) AS BIGINT) AS text_units",
        f"{count_if(f'{units} <= {SHORT_MAX_UNITS}')} AS short_count",
        f"{count_if(matches(EMOTE_ONLY_PATTERN))} AS emote_only_count",
        f"COUNT(DISTINCT REPLACE({text}, ' ', '')) AS distinct_texts",
        f"{count_if(matches(CAPS_PATTERN) + ' AND NOT ' + matches(LOWER_PATTERN))} AS caps_count",
        f"{count_if(matches(LAUGH_PATTERN))} AS laugh_count",
    ))
