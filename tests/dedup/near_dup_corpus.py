"""A generated near-duplicate benchmark: base documents, their variants, and unrelated ones.

Each family is a base document plus one variant of one kind:

* ``copy``     — the same text with other case, spacing and punctuation (exact after normalising);
* ``light``    — 0.2–2.5% of tokens substituted, inserted or deleted (typos, edits, ads);
* ``truncate`` — a prefix of 40–100% of the tokens (a page cut short, a teaser);
* ``rewrite``  — 15–50% of tokens changed (a heavy rewrite: not a duplicate).

English-like documents are sentences of Zipf-distributed pseudo-words; Chinese ones are
Zipf-distributed common Han characters with Chinese punctuation. The true label of a pair
comes from an oracle independent of ``refinery.dedup``: Jaccard of character 5-gram
sets in plain Python (``tests/dedup/real_pairs.py``), ≥ 0.85 duplicate, ≤ 0.5 distinct,
in between left out.
"""
from __future__ import annotations

import dataclasses
import hashlib
import random

import numpy as np
import pyarrow as pa

from tests.dedup.real_pairs import label, oracle_jaccard

SYLLABLES = ["ka", "to", "ri", "ne", "mo", "sa", "lu", "vi", "de", "po", "an", "el", "is", "or", "um", "tr", "st",
             "ch", "ea", "io", "ba", "ge", "fi", "ho", "ju", "ly", "mi", "qu", "we", "xo", "zy", "ny"]
HAN = [chr(c) for c in range(0x4E00, 0x4E00 + 2500)]


@dataclasses.dataclass
class Corpus:
    docs: list[dict]  # doc_id, text, category, quality_score, family, kind
    pairs: list[tuple[str, str, str, float]]  # (base doc_id, variant doc_id, kind, true Jaccard)


class _Vocab:
    def __init__(self, rng: random.Random, size: int, han: bool):
        if han:
            self.words = HAN[:size]
        else:
            words = set()
            while len(words) < size:
                words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.choice([1, 2, 2, 3, 3, 4]))))
            self.words = sorted(words)
            rng.shuffle(self.words)
        weights = 1.0 / np.arange(1, len(self.words) + 1) ** 1.05
        self.cum = np.cumsum(weights / weights.sum()).tolist()

    def draw(self, rng: random.Random) -> str:
        import bisect

        return self.words[min(bisect.bisect_left(self.cum, rng.random()), len(self.words) - 1)]


def _render(tokens: list[str], han: bool, rng: random.Random) -> str:
    out, sentence = [], []
    for i, t in enumerate(tokens):
        sentence.append(t)
        if rng.random() < (0.06 if han else 0.08) or i == len(tokens) - 1:
            if han:
                out.append("".join(sentence) + rng.choice(["。", "，", "！", "；"]))
            else:
                out.append(" ".join(sentence).capitalize() + rng.choice([".", ".", "?", "!", ";"]))
            sentence = []
    return ("" if han else " ").join(out)


def _edit(tokens, rate, vocab, rng):
    out = []
    for t in tokens:
        r = rng.random()
        if r < rate / 3:
            continue  # delete
        if r < 2 * rate / 3:
            out.append(vocab.draw(rng))  # substitute
        elif r < rate:
            out += [t, vocab.draw(rng)]  # insert
        else:
            out.append(t)
    return out


def _noisy_copy(text: str, rng: random.Random) -> str:
    text = text.upper() if rng.random() < 0.5 else text.replace(". ", " -- ").replace("。", "  ")
    return "  " + text.replace(" ", "   ") + " ..."


def make_corpus(n_families: int = 300, n_singletons: int = 150, seed: int = 0, zh_share: float = 0.25,
                kinds=("copy", "light", "light", "truncate", "truncate", "rewrite"),
                categories=("news", "encyclopedia", None)) -> Corpus:
    rng = random.Random(seed)
    vocab_en, vocab_zh = _Vocab(rng, 6000, False), _Vocab(rng, 2500, True)
    docs, pairs = [], []

    def add(text, family, kind, category):
        doc_id = hashlib.sha1(f"{seed}/{len(docs)}".encode()).hexdigest()[:16]
        docs.append({"doc_id": doc_id, "text": text, "category": category,
                     "quality_score": round(rng.random(), 4), "family": family, "kind": kind})
        return doc_id

    for f in range(n_families + n_singletons):
        han = rng.random() < zh_share
        vocab = vocab_zh if han else vocab_en
        tokens = [vocab.draw(rng) for _ in range(rng.randint(300, 900) if han else rng.randint(120, 500))]
        category = rng.choice(categories)
        base_text = _render(tokens, han, random.Random(rng.random()))
        base = add(base_text, f, "base" if f < n_families else "single", category)
        if f >= n_families:
            continue
        kind = rng.choice(kinds)
        if kind == "copy":
            text = _noisy_copy(base_text, rng)
        elif kind == "light":
            text = _render(_edit(tokens, rng.uniform(0.002, 0.025), vocab, rng), han, random.Random(rng.random()))
        elif kind == "truncate":
            text = _render(tokens[: max(1, int(len(tokens) * rng.uniform(0.4, 1.0)))], han, random.Random(rng.random()))
        else:
            text = _render(_edit(tokens, rng.uniform(0.15, 0.5), vocab, rng), han, random.Random(rng.random()))
        pairs.append((base, add(text, f, kind, category), kind))
    by_id = {d["doc_id"]: d["text"] for d in docs}
    sims = true_jaccard([by_id[a] for a, _, _ in pairs], [by_id[b] for _, b, _ in pairs])
    return Corpus(docs, [(a, b, k, float(s)) for (a, b, k), s in zip(pairs, sims)])


def true_jaccard(texts_a, texts_b) -> np.ndarray:
    return np.array([oracle_jaccard(a, b) for a, b in zip(texts_a, texts_b)])


def pair_metrics(corpus: Corpus, kept_of: dict[str, str]) -> dict:
    """Precision/recall/F1 over pairs: predicted = same output cluster; truth = the oracle's
    label (pairs in its grey zone are left out).

    Labelled pairs are each family's (base, variant); every other pair that lands in one
    cluster is checked with its true Jaccard too (a cross-family merge is a false positive).
    """
    by_id = {d["doc_id"]: d for d in corpus.docs}
    clusters: dict[str, list[str]] = {}
    for doc, rep in kept_of.items():
        clusters.setdefault(rep, []).append(doc)
    predicted = {tuple(sorted((a, b))) for members in clusters.values() for i, a in enumerate(members)
                 for b in members[i + 1:]}
    labelled = {tuple(sorted((a, b))): s for a, b, _, s in corpus.pairs}
    unknown = sorted(predicted - labelled.keys())
    if unknown:
        sims = true_jaccard([by_id[a]["text"] for a, _ in unknown], [by_id[b]["text"] for _, b in unknown])
        labelled.update(dict(zip(unknown, sims)))
    truth = {p: label(s) for p, s in labelled.items()}
    tp = sum(1 for p in predicted if truth[p] is True)
    fp = sum(1 for p in predicted if truth[p] is False)
    fn = sum(1 for p, t in truth.items() if t is True and p not in predicted)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1,
            "positives": tp + fn, "pairs": len(corpus.pairs)}
