"""Repeated (document, key) pairs and the most frequent n-gram per document, computed batch-wide
with Arrow's hash encoding, against plain Python over each document (a set of seen pairs,
``collections.Counter.most_common``), the definitions datatrove's Gopher repetition filter uses."""
import collections
import unicodedata

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


def _punct(c: str) -> bool:
    """Punctuation for the tokenizer: not a letter, number, mark, underscore or space (Unicode)."""
    return not (unicodedata.category(c)[0] in "LNM" or c == "_" or c.isspace())


def _edge_split(word: str) -> list[str]:
    """One whitespace-separated word as the tokens definition reads: its leading run of
    punctuation (or of underscores) and its trailing run of punctuation come off as tokens, and a
    run of two or more punctuation characters that is not an ellipsis is one token per character."""
    lead = len(word) - len(word.lstrip("".join(c for c in set(word) if _punct(c))))
    if lead == 0:
        lead = len(word) - len(word.lstrip("_"))
    pieces, rest = [word[:lead]], word[lead:]
    trail = len(rest) - len(rest.rstrip("".join(c for c in set(rest) if _punct(c))))
    pieces += [rest[:len(rest) - trail], rest[len(rest) - trail:]]
    out = []
    for p in pieces:
        if len(p) >= 2 and all(_punct(c) for c in p) and set(p) != {"."}:
            out.extend(p)
        elif p:
            out.append(p)
    return out


# letters of several scripts without case (no infix "a.B"), digits, marks, underscore, and
# punctuation that spaCy's infix rules leave alone
_WORD_CHARS = "aé中жαب٣0_\u0301"
_PUNCT_CHARS = "!?()[]{}\"«»¿¡;%©#*&@."


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.sampled_from(_WORD_CHARS + _PUNCT_CHARS), min_size=1, max_size=8), max_size=12),
       st.sampled_from([" ", "\n", "  "]))
def test_tokens_split_edge_punctuation_as_a_per_word_definition(words, sep):
    text = sep.join(words)
    tokens = TextView(pa.array([text])).tokens
    assert tokens.values.to_pylist() == [t for w in text.split() for t in _edge_split(w)]
    assert tokens.lengths.tolist() == [len(t) for t in tokens.values.to_pylist()]


def test_words_of_any_script_stay_whole_on_real_pages(real_slice):
    """A word made of letters and marks only (Python's ``unicodedata``) is one token, whatever its
    script: RE2's ASCII ``\\w`` once cut Cyrillic, Arabic and the é of "café" apart."""
    texts = [t for t in real_slice.column("text").to_pylist() if t]
    view = TextView(pa.array(texts, pa.string()))
    per_doc = collections.defaultdict(collections.Counter)
    for p, t in zip(view.tokens.parent.tolist(), view.tokens.values.to_pylist()):
        per_doc[p][t] += 1
    scripts, checked = set(), 0
    for i, text in enumerate(texts):
        for w in text.split():
            if all(unicodedata.category(c)[0] in "LM" for c in w):
                assert per_doc[i][w] > 0, (i, w)
                checked += 1
                scripts.update(unicodedata.name(c, "?").split()[0] for c in w if ord(c) > 0x24F)
    assert checked > 100_000 and {"CYRILLIC", "ARABIC", "GREEK", "CJK"} <= scripts


def test_split_whitespace_is_stable_at_a_buffers_end():
    """pyarrow's utf8_split_whitespace alone returned ``['a', 'é ']`` for about 2 in 1,000 fresh
    buffers ending in "é " (it reads past the end); trimmed first, every run agrees with str.split."""
    from refinery.filters.text_view import split_whitespace

    for text in ("a é ", "a é\n", "é  b é\u3000"):
        got = {tuple(split_whitespace(pa.array(["z" * i, text]).slice(1))[0].as_py()) for i in range(2000)}
        assert got == {tuple(text.split())}


def check_repeated_ngram_starts(docs: list[list[int]]):
    from refinery.filters.gopher_repetition import repeated_ngram_starts

    codes = np.array([c for d in docs for c in d], dtype=np.int64)
    parent = np.array([i for i, d in enumerate(docs) for _ in d], dtype=np.int64)
    for n, repeat in repeated_ngram_starts(codes, parent, range(2, 8)):
        expected = []
        for d in docs:
            seen = set()
            for i in range(len(d)):
                gram = tuple(d[i:i + n])
                expected.append(len(gram) == n and gram in seen)
                seen.add(gram)
        assert repeat.tolist() == expected, n


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.integers(0, 3), max_size=40), min_size=1, max_size=5))
def test_repeated_ngram_starts_equal_a_set_of_seen_ngrams(docs):
    """Each n hashes only where the (n-1)-gram occurs twice: the masks still equal a plain walk."""
    check_repeated_ngram_starts(docs)


def test_repeated_ngram_starts_on_real_pages(real_slice):
    view = TextView(pa.array([t for t in real_slice.column("text").to_pylist() if t][:200], pa.string()))
    codes, parent = view.token_codes, view.tokens.parent
    check_repeated_ngram_starts([codes[parent == i].tolist() for i in range(view.n)])


def test_token_flags_by_distinct_token_equal_flags_on_every_token(real_slice):
    from refinery.filters.punctuation import PUNCTUATION
    from refinery.filters.text_view import subset_view

    view = TextView(pa.array([t for t in real_slice.column("text").to_pylist() if t][:300], pa.string()))
    for pattern in (r"\pL", f"[^{PUNCTUATION}]"):
        assert (view.token_flags(pattern) == view.tokens.flags(pattern)).all()
    rows = np.arange(0, view.n, 3)
    sub = subset_view(view, rows)  # reuses the batch's dictionary
    fresh = TextView(view.texts.take(pa.array(rows)))
    assert (sub.token_flags(r"\pL") == fresh.tokens.flags(r"\pL")).all()
