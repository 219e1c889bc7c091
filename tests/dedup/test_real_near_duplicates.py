"""Near-duplicate F1 per kind of text (code, English prose, Chinese) on the real corpus slice.

Pairs are real documents and their copies, truncations, light edits and heavy rewrites
(``tests/dedup/real_pairs.py``); the truth is Jaccard of character 5-gram sets (lower-cased,
whitespace runs as one space) in plain Python (≥ 0.85 duplicate, ≤ 0.5 distinct),
independent of ``refinery.dedup``. The
decision is the job's, without Spark: default config, LSH bands, exact verification,
connected components.
"""
import pytest

from tests.dedup.real_pairs import KINDS, build, predict_ours, scores

GOAL_F1 = 0.95


@pytest.fixture(scope="module")
def real_pairs(real_slice):
    return build(real_slice, per_kind=40, max_chars=4000)


def test_default_config_finds_real_near_duplicates_per_kind(real_pairs):
    per_kind = scores(real_pairs, predict_ours(real_pairs))
    print({k: {m: round(v[m], 3) for m in ("precision", "recall", "f1", "tp", "fp", "fn")} for k, v in per_kind.items()})
    assert set(per_kind) == set(KINDS)
    for kind, m in per_kind.items():
        assert m["tp"] + m["fn"] >= 60 and m["tn"] >= 60, (kind, m)  # enough of both labels to mean something
        assert m["f1"] >= GOAL_F1, (kind, m)


def test_word_shingles_miss_edited_code(real_pairs):
    """The measurement behind the default: word 5-grams lose lightly edited code."""
    from refinery.config import load_config
    from refinery.dedup.config import DedupConfig

    word = scores(real_pairs, predict_ours(real_pairs, load_config(None, DedupConfig, {"shingles": {"mode": "word"}})),
                  by=("kind", "edit"))
    assert word["code/light"]["recall"] < 0.8
