"""`chatlake backtest --json` -> `chatlake clips from-vod` -> clips on the stand-in, end to end:
both commands as processes, the stand-in over a real socket."""

import gzip
import json
import os
import subprocess
import sys
import time

from twitch.tokens import StoredToken, TokenStore

VOD, BROADCASTER, VOD_LENGTH_S = "555000111", "8800", 1500
BURST_S = 700  # a burst of chat planted here on a steady baseline


def write_chat(path):
    times = [i * 2.0 for i in range(600)]  # 0.5 msg/s for 20 minutes
    times += [BURST_S + i * 0.1 for i in range(50)]  # 50 messages in 5 s
    comments = [{"_id": f"m{i}", "created_at": None, "content_offset_seconds": t,
                 "commenter": {"display_name": f"u{i % 9}", "name": f"u{i % 9}"},
                 "message": {"body": f"msg {i}"}} for i, t in enumerate(sorted(times))]
    root = {"streamer": {"name": "vodcaster", "login": "vodcaster", "id": int(BROADCASTER)},
            "video": {"id": VOD, "created_at": None, "start": 0, "end": VOD_LENGTH_S,
                      "length": VOD_LENGTH_S}, "comments": comments}
    path.write_bytes(gzip.compress(json.dumps(root).encode()))
    return path


def test_backtest_detections_become_vod_clips_at_the_lag_corrected_offset(
        twitch_standin, tmp_path):
    standin = twitch_standin
    standin.add_user("vodcaster", BROADCASTER)
    standin.add_vod(VOD, BROADCASTER, VOD_LENGTH_S)
    token = standin.issue_user_token(scopes=("clips:edit", "editor:manage:clips"))
    token_file = tmp_path / "twitch-token.json"
    TokenStore(token_file).save(StoredToken(
        access_token=token.access_token, refresh_token=token.refresh_token,
        user_id=standin.bot_id, login=standin.bot_login, client_id=standin.client_id,
        scopes=token.scopes))
    labels = tmp_path / "labels.csv"
    labels.write_text(f"video_id,start_s,end_s\n{VOD},{BURST_S - 20},{BURST_S - 10}\n")
    env = {**os.environ, "CHATLAKE_STATE_DIR": str(tmp_path / "state"),
           "CHATLAKE_TWITCH_STANDIN_URL": standin.base_url,
           "CHATLAKE_TWITCH_TOKEN_FILE": str(token_file)}

    def chatlake(*args):
        return subprocess.run([sys.executable, "-m", "chatlake.cli", *args], env=env,
                              capture_output=True, text=True, timeout=300)

    backtest = chatlake("backtest", str(write_chat(tmp_path / "vod.chat.json.gz")),
                        "--labels", str(labels), "--baseline", "120", "--min-count", "0",
                        "--json")
    assert backtest.returncode == 0, backtest.stderr
    detections = json.loads(backtest.stdout)["per_video"][VOD]["detections_s"]
    assert detections == [BURST_S + 5.0]  # the burst's window end
    detections_file = tmp_path / "detections.json"
    detections_file.write_text(backtest.stdout)
    clip_args = ("clips", "from-vod", str(detections_file), "--broadcaster-id", BROADCASTER,
                 "--lag", "20", "--lead-in", "10", "--duration", "30")

    refused = chatlake(*clip_args)  # the bot is not an editor of the channel yet
    assert refused.returncode == 1
    assert "HTTP 403" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert standin.clips() == []

    standin.add_editor(BROADCASTER, standin.bot_id)
    made = chatlake(*clip_args)
    assert made.returncode == 0, made.stderr
    # moment = 705 - 20 = 685; the clip starts 10 s before it: 675..705
    assert f"VOD {VOD} 675-705 s" in made.stdout
    deadline = time.monotonic() + 10
    while not (clips := standin.clips()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [(c["video_id"], c["vod_offset"], c["duration"]) for c in clips] == [(VOD, 675, 30)]
    assert clips[0]["id"] in made.stdout
    assert token.access_token not in made.stdout + made.stderr + refused.stderr


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    env = {**os.environ, "CHATLAKE_STATE_DIR": str(tmp_path / "state")}
    not_json = tmp_path / "bad.json"
    not_json.write_text("{nope")
    no_times = tmp_path / "old.json"
    no_times.write_text(json.dumps({"per_video": {"v1": {"detections": 3}}}))
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"per_video": {"v1": {"detections_s": [100.0]}}}))
    cases = [([str(not_json)], "not JSON"), ([str(no_times)], "detections_s"),
             ([str(tmp_path / "missing.json")], "cannot read"),
             ([str(good), "--duration", "90"], "between 5 and 60"),
             ([str(good), "--vod-id", "a=b=c", "--vod-id", "x"], "VIDEO=VOD")]
    for args, expected in cases:
        result = subprocess.run(
            [sys.executable, "-m", "chatlake.cli", "clips", "from-vod", *args,
             "--broadcaster-id", "1"], env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 2, (args, result.stderr)
        assert expected in result.stderr and len(result.stderr.strip().splitlines()) == 1
