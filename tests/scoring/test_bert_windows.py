"""The BERT scorer's windows against the shipped model run by hand, window by window.

The oracle cuts each text's token ids into windows itself (the tokenizer without special
tokens, ``[CLS] window [SEP]``) and calls the Hugging Face model once per window, so it shares
neither the scorer's overflow windowing nor its length-bucketed batches.
"""
import pathlib

import numpy as np
import pyarrow.compute as pc
import pytest

from refinery.scoring.bert_scorer import BertQualityScorer, BertRuntime, load_model_and_tokenizer

MODEL = str(pathlib.Path(__file__).resolve().parents[2] / "models" / "quality_bert")


@pytest.fixture(scope="module")
def texts(real_slice):
    """Real pages of every shape: README pages (badges, RST headings), Chinese and other manuals,
    code, a one-word page and an empty one."""
    import corpus

    readme = corpus.load(columns=["text"], part="readme").column("text").to_pylist()[:12]
    docs = real_slice.filter(pc.is_valid(real_slice.column("text")))
    zh = docs.filter(pc.equal(docs.column("lang"), "zh")).column("text").to_pylist()[:4]
    code = docs.filter(pc.equal(docs.column("kind"), "code")).column("text").to_pylist()[:4]
    other = docs.column("text").to_pylist()[:6]
    return readme + zh + code + other + ["word", ""]


def by_hand(texts, windows):
    import torch

    model, tok = load_model_and_tokenizer(MODEL)
    length = BertQualityScorer(MODEL).max_length
    body = length - 2
    out = []
    for text in texts:
        ids = tok(text[:length * windows * 8], add_special_tokens=False)["input_ids"]
        cuts = [ids[i:i + body] for i in range(0, max(len(ids), 1), body)][:windows]
        odds = []
        for piece in cuts:
            x = torch.tensor([[tok.cls_token_id] + piece + [tok.sep_token_id]])
            with torch.inference_mode():
                logits = model(input_ids=x).logits[0]
            odds.append(float(logits[1] - logits[0]))
        out.append(1 / (1 + np.exp(-np.mean(odds))))
    return np.array(out)


@pytest.mark.parametrize("windows", [1, 3])
def test_scores_are_the_mean_log_odds_of_the_head_windows(texts, windows):
    scorer = BertQualityScorer(MODEL, BertRuntime(windows=windows, batch_size=5, max_batch_tokens=400))
    got = scorer.score(texts)
    np.testing.assert_allclose(got, by_hand(texts, windows), atol=2e-5)
    owners = np.bincount(scorer.windows_of(texts)[1], minlength=len(texts))
    assert owners.max() == windows and owners.min() == 1  # long pages get every window, "" one


def test_one_window_is_the_truncated_head(texts):
    """windows=1 reads what the scorer always read: the tokenizer's truncation to max_length."""
    import torch

    model, tok = load_model_and_tokenizer(MODEL)
    scorer = BertQualityScorer(MODEL)
    want = []
    for text in texts:
        x = tok(text[:scorer.max_chars], truncation=True, max_length=scorer.max_length, return_tensors="pt")
        with torch.inference_mode():
            want.append(float(torch.softmax(model(**x).logits[0], -1)[1]))
    np.testing.assert_allclose(scorer.score(texts), want, atol=2e-5)


def test_training_draws_each_text_one_of_its_first_windows(texts):
    """Training reads the windows the scorer reads: each draw gives every text one of its own first
    ``windows`` windows, the head alone with ``windows=1``, and over draws every window turns up."""
    from refinery.scoring.bert_scorer import document_windows
    from refinery.scoring.train_quality import window_picks

    _, tok = load_model_and_tokenizer(MODEL)
    ids, owner = document_windows(tok, texts, 128, 3)
    first = np.searchsorted(owner, np.arange(len(texts)))
    np.testing.assert_array_equal(window_picks(owner, len(texts), 1, np.random.default_rng(0)), first)
    rng = np.random.default_rng(0)
    seen = [set() for _ in texts]
    for _ in range(60):
        picks = window_picks(owner, len(texts), 3, rng)
        np.testing.assert_array_equal(owner[picks], np.arange(len(texts)))
        for t, i in enumerate(picks):
            seen[t].add(int(i - first[t]))
    assert [len(s) for s in seen] == list(np.bincount(owner, minlength=len(texts)))
    assert max(len(s) for s in seen) == 3
    with pytest.raises(ValueError, match="windows"):
        window_picks(owner, len(texts), 0, rng)
