"""MinHash: the compiled kernel equals the NumPy reference; estimates match exact Jaccard
and datasketch's on the same shingle sets; LSH parameters match datasketch's."""
import hashlib
import random

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
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


def _real_batch(real_slice, n=90, seed=5):
    """Real documents (code, prose, Chinese) cut to 3,000 characters, in random LSH groups."""
    rng = random.Random(seed)
    texts = [t[:3000] for t in real_slice.column("text").to_pylist() if t and t.strip()]
    texts = rng.sample(texts, n) + ["", None]
    groups = [rng.choice(["__default__", "news", "code", "markdown_docs"]) for _ in texts]
    return pa.RecordBatch.from_pydict({"doc_id": [f"d{i}" for i in range(len(texts))],
                                       "text": pa.array(texts, pa.string()), "group": groups})


GROUP_SPECS = {"__default__": ShingleSpec(), "news": ShingleSpec(),  # news: its own threshold only
               "code": ShingleSpec(mode="word"), "markdown_docs": ShingleSpec(char_ngram=4, cjk_ratio=0.6)}


def test_signature_operator_per_group_spec_equals_single_spec_calls(real_slice):
    from refinery.dedup.operators import make_signature_operator

    batch, family = _real_batch(real_slice), HashFamily(64, seed=3)
    got = make_signature_operator(GROUP_SPECS, family)(batch)
    assert got.column("doc_id").equals(batch.column("doc_id")) and got.column("group").equals(batch.column("group"))
    sig = signatures_from_binary(got.column("signature"), 64)
    groups = batch.column("group").to_pylist()
    differ = 0
    for spec in set(GROUP_SPECS.values()):
        alone = make_signature_operator(spec, family)(batch)  # the single-spec path (held to the NumPy reference)
        want = signatures_from_binary(alone.column("signature"), 64)
        rows = [i for i, g in enumerate(groups) if GROUP_SPECS[g] == spec]
        assert np.array_equal(sig[rows], want[rows])
        assert got.column("n_shingles").take(pa.array(rows)).equals(alone.column("n_shingles").take(pa.array(rows)))
        other = [i for i in range(len(groups)) if i not in rows and batch.column("text")[i].as_py()]
        differ += int((sig[other] != want[other]).any(axis=1).sum())
    assert differ > 100  # the specs do give other signatures: the split matters
    with pytest.raises(ValueError, match="markdown_docs"):
        make_signature_operator({g: s for g, s in GROUP_SPECS.items() if g != "markdown_docs"}, family)(batch)


def test_pair_operator_per_group_spec_equals_single_spec_calls(real_slice):
    from refinery.dedup.operators import make_pair_similarity_operator, make_signature_operator

    docs = _real_batch(real_slice, n=60, seed=6)
    family, rng = HashFamily(64, seed=3), random.Random(1)
    signed = make_signature_operator(GROUP_SPECS, family)(docs)
    texts, groups = docs.column("text").to_pylist(), docs.column("group").to_pylist()
    by_group = {}
    for i, g in enumerate(groups):
        by_group.setdefault(g, []).append(i)
    pairs = [tuple(rng.sample(m, 2)) for m in by_group.values() if len(m) > 1 for _ in range(15)]
    pairs += [(i, i) for i in range(0, len(texts), 7)]  # a document with itself: similarity 1 (or 0 without shingles)
    u, v = map(list, zip(*pairs))
    sig = signed.column("signature")
    u_text = pa.array([texts[i] for i in u], pa.string())
    batch = pa.RecordBatch.from_pydict({
        "u": [f"d{i}" for i in u], "v": [f"d{i}" for i in v], "group": [groups[i] for i in u],
        "u_signature": sig.take(pa.array(u)), "v_signature": sig.take(pa.array(v)),
        "u_text": pc.if_else(pa.array([k % 9 == 4 for k in range(len(u))]), pa.nulls(len(u), pa.string()), u_text),
        "v_text": pa.array([texts[i] for i in v], pa.string())})  # some u texts missing: the estimate is used
    got = make_pair_similarity_operator(GROUP_SPECS, 64, exact=True)(batch)
    assert got.column("u").equals(batch.column("u")) and got.column("group").equals(batch.column("group"))
    sim = got.column("similarity").to_numpy()
    rows_of = {spec: [k for k, g in enumerate(batch.column("group").to_pylist()) if GROUP_SPECS[g] == spec]
               for spec in set(GROUP_SPECS.values())}
    for spec, rows in rows_of.items():
        # each row as the single-spec operator with that row's group's spec gives it
        alone = make_pair_similarity_operator(spec, 64, exact=True)(batch)
        assert np.array_equal(sim[rows], alone.column("similarity").to_numpy()[rows])
    estimate = make_pair_similarity_operator(None, 64, exact=False)(batch).column("similarity").to_numpy()
    missing = [k for k in range(len(u)) if k % 9 == 4]
    assert np.array_equal(sim[missing], estimate[missing])
    assert (sim[[k for k, (a, b) in enumerate(pairs) if a == b and texts[a] and k % 9 != 4]] == 1.0).all()
