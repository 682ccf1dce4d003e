"""The job's parameters before it starts (no mini-cluster): the preset, the options that replace
its fields, the params file that wins over both, and the one-line refusals of what cannot run."""

import json
import subprocess
from dataclasses import asdict, replace

import pytest
from chatlake_contracts import presets
from chatlake_contracts.params_file import FORMAT

from detector.job import STREAMING_DIR, ensure_streaming_env
from detector.params_file import write_params_file

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REQUIRED = ["--bootstrap", "127.0.0.1:1", "--jdbc-url", "jdbc:postgresql://127.0.0.1:1/x"]

# Prints, for each argument list on stdin (a JSON list of lists), what job_params makes of it.
SHOW_PARAMS = """
import json, sys
from dataclasses import asdict
from chatlake_streaming.job import job_params, parse_args
out = []
for argv in json.load(sys.stdin):
    applied = job_params(parse_args(argv))
    out.append({"source": applied.source, "default": asdict(applied.default),
                "channels": sorted(applied.channels)})
print(json.dumps(out))
"""


def run_job(*args: str, input: str | None = None) -> subprocess.CompletedProcess:
    python = ensure_streaming_env()
    return subprocess.run([str(python), *args], capture_output=True, text=True, input=input,
                          cwd=STREAMING_DIR, timeout=120, check=False)


def as_json(params) -> dict:
    return json.loads(json.dumps(asdict(params)))


def test_preset_options_and_params_file_decide_the_parameters(tmp_path):
    checkpoints = ["--checkpoint-dir", str(tmp_path / "chk")]
    file = write_params_file(tmp_path / "params.json", presets.SEED,
                             {"42": presets.LEARNED})
    cases = [
        [*REQUIRED, *checkpoints],
        [*REQUIRED, *checkpoints, "--preset", "seed", "--k", "2.5", "--bucket-ms", "10000"],
        [*REQUIRED, *checkpoints, "--preset", "learned", "--cooldown-ms", "60000"],
        # The file wins over the preset and the options.
        [*REQUIRED, *checkpoints, "--k", "9.0", "--params-file", str(file)],
        [*REQUIRED, *checkpoints, "--params-file", str(tmp_path / "absent.json")],
    ]
    done = run_job("-c", SHOW_PARAMS, input=json.dumps(cases))
    assert done.returncode == 0, done.stderr[-2000:]
    # The last line: the job module may log on import.
    default, seed, learned, from_file, absent = json.loads(done.stdout.strip().splitlines()[-1])
    assert presets.DEFAULT_PRESET == "learned"
    assert default["default"] == as_json(presets.LEARNED)
    assert default["source"] == "the learned preset"
    assert seed["default"] == as_json(replace(presets.SEED, k=2.5, bucket_ms=10_000))
    assert seed["source"] == "the seed preset with --bucket-ms 10000 --k 2.5"
    assert learned["default"] == as_json(replace(presets.LEARNED, cooldown_ms=60_000))
    assert from_file["default"] == as_json(presets.SEED) and from_file["channels"] == ["42"]
    assert from_file["source"] == str(file)
    assert absent["default"] == as_json(presets.LEARNED)
    assert "no file" in absent["source"]


def bad_model_file(path, **model_changes) -> str:
    model = {**asdict(presets.LEARNED.model), **model_changes}
    default = {**asdict(presets.LEARNED), "model": model}
    path.write_text(json.dumps({"format": FORMAT, "default": default}), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(("case", "problem"), [
    ("unknown feature", "unknown feature(s) sentiment"),
    ("coefficient count", "coef value(s) for"),
    ("nan", "finite number"),
    ("preset", "unknown detector preset 'best' (known: seed, learned)"),
    ("options", "baseline_ms must be a whole number of buckets"),
])
def test_what_cannot_run_is_refused_in_one_line_before_the_job_starts(tmp_path, case, problem):
    features = list(presets.LEARNED.model.features)
    coef = list(presets.LEARNED.model.coef)
    file = tmp_path / "params.json"
    if case == "unknown feature":
        extra = ["--params-file", bad_model_file(file, features=[*features[:-1], "sentiment"])]
    elif case == "coefficient count":
        extra = ["--params-file", bad_model_file(file, coef=coef[:-1])]
    elif case == "nan":
        extra = ["--params-file", bad_model_file(file, coef=[float("nan"), *coef[1:]])]
        # json.dumps writes NaN, and Python's json (the job's too) reads it back as a float.
        assert "NaN" in file.read_text()
    elif case == "preset":
        extra = ["--preset", "best"]
    else:
        extra = ["--preset", "learned", "--bucket-ms", "7000"]
    done = run_job("-m", "chatlake_streaming.job", *REQUIRED, "--checkpoint-dir",
                   str(tmp_path / "chk"), *extra)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr[-2000:]
    assert lines[0].startswith("detector: ") and problem in lines[0]
    assert not (tmp_path / "chk").exists()  # nothing started
