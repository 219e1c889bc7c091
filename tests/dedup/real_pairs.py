"""Near-duplicate pairs built from the real corpus, labelled by an independent oracle.

Each *family* is one real document (code, English prose or Chinese, from
``corpus.load()``) and four variants of it:

* ``copy``     — the text unchanged;
* ``truncate`` — a prefix of 55–98% of its characters (a page cut short);
* ``light``    — 0.5–3% of its characters changed: short spans substituted (with characters
  drawn from the same document, so code stays code and Chinese stays Chinese), deleted or
  inserted, at random places;
* ``heavy``    — 15–45% of its characters changed the same way (a rewrite).

The truth is :func:`oracle_jaccard`: Jaccard of the sets of character 5-grams of the
lower-cased text with whitespace runs as one space (plain Python ``set``, no hashing) — a
shingling unlike the job's (which drops whitespace and uses 7-grams) and code unlike
``refinery.dedup``. A pair is a duplicate at ≥ 0.85 and distinct at ≤ 0.5;
pairs in between are left out of precision and recall (either answer is defensible).
Every pair inside a family is labelled, not only (base, variant).
"""
from __future__ import annotations

import dataclasses
import random

import pyarrow as pa

DUPLICATE_AT, DISTINCT_AT = 0.85, 0.5
KINDS = ("code", "en", "zh")
EDITS = ("copy", "truncate", "light", "heavy")


def char_5grams(text: str) -> set[str]:
    """5-grams of the lower-cased text with each whitespace run as one space."""
    text = " ".join(text.lower().split())
    return {text[i : i + 5] for i in range(max(len(text) - 4, 1))} if text else set()


def oracle_jaccard(a: str, b: str) -> float:
    """Jaccard of the character 5-gram sets (the independent truth)."""
    sa, sb = char_5grams(a), char_5grams(b)
    union = len(sa | sb)
    return len(sa & sb) / union if union else 1.0


def label(similarity: float) -> bool | None:
    """True: duplicate; False: distinct; None: in the grey zone between."""
    if similarity >= DUPLICATE_AT:
        return True
    if similarity <= DISTINCT_AT:
        return False
    return None


@dataclasses.dataclass
class RealPairs:
    docs: list[dict]  # doc_id, text, kind (code | en | zh), edit, family
    pairs: dict[tuple[int, int], float]  # (i, j) with i < j, same family -> oracle Jaccard

    def texts(self) -> pa.Array:
        return pa.array([d["text"] for d in self.docs], pa.string())


def kind_of(kind: str | None, lang: str | None) -> str | None:
    if kind == "code":
        return "code"
    if lang in ("en", "zh"):
        return lang
    return None


def _edit(text: str, rate: float, rng: random.Random) -> str:
    """Change about ``rate`` of the characters in short spans (substitute, delete, insert)."""
    chars = list(text)
    budget = max(1, int(len(chars) * rate))
    alphabet = text
    while budget > 0:
        span = min(budget, rng.randint(1, 6))
        pos = rng.randrange(max(len(chars), 1))
        op = rng.random()
        new = [alphabet[rng.randrange(len(alphabet))] for _ in range(span)]
        if op < 0.5:
            chars[pos : pos + span] = new
        elif op < 0.75:
            del chars[pos : pos + span]
        else:
            chars[pos:pos] = new
        budget -= span
    return "".join(chars)


def build(table: pa.Table, per_kind: int = 60, min_chars: int = 500, max_chars: int = 6000,
          seed: int = 0) -> RealPairs:
    """``per_kind`` families per kind from a corpus table (columns kind, lang, text, doc_id).

    Documents are cut to their first ``max_chars`` characters (at a line break when there is
    one) so the oracle stays cheap; shorter than ``min_chars`` are skipped.
    """
    rng = random.Random(seed)
    cols = table.select(["doc_id", "kind", "lang", "text"]).to_pydict()
    by_kind: dict[str, list[tuple[str, str]]] = {k: [] for k in KINDS}
    for doc_id, kind, lang, text in zip(cols["doc_id"], cols["kind"], cols["lang"], cols["text"]):
        k = kind_of(kind, lang)
        if k is None or not text:
            continue
        if len(text) > max_chars:
            cut = text.rfind("\n", 0, max_chars)
            text = text[: cut if cut > max_chars // 2 else max_chars]
        if len(text.strip()) >= min_chars:
            by_kind[k].append((doc_id, text))
    docs, pairs = [], {}
    for k in KINDS:
        chosen = sorted(by_kind[k])
        rng.shuffle(chosen)
        seen_texts = set()
        family_count = 0
        for doc_id, text in chosen:
            if family_count == per_kind:
                break
            if text in seen_texts:  # the corpus holds some files twice (vendored copies)
                continue
            seen_texts.add(text)
            variants = {
                "base": text,
                "copy": text,
                "truncate": text[: int(len(text) * rng.uniform(0.55, 0.98))],
                "light": _edit(text, rng.uniform(0.005, 0.03), rng),
                "heavy": _edit(text, rng.uniform(0.15, 0.45), rng),
            }
            first = len(docs)
            for edit, t in variants.items():
                docs.append({"doc_id": f"{doc_id}-{edit}", "text": t, "kind": k, "edit": edit, "family": doc_id})
            grams = [char_5grams(d["text"]) for d in docs[first:]]
            for i in range(len(grams)):
                for j in range(i + 1, len(grams)):
                    union = len(grams[i] | grams[j])
                    pairs[(first + i, first + j)] = len(grams[i] & grams[j]) / union if union else 1.0
            family_count += 1
    return RealPairs(docs, pairs)


def edit_of(docs: list[dict], i: int, j: int) -> str:
    """The edit a labelled pair stands for: the variant's edit when one side is the base."""
    ei, ej = docs[i]["edit"], docs[j]["edit"]
    if ei == "base":
        return ej
    if ej == "base":
        return ei
    return "variants"


def scores(real: RealPairs, predicted: set[tuple[int, int]], by=("kind",)) -> dict:
    """Precision / recall / F1 of predicted pairs (i < j, any two documents), per ``by`` key.

    Labelled pairs come with the families; a predicted pair outside a family is labelled
    by the oracle now (a cross-family merge that is not a near duplicate is a false positive).
    """
    sims = dict(real.pairs)
    for p in predicted - sims.keys():
        sims[p] = oracle_jaccard(real.docs[p[0]]["text"], real.docs[p[1]]["text"])
    out: dict = {}
    for (i, j), s in sims.items():
        truth = label(s)
        if truth is None:
            continue
        key = []
        for b in by:
            key.append(real.docs[i]["kind"] if b == "kind" else edit_of(real.docs, i, j) if (i, j) in real.pairs
                       else "cross-family")
        m = out.setdefault(tuple(key), {"tp": 0, "fp": 0, "fn": 0, "tn": 0})
        hit = (i, j) in predicted
        m["tp" if truth and hit else "fp" if hit else "fn" if truth else "tn"] += 1
    for m in out.values():
        m["precision"] = m["tp"] / (m["tp"] + m["fp"]) if m["tp"] + m["fp"] else 1.0
        m["recall"] = m["tp"] / (m["tp"] + m["fn"]) if m["tp"] + m["fn"] else 1.0
        p, r = m["precision"], m["recall"]
        m["f1"] = 2 * p * r / (p + r) if p + r else 0.0
    return {"/".join(k): v for k, v in sorted(out.items())}


def _components(n: int, edges) -> set[tuple[int, int]]:
    parent = list(range(n))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        parent[find(a)] = find(b)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return {(a, b) for g in groups.values() for x, a in enumerate(g) for b in g[x + 1:]}


def predict_ours(real: RealPairs, cfg=None) -> set[tuple[int, int]]:
    """What the dedup job decides, without Spark: signatures, LSH bands of the default
    group, exact verification of the candidates (``cfg.lsh.verify``), connected components."""
    import numpy as np

    from refinery.dedup.config import DEFAULT_GROUP, DedupConfig
    from refinery.dedup.minhash import estimated_jaccard, exact_jaccard, minhash_signatures, shingle_hashes

    cfg = cfg or DedupConfig()
    spec, family = cfg.shingles.spec(), cfg.minhash.family()
    bp = cfg.lsh.groups(family.num_perm)[DEFAULT_GROUP]
    texts = real.texts()
    sig, counts, _ = minhash_signatures(texts, spec, family)
    buckets: dict[tuple[int, bytes], list[int]] = {}
    for d in np.flatnonzero(counts > 0):
        for band in range(bp.bands):
            buckets.setdefault((band, sig[d, band * bp.rows:(band + 1) * bp.rows].tobytes()), []).append(int(d))
    candidates = sorted({(m[0], x) for m in buckets.values() for x in m[1:]})  # a star per bucket, as the job
    if not candidates:
        return set()
    a, b = np.array(candidates).T
    if cfg.lsh.verify == "exact":
        ha, oa, _ = shingle_hashes(texts.take(pa.array(a)), spec)
        hb, ob, _ = shingle_hashes(texts.take(pa.array(b)), spec)
        sim = exact_jaccard(ha, oa, hb, ob)
    elif cfg.lsh.verify == "signature":
        sim = estimated_jaccard(sig[a], sig[b])
    else:
        sim = np.ones(len(a))
    keep = sim >= bp.threshold - 1e-6
    return _components(len(real.docs), zip(a[keep].tolist(), b[keep].tolist()))
