"""The content counts (`chatlake_contracts.window_content`) are one definition in two engines:
the job's Flink SQL window query gives every window the same counts as the reference's DuckDB,
on a real Dota 2 broadcast and on texts chosen to trip the two regex engines and length rules
apart."""

import json
import subprocess

import orjson
import pytest
from chatlake_contracts import presets, window_content

from detector import reference
from detector.job import STREAMING_DIR, ensure_streaming_env
from tests.streaming import support

pytestmark = [pytest.mark.integration, pytest.mark.slow]

WINDOW_ROWS_SCRIPT = STREAMING_DIR.parent / "tests" / "streaming" / "window_rows.py"
BUCKET_MS = presets.LEARNED.bucket_ms
START_MS = int(support.REPLAY_START.timestamp() * 1000)

# Texts where the engines could disagree: characters outside the BMP (two UTF-16 units each, one
# code point), Cyrillic and CJK laughter, caps rules on non-ASCII letters, emote-only lines with
# odd spacing, the 10-unit boundary of a short message, regex metacharacters, commands.
TRICKY = [
    "\U0001f602\U0001f602\U0001f602", "LUL \U0001f602", "\U0001d407\U0001d404\U0001d40b",
    "\U0001f602" * 5, "\U0001f602" * 5 + "a", "\U0001f3f3\ufe0f\u200d\U0001f308",
    "\u0445\u0430\u0445\u0430\u0445\u0430", "\u0425\u0410\u0425\u0410", "\u0430\u0445\u0430\u0445",
    "\u041a\u0410\u041f\u0421 \u041b\u041e\u041a", "\u0413\u0413 WP", "\u043b\u043e\u043b",
    "哈哈哈哈", "笑死我了", "草", "wwwww", "ㅋㅋㅋㅋ", "2333", "jajaja", "kkkkkk",
    "WHAT A PLAY", "GG WP", "OMG!!!", "ABc", "ÀÉÎ", "WOW", "wow!!", "???",
    "Kappa", "  Kappa   Kappa  ", "Kappa\tKappa", "KappaPride Kappa", "Kappa  PogChamp LUL",
    "LUL\u00a0LUL", "KappaKappa", "LULW LUL", "kappa", "Kappa\nKappa",
    "lol", "lolz", "xDD", "LOL!", "haha", "(lmao)", "KEKWait", "Pog", "POGGERS\U0001f602",
    "0123456789", "01234567890", "gg wp", "ggwp", "g g w p", "", " ", "it's", "\\z $1 .*",
    "!uptime", " !not a command", "!", "\U0001f602!?!",
]


def tricky_records() -> list[dict]:
    """Each text alone in one window and again, all together, in one busy window."""
    records = []
    for i, text in enumerate(TRICKY):
        for at in (START_MS + i * BUCKET_MS, START_MS + len(TRICKY) * BUCKET_MS + i):
            records.append({"v": 1, "message_id": f"t{len(records)}", "broadcaster_id": "tricky",
                            "timestamp": at, "text": text, "user_id": f"u{i % 7}",
                            "user_name": f"u{i % 7}", "source": "synthetic", "metadata": {}})
    return records


def test_flink_sql_content_counts_equal_duckdbs(dota2_file, tmp_path):
    records = sorted([*support.load_chat(dota2_file, "dota2"), *tricky_records()],
                     key=lambda r: r["timestamp"])
    expected = reference.windows_from_records(records, BUCKET_MS, content=True)
    # What the comparison covers: every content count is somewhere not zero, and the texts
    # with astral characters differ in code points and in UTF-16 units.
    assert all(any(w[5 + i] for w in expected) for i in range(len(window_content.CONTENT_FIELDS)))
    assert len(expected) > 500

    messages = tmp_path / "messages.jsonl"
    messages.write_bytes(b"\n".join(orjson.dumps(r) for r in records) + b"\n")
    out = tmp_path / "windows.json"
    python = ensure_streaming_env()
    done = subprocess.run([str(python), str(WINDOW_ROWS_SCRIPT), str(messages), str(BUCKET_MS),
                           str(out)], capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    found = sorted(tuple(row) for row in json.loads(out.read_text(encoding="utf-8")))

    assert [w[:5] for w in found] == [w[:5] for w in expected]
    differ = [(f, e) for f, e in zip(found, expected, strict=True) if f != e]
    assert not differ, (f"{len(differ)} window(s) differ, first (flink, duckdb): {differ[0]}; "
                        f"fields {window_content.CONTENT_FIELDS}")


def test_the_tricky_texts_are_counted_as_the_contract_says():
    # DuckDB alone, per text: pins what "the same counts" above means on the cases that matter
    # (a regression here is a change of the rule, not a disagreement of the engines).
    by_text = {}
    for i, text in enumerate(TRICKY):
        record = {"broadcaster_id": "t", "timestamp": START_MS + i * BUCKET_MS, "text": text,
                  "user_id": "u"}
        rows = reference.windows_from_records([record], BUCKET_MS, content=True)
        by_text[text] = dict(zip(window_content.CONTENT_FIELDS, rows[0][5:], strict=True)) \
            if rows else None
    assert by_text["!uptime"] is None  # a command counts nowhere
    assert by_text[" !not a command"] is not None
    assert by_text["\U0001f602\U0001f602\U0001f602"]["text_units"] == 6
    assert by_text["\U0001f602" * 5]["short_count"] == 1  # 10 units
    assert by_text["\U0001f602" * 5 + "a"]["short_count"] == 0  # 11 units, 6 code points
    assert by_text["  Kappa   Kappa  "]["emote_only_count"] == 1
    assert by_text["Kappa\tKappa"]["emote_only_count"] == 0  # spaces only
    assert by_text["KappaKappa"]["emote_only_count"] == 0
    assert by_text["WHAT A PLAY"]["caps_count"] == 1 and by_text["ABc"]["caps_count"] == 0
    assert by_text["\u041a\u0410\u041f\u0421 \u041b\u041e\u041a"]["caps_count"] == 0  # ASCII
    assert all(by_text[t]["laugh_count"] == 1 for t in (
        "\u0445\u0430\u0445\u0430\u0445\u0430", "哈哈哈哈", "ㅋㅋㅋㅋ", "(lmao)", "OMG!!!",
        "LUL \U0001f602"))
    assert by_text["lolz"]["laugh_count"] == 0 and by_text["KEKWait"]["laugh_count"] == 0
