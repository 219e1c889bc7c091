"""MinHash: the compiled kernel equals the NumPy reference; estimates match exact Jaccard
and datasketch's on the same shingle sets; LSH parameters match datasketch's."""
import hashlib
import random

import numpy as np
import pyarrow as pa
import pytest

from refinery.dedup.lsh import optimal_bands
from refinery.dedup.minhash import (
    EMPTY,
    HashFamily,
    ShingleSpec,
    estimated_jaccard,
    exact_jaccard,
    minhash_signatures,
    shingle_hashes,
    signatures_from_binary,
    signatures_from_hashes,
    signatures_to_binary,
)

EDGE_CASES = ["", None, "a", "a b", "!!! ...", "Hello, World! hello world", "日本語のテキストです。",
              "Ünïcödé ΣΊΣΥΦΟΣ İstanbul 𠀀𠀁 emoji 😀 x", "中文 mixed with English words 和 数字 123",
              "tab\tnew\nline\r\nnbsp\u00a0ideographic\u3000space", "word " * 20]


def _random_texts(n, seed=0):
    rng = random.Random(seed)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyzéß") for _ in range(rng.randint(1, 8))) for _ in range(500)]
    out = []
    for _ in range(n):
        if rng.random() < 0.3:
            out.append("".join(chr(rng.randint(0x4E00, 0x4E00 + 800)) if rng.random() < 0.9 else rng.choice("，。 ab1")
                               for _ in range(rng.randint(0, 400))))
        else:
            out.append(" ".join(rng.choice(words).capitalize() if rng.random() < 0.1 else rng.choice(words)
                                for _ in range(rng.randint(0, 200))) + rng.choice([".", "!", ""]))
    return out + EDGE_CASES


def test_kernel_equals_numpy_reference_bit_for_bit():
    texts = pa.array(_random_texts(300))
    for spec in (ShingleSpec(), ShingleSpec(mode="word"), ShingleSpec(word_ngram=3, char_ngram=2, cjk_ratio=0.5, mode="word"),
                 ShingleSpec(1, 1, 0.0, "word"), ShingleSpec(char_ngram=1), ShingleSpec(char_ngram=3, cjk_ratio=0.9)):
        h1, o1, c1 = shingle_hashes(texts, spec)
        h2, o2, c2 = shingle_hashes(texts, spec, use_kernel=False)
        assert np.array_equal(o1, o2) and np.array_equal(h1, h2) and np.array_equal(c1, c2)
        for family in (HashFamily(64, seed=7), HashFamily(128, seed=1), HashFamily(7, seed=3)):
            s1, n1, _ = minhash_signatures(texts, spec, family)
            s2, n2, _ = minhash_signatures(texts, spec, family, use_kernel=False)
            assert np.array_equal(s1, s2) and np.array_equal(n1, n2)
            assert np.array_equal(signatures_from_hashes(h1, o1, family, use_kernel=True), s2)


def test_kernel_reads_sliced_and_large_string_arrays():
    texts = pa.array(_random_texts(50))
    whole, _, _ = minhash_signatures(texts)
    sliced, _, _ = minhash_signatures(texts.slice(10, 20))
    large, _, _ = minhash_signatures(texts.cast(pa.large_string()))
    assert np.array_equal(sliced, whole[10:30]) and np.array_equal(large, whole)


def test_char_shingle_definition():
    hashes = lambda t, **kw: shingle_hashes(pa.array(t), ShingleSpec(**kw))  # noqa: E731
    h, o, cjk = hashes(["def f(x):\n    return x+1", "DEF f(x): return x + 1", "def f(x): return x-1", "", " \t\n",
                        "一二三 四五六七", "ab"])
    assert np.array_equal(h[o[0]:o[1]], h[o[1]:o[2]])  # case, spacing and line breaks do not matter
    assert not np.array_equal(h[o[0]:o[1]], h[o[2]:o[3]])  # an operator does
    assert list(np.diff(o)) == [len("deff(x):returnx+1") - 6, 11, 11, 0, 0, 1, 1]  # 7-grams of non-space chars
    assert list(cjk) == [False] * 5 + [True, False]
    sets = [set(h[o[i]:o[i + 1]].tolist()) for i in range(3)]
    grams = lambda t: {t[i:i + 7] for i in range(len(t) - 6)}  # noqa: E731
    assert len(sets[0] & sets[2]) == len(grams("deff(x):returnx+1") & grams("deff(x):returnx-1")) == 9
    h3, o3, _ = hashes(["abcdef"], char_ngram=3)
    assert o3[-1] == 4


def test_word_shingle_definition():
    hashes = lambda t, **kw: shingle_hashes(pa.array(t), ShingleSpec(mode="word", char_ngram=5, **kw))  # noqa: E731
    h, o, cjk = hashes(["Hello, World!  It's fine.", "hello world it s fine", "", "!!!", "一二三四五六", "a b"])
    assert np.array_equal(h[o[0]:o[1]], h[o[1]:o[2]])  # case, punctuation and spacing do not matter
    assert list(np.diff(o)) == [1, 1, 0, 0, 2, 1]  # <5 words: one shingle; no word characters: none
    assert list(cjk) == [False, False, False, False, True, False]  # CJK: character 5-grams
    h3, o3, _ = hashes(["one two three four five six seven"], word_ngram=3)
    assert o3[-1] == 5


def _jaccard_sets(rng, n_pairs=200, universe=10**9):
    """Pairs of shingle sets with Jaccard spread over [0, 1]."""
    pairs = []
    for _ in range(n_pairs):
        size = rng.randint(50, 400)
        base = rng.sample(range(universe), size)
        keep = rng.randint(0, size)
        other = base[:keep] + rng.sample(range(universe), size - keep)
        pairs.append(([f"s{x}" for x in base], [f"s{x}" for x in other]))
    return pairs


def _hash64(strings):
    return np.array([int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "little") for s in strings],
                    dtype=np.uint64)


def test_estimates_match_exact_jaccard_and_datasketch():
    datasketch = pytest.importorskip("datasketch")
    rng = random.Random(3)
    pairs = _jaccard_sets(rng)
    k = 128
    exact, ours, theirs = [], [], []
    for seed, (a, b) in enumerate(pairs):
        exact.append(len(set(a) & set(b)) / len(set(a) | set(b)))
        ha, hb = _hash64(a), _hash64(b)
        sig = signatures_from_hashes(np.concatenate([ha, hb]), np.array([0, len(ha), len(ha) + len(hb)]),
                                     HashFamily(k, seed=seed))
        ours.append(estimated_jaccard(sig[0], sig[1])[0])
        ma, mb = datasketch.MinHash(num_perm=k, seed=seed), datasketch.MinHash(num_perm=k, seed=seed)
        ma.update_batch([s.encode() for s in a])
        mb.update_batch([s.encode() for s in b])
        theirs.append(ma.jaccard(mb))
    exact, ours, theirs = map(np.array, (exact, ours, theirs))
    sigma = np.sqrt(exact * (1 - exact) / k) + 1e-9
    # each estimate within 4 sigma of the truth (binomial with k trials)
    assert (np.abs(ours - exact) <= 4 * sigma + 1 / k).all()
    # unbiased, and as accurate as datasketch's on the same sets
    assert abs((ours - exact).mean()) < 0.01 and abs((theirs - exact).mean()) < 0.01
    rmse_ours, rmse_theirs = np.sqrt(((ours - exact) ** 2).mean()), np.sqrt(((theirs - exact) ** 2).mean())
    assert rmse_ours < 1.25 * rmse_theirs and rmse_theirs < 1.25 * rmse_ours
    # standardised errors look like N(0, 1) for both
    z_ours = ((ours - exact) / sigma)[(exact > 0.05) & (exact < 0.95)]
    z_theirs = ((theirs - exact) / sigma)[(exact > 0.05) & (exact < 0.95)]
    assert 0.7 < z_ours.std() < 1.3 and 0.7 < z_theirs.std() < 1.3


def test_signature_properties():
    texts = pa.array(["the quick brown fox jumps over the lazy dog " * 5, "", "x"])
    sig, counts, _ = minhash_signatures(texts)
    assert sig.shape == (3, 128) and sig.dtype == np.uint32
    assert (sig[1] == EMPTY).all() and counts[1] == 0
    assert estimated_jaccard(sig[0], sig[0])[0] == 1.0 and estimated_jaccard(sig[1], sig[1])[0] == 0.0
    other, _, _ = minhash_signatures(texts, family=HashFamily(128, seed=2))
    assert not np.array_equal(sig[0], other[0])  # the seed picks the hash family
    assert np.array_equal(signatures_from_binary(signatures_to_binary(sig), 128), sig)


def test_exact_jaccard_of_texts():
    spec = ShingleSpec(word_ngram=1, mode="word")
    ha, oa, _ = shingle_hashes(pa.array(["a b c d", "x y", ""]), spec)
    hb, ob, _ = shingle_hashes(pa.array(["c d e f", "x y y", "q"]), spec)
    assert list(exact_jaccard(ha, oa, hb, ob)) == [2 / 6, 1.0, 0.0]
    assert list(exact_jaccard(ha, oa, hb, ob, use_kernel=False)) == [2 / 6, 1.0, 0.0]


def test_exact_jaccard_kernel_and_reference_equal_python_sets():
    """Rows with repeated hashes, empty rows and disjoint rows; truth from Python sets."""
    rng = np.random.default_rng(5)
    rows_a, rows_b = [], []
    for r in range(300):
        universe = int(rng.integers(1, 60))
        rows_a.append(rng.integers(0, universe, int(rng.integers(0, 40))).astype(np.uint64) * np.uint64(2**40 + 7))
        shift = np.uint64(0 if r % 3 else 10**6)  # every third pair disjoint
        rows_b.append(rng.integers(0, universe, int(rng.integers(0, 40))).astype(np.uint64) * np.uint64(2**40 + 7) + shift)
    flat = lambda rows: (np.concatenate(rows), np.concatenate([[0], np.cumsum([len(x) for x in rows])]))  # noqa: E731
    (ha, oa), (hb, ob) = flat(rows_a), flat(rows_b)
    truth = [len(set(a) & set(b)) / len(set(a) | set(b)) if len(set(a) | set(b)) else 0.0 for a, b in zip(rows_a, rows_b)]
    assert np.allclose(exact_jaccard(ha, oa, hb, ob), truth, atol=1e-12)
    assert np.allclose(exact_jaccard(ha, oa, hb, ob, use_kernel=False), truth, atol=1e-12)


@pytest.mark.parametrize("threshold", [0.5, 0.7, 0.8, 0.85, 0.9])
def test_band_choice_matches_datasketch(threshold):
    lsh = pytest.importorskip("datasketch.lsh")
    for num_perm, weights in [(128, (0.5, 0.5)), (64, (0.1, 0.9)), (256, (0.3, 0.7))]:
        ours = optimal_bands(threshold, num_perm, *weights)
        assert (ours.bands, ours.rows) == lsh._optimal_param(threshold, num_perm, *weights)
        assert ours.bands * ours.rows <= num_perm


def test_char_tables_saved_once_and_loaded_equal():
    """New Spark workers load the tables from __pycache__; they must equal a fresh build."""
    from refinery.dedup import shingles

    shingles.char_tables.cache_clear()
    lower, klass = shingles.char_tables()  # builds and saves, or loads an earlier save
    shingles.char_tables.cache_clear()
    lower2, klass2 = shingles.char_tables()  # now loads, where __pycache__ is writable
    fresh_lower, fresh_klass = shingles.build_char_tables()
    for got in ((lower, klass), (lower2, klass2)):
        assert np.array_equal(got[0], fresh_lower) and np.array_equal(got[1], fresh_klass)
        assert got[0].dtype == np.int32 and got[1].dtype == np.uint8
