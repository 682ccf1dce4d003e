"""Scoring with hand-made labels: clip [t-20, t+10], positive-length overlap, pooled counts."""

import math

import numpy as np
import pytest

from detector.labels import LabelError, LabelSet, load_crowd_clips, load_labels
from detector.scoring import Scorer, check_videos, pool


def _labels(**intervals) -> LabelSet:
    return LabelSet("hand", {v: np.array(i, float) for v, i in intervals.items()})


def test_clip_overlap_rules():
    # One label 100..110. Clip of t is [t-20, t+10]: overlaps when t-20 < 110 and 100 < t+10.
    scorer = Scorer(_labels(a=[[100, 110]]), ["a"], {"a": 1.0})
    for t, expected in ((90, 0), (90.5, 1), (129.5, 1), (130, 0)):
        [score] = scorer.per_video(np.array([0]), np.array([t]))
        assert score.true_positives == expected, t


def test_precision_recall_pooled_over_videos():
    labels = _labels(a=[[100, 110], [500, 520]], b=[[50, 60]])
    scorer = Scorer(labels, ["a", "b"], {"a": 2.0, "b": 1.0})
    # a: two detections on the first label, one far away; b: one miss.
    scores = scorer.per_video(np.array([0, 0, 0, 1]), np.array([105, 115, 900, 300]))
    a, b = scores
    assert (a.detections, a.true_positives, a.intervals_hit, a.intervals) == (3, 2, 1, 2)
    assert (b.detections, b.true_positives, b.intervals_hit, b.intervals) == (1, 0, 0, 1)
    total = pool(scores)
    assert total.precision == pytest.approx(2 / 4)
    assert total.recall == pytest.approx(1 / 3)
    assert total.f1 == pytest.approx(2 * 0.5 * (1 / 3) / (0.5 + 1 / 3))
    assert total.per_hour == pytest.approx(4 / 3)


def test_labels_of_one_video_never_match_another():
    scorer = Scorer(_labels(a=[[100, 110]], b=[[5000, 5010]]), ["a", "b"], {})
    scores = scorer.per_video(np.array([1]), np.array([105]))
    assert scores[1].true_positives == 0 and scores[0].intervals_hit == 0


def test_no_detections_is_undefined_precision_not_zero():
    [score] = Scorer(_labels(a=[[1, 2]]), ["a"], {"a": 1}).per_video(np.array([], int),
                                                                      np.array([]))
    assert math.isnan(score.precision) and score.recall == 0 and score.f1 == 0
    assert score.as_dict()["precision"] is None


def test_duplicate_intervals_count_once(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("video_id,start_s,end_s,split\nv,10,20,train\nv,10,20,train\nv,40,50,train\n")
    labels = load_labels(path)
    assert labels.interval_count() == 2 and labels.duplicates_dropped == 1
    [score] = Scorer(labels, ["v"], {"v": 1}).per_video(np.array([0]), np.array([15]))
    assert (score.intervals_hit, score.intervals) == (1, 2)


@pytest.mark.parametrize(("text", "message"), [
    ("video_id,start_s\nv,1\n", "missing column(s) end_s"),
    ("video_id,start_s,end_s\nv,20,10\n", "labels.csv:2: inverted interval 20..10"),
    ("video_id,start_s,end_s\nv,10,10\n", "empty interval"),
    ("video_id,start_s,end_s\nv,x,10\n", "start_s 'x' is not a number"),
    ("video_id,start_s,end_s\n", "no label rows"),
    ("", "empty label file"),
    ("video_id,start_s,end_s,split\nv,1,2,train\nv,3,4,test\n", "in two splits"),
])
def test_bad_label_files(tmp_path, text, message):
    path = tmp_path / "labels.csv"
    path.write_text(text)
    with pytest.raises(LabelError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_labels(path)


def test_crowd_clips_threshold(tmp_path):
    path = tmp_path / "clips.csv"
    path.write_text("video_id,clip_slug,start_s,end_s,views\nv,a,10,40,3\nv,b,100,130,12\n")
    assert load_crowd_clips(path, 10).interval_count() == 1
    with pytest.raises(LabelError, match="no clip has views >= 50"):
        load_crowd_clips(path, 50)


def test_unlabelled_and_unknown_videos_are_errors():
    labels = _labels(a=[[1, 2]], b=[[1, 2]])
    with pytest.raises(LabelError, match=r"have no labels .*: c"):
        check_videos(["a", "b", "c"], labels)
    with pytest.raises(LabelError, match="not in the chat input: b"):
        check_videos(["a"], labels)
    assert check_videos(["a"], labels, partial=True) == ["a"]
