"""Gopher repetition rules (Rae et al. 2021, table A1), thresholds as published and as datatrove's
``GopherRepetitionFilter`` uses them; Chinese uses FineWeb-2's cmn_Hani values over character
n-grams (conf/clean.yaml):

* duplicate paragraphs / lines: ≤ 30% of them, ≤ 20% of the characters;
* the most frequent 2/3/4-gram covers ≤ 20% / 18% / 16% of the characters;
* characters inside repeated 5..10-grams: ≤ 15%, 14%, 13%, 12%, 11%, 10%.

Repeated n-gram characters are counted as the reference implementation walks the text (after a
repeat it counts n tokens and jumps past them), computed for a whole batch from the runs of
consecutive repeated n-grams instead of a per-token walk; bench/clean.py measures how often the
two disagree (the walk also forgets the n-grams it jumped over, which we do not model).
"""
from __future__ import annotations

import numpy as np

from refinery.filters.rule import Family, Rule, safe_div
from refinery.filters.text_view import extend_keys, ngram_keys, pair_ids, seen_before

TOP_NGRAMS = (2, 3, 4)
DUP_NGRAMS = (5, 6, 7, 8, 9, 10)

RULES = [
    Rule("gopher.dup_para_frac", "max", "share of paragraphs repeating an earlier one", lines="paragraphs", prose=True),
    Rule("gopher.dup_para_char_frac", "max", "share of characters in repeated paragraphs", lines="paragraphs", prose=True),
    Rule("gopher.dup_line_frac", "max", "share of lines repeating an earlier one", lines="line_runs", prose=True),
    Rule("gopher.dup_line_char_frac", "max", "share of characters in repeated lines", lines="line_runs", prose=True),
    *[Rule(f"gopher.top_{n}gram_char_frac", "max", f"share of characters in the most frequent {n}-gram", prose=True) for n in TOP_NGRAMS],
    *[Rule(f"gopher.dup_{n}gram_char_frac", "max", f"share of characters in repeated {n}-grams", prose=True) for n in DUP_NGRAMS],
]

DEFAULTS_EN = {
    "gopher.dup_para_frac": 0.3, "gopher.dup_para_char_frac": 0.2,
    "gopher.dup_line_frac": 0.3, "gopher.dup_line_char_frac": 0.2,
    "gopher.top_2gram_char_frac": 0.2, "gopher.top_3gram_char_frac": 0.18, "gopher.top_4gram_char_frac": 0.16,
    "gopher.dup_5gram_char_frac": 0.15, "gopher.dup_6gram_char_frac": 0.14, "gopher.dup_7gram_char_frac": 0.13,
    "gopher.dup_8gram_char_frac": 0.12, "gopher.dup_9gram_char_frac": 0.11, "gopher.dup_10gram_char_frac": 0.10,
}


def _line_flags(view, ctx, rule: str) -> np.ndarray:
    split = view.paragraphs if rule.startswith("gopher.dup_para") else view.line_runs
    return split.repeated


def top_ngram_chars(codes, lengths, parent, n_docs, n) -> np.ndarray:
    """Per document: characters of its most frequent n-gram (joined by spaces) times its count.

    Ties go to the n-gram seen first, as ``Counter.most_common`` does.
    """
    starts, key = ngram_keys(codes, parent, n)
    out = np.zeros(n_docs)
    if len(starts) == 0:
        return out
    doc = parent[starts]
    ids = pair_ids(doc, key)
    count = np.bincount(ids)[ids]
    best = np.zeros(n_docs, dtype=np.int64)
    np.maximum.at(best, doc, count)
    at_best = count == best[doc]
    docs_hit, first = np.unique(doc[at_best], return_index=True)
    pos = starts[at_best][first]
    csum = np.concatenate([[0], np.cumsum(lengths)])
    chars = csum[pos + n] - csum[pos] + (n - 1)
    out[docs_hit] = chars * best[docs_hit]
    return out


def repeated_ngram_starts(codes, parent, ns):
    """For each n of ``ns`` (consecutive, increasing): a mask over token positions, True where the
    n-gram starting there repeats an earlier n-gram of its document.

    An (n+1)-gram can repeat only where its n-gram occurs twice in the document, so each n after
    the first hashes only those positions (on real pages a small share), extending their keys by
    one token (``extend_keys``, ``ngram_keys``' own step)."""
    assert list(ns) == list(range(ns[0], ns[0] + len(ns)))
    total = len(codes)
    starts, key = ngram_keys(codes, parent, ns[0])
    for n in ns:
        repeat = np.zeros(total, dtype=bool)
        if len(starts):
            doc = parent[starts]
            ids = pair_ids(doc, key)
            repeat[starts[seen_before(ids)]] = True
            nxt = starts + n
            grow = (np.bincount(ids)[ids] >= 2) & (nxt < total)
            grow[grow] = parent[nxt[grow]] == doc[grow]
            key = extend_keys(key[grow], codes[nxt[grow]])
            starts = starts[grow]
        yield n, repeat


def repeated_ngram_chars(repeat, lengths, parent, n_docs, n) -> np.ndarray:
    """Per document: characters of the n-grams that repeat an earlier n-gram (``repeat``: their
    start positions, from ``repeated_ngram_starts``), counted the way the Gopher reference walks
    the text (datatrove's ``find_all_duplicate``): at a repeat it counts the n tokens and jumps
    past them, so a repeated stretch in which m consecutive n-grams repeat counts
    ``ceil(m / n) * n`` tokens (not the m + n - 1 tokens it covers)."""
    total = len(repeat)
    prev = np.concatenate([[False], repeat[:-1] & (parent[1:] == parent[:-1])])
    run_start = np.flatnonzero(repeat & ~prev)
    if len(run_start) == 0:
        return np.zeros(n_docs)
    run_len = np.diff(np.append(run_start, total))  # upper bound, trimmed below
    # m = repeated starts in each run: count them with a cumulative sum over the run's span
    csum_rep = np.concatenate([[0], np.cumsum(repeat)])
    m = csum_rep[run_start + run_len] - csum_rep[run_start]
    counted = -(-m // n) * n
    doc_end = np.concatenate([[0], np.cumsum(np.bincount(parent, minlength=n_docs))])[parent[run_start] + 1]
    stop = np.minimum(run_start + counted, doc_end)
    csum = np.concatenate([[0], np.cumsum(lengths)])
    return np.bincount(parent[run_start], weights=(csum[stop] - csum[run_start]).astype(np.float64), minlength=n_docs)


def measure(view, ctx) -> dict:
    length = view.lengths
    paras, lines = view.paragraphs, view.line_runs
    out = {
        "gopher.dup_para_frac": safe_div(paras.per_doc(paras.repeated), paras.counts),
        "gopher.dup_para_char_frac": safe_div(paras.per_doc(np.where(paras.repeated, paras.lengths, 0)), length),
        "gopher.dup_line_frac": safe_div(lines.per_doc(lines.repeated), lines.counts),
        "gopher.dup_line_char_frac": safe_div(lines.per_doc(np.where(lines.repeated, lines.lengths, 0)), length),
    }
    tok, codes = view.tokens, view.token_codes
    for n in TOP_NGRAMS:
        out[f"gopher.top_{n}gram_char_frac"] = safe_div(top_ngram_chars(codes, tok.lengths, tok.parent, view.n, n), length)
    for n, repeat in repeated_ngram_starts(codes, tok.parent, DUP_NGRAMS):
        out[f"gopher.dup_{n}gram_char_frac"] = safe_div(repeated_ngram_chars(repeat, tok.lengths, tok.parent, view.n, n), length)
    return out


FAMILY = Family("gopher_repetition", RULES, measure, _line_flags)
