"""Repeated (document, key) pairs and the most frequent n-gram per document, computed batch-wide
with Arrow's hash encoding, against plain Python over each document (a set of seen pairs,
``collections.Counter.most_common``), the definitions datatrove's Gopher repetition filter uses."""
import collections

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from refinery.filters.gopher_repetition import top_ngram_chars
from refinery.filters.text_view import TextView, ngram_keys, pair_ids, repeated_within_docs


def seen_before(pairs):
    seen, out = set(), []
    for p in pairs:
        out.append(p in seen)
        seen.add(p)
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 2**64 - 1) | st.integers(0, 6)), max_size=60))
def test_repeated_pairs_equal_a_set_of_seen_pairs(pairs):
    doc = np.array([d for d, _ in pairs], dtype=np.int64)
    key = np.array([k for _, k in pairs], dtype=np.uint64)
    assert repeated_within_docs(key, doc).tolist() == seen_before(pairs)
    if pairs:  # ids are dense and numbered by first appearance
        ids = pair_ids(doc, key)
        first = {}
        assert ids.tolist() == [first.setdefault(p, len(first)) for p in pairs]


def most_common_ngram_chars(tokens: list[str], n: int) -> float:
    grams = [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
    if not grams:
        return 0.0
    gram, count = collections.Counter(grams).most_common(1)[0]
    return float(len(" ".join(gram)) * count)


def check_top_ngrams(texts: list[str]):
    view = TextView(pa.array(texts, pa.string()))
    tok = view.tokens
    lengths = np.asarray([len(t) for t in tok.values.to_pylist()], dtype=np.int64)
    per_doc = [[] for _ in texts]
    for p, t in zip(tok.parent.tolist(), tok.values.to_pylist()):
        per_doc[p].append(t)
    for n in (2, 3, 4):
        got = top_ngram_chars(view.token_codes, lengths, tok.parent, len(texts), n)
        assert got.tolist() == [most_common_ngram_chars(d, n) for d in per_doc], n


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["a", "b", "the", "cat", "中文", "x"]), max_size=30).map(" ".join),
                min_size=1, max_size=6))
def test_top_ngram_equals_counter_most_common(texts):
    check_top_ngrams(texts)


def test_top_ngram_equals_counter_most_common_on_real_pages(real_slice):
    texts = [t for t in real_slice.column("text").to_pylist() if t][:150]
    check_top_ngrams(texts)


def test_ngram_keys_stay_inside_a_document():
    codes = np.array([1, 2, 3, 1, 2], dtype=np.int64)
    starts, _ = ngram_keys(codes, np.array([0, 0, 0, 1, 1]), 2)
    assert starts.tolist() == [0, 1, 3]
