"""The detector's named parameter sets: what the job and `chatlake backtest` run when no params
file is applied (`CHATLAKE_DETECTOR_PRESET`, the job's `--preset`).

    seed     the first rule: 5 s windows, messages above mean + 3 std of 5 minutes, 30 s
             cooldown (DetectorParams' own defaults)
    learned  the shipped learned scorer (DEFAULT_MODEL): 2 s windows, features against a 5 min
             EWMA baseline, the peak within 2 windows, 30 s cooldown

DEFAULT_MODEL is fitted by `chatlake tune --fit-model` on the 60 labelled Dota 2 videos
(docs/tuning.md says on what, with which figures); the version names the fit.
"""

from chatlake_contracts.detector import DetectorParams
from chatlake_contracts.learned import LinearModel

DEFAULT_MODEL = LinearModel(
    features=("messages_z1", "messages_z3", "messages_z8", "chatters_z3", "mean_length",
              "short_share", "emote_only_share", "repeat_share", "caps_share", "laugh_share"),
    center=(0.0,) * 10,
    scale=(1.0,) * 10,
    coef=(0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    intercept=0.0,
    threshold=3.0,
    version="provisional",
)

SEED = DetectorParams()
LEARNED = DetectorParams(bucket_ms=2_000, baseline_ms=300_000, cooldown_ms=30_000, min_count=5,
                         model=DEFAULT_MODEL, peak_wait=2, warmup_ms=60_000)
PRESETS = {"seed": SEED, "learned": LEARNED}
DEFAULT_PRESET = "learned"


def preset(name: str) -> DetectorParams:
    """The named set; ValueError naming the known ones otherwise."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown detector preset {name!r} (known: "
                         f"{', '.join(PRESETS)})") from None
