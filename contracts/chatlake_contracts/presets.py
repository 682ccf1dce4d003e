"""The detector's named parameter sets: what the job and `chatlake backtest` run when no params
file is applied (`CHATLAKE_DETECTOR_PRESET`, the job's `--preset`).

    seed     the first rule: 5 s windows, messages above mean + 3 std of 5 minutes, 30 s
             cooldown (DetectorParams' own defaults)
    learned  the shipped learned scorer (DEFAULT_MODEL): 2 s windows, features against a 5 min
             EWMA baseline, the peak within 2 windows, 30 s cooldown

DEFAULT_MODEL is what `chatlake tune --datasets ../shared/data --apply` fits on all 60 labelled
Dota 2 videos (the logistic regression, then the threshold with the best F1 at precision >=
0.55 on them); docs/tuning.md has its cross-validated figures and those on lirik and kappa,
which it was never fitted on. The version names the fit.
"""

from chatlake_contracts.detector import DetectorParams
from chatlake_contracts.learned import LinearModel

DEFAULT_MODEL = LinearModel(
    features=("messages_z1", "messages_z3", "messages_z8", "chatters_z3", "mean_length",
              "short_share", "emote_only_share", "repeat_share", "caps_share", "laugh_share"),
    center=(
        0.3750636803066891, 0.34711363193770683, 0.31306382306576236,
        0.34615339544202484, -0.06531800069780014, -0.03439416122453745,
        -0.022471940413357795, -0.014115981415206827, -0.013482449368105491,
        -0.01040620653804856,
    ),
    scale=(
        0.8381338284430414, 1.2427809548162074, 1.577048469226726, 1.2413708380567066,
        0.5193493171907834, 0.26325212327652836, 0.17912235829864975,
        0.06467080834609219, 0.18666876038493674, 0.2244193135626962,
    ),
    coef=(
        0.025943366088522563, 0.11342313144677874, 0.12139356156109374,
        0.10606895918123344, -0.03680031644749108, 0.16359022624703629,
        0.06138411035202867, 0.013612302379354485, 0.024085664133765138,
        0.1460035680206125,
    ),
    intercept=-1.3129400643713605,
    threshold=-0.3799,
    version="learned-20261204-dota2-5fold",
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
