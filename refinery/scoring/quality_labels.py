"""Weak quality labels: curated/reference documents are positives, random-web or
rule-rejected documents negatives, balanced per category.

Practitioner rule (seeds/000): train the scorer on "source A is good, source B is bad"
labels, and keep formatted data (code, markdown, LaTeX) from being scored away. If the
negatives were only spam, the scorer would learn "prose vs everything else"; so each
category gets as many negatives as positives: real negatives of that category where the
user has them, topped up with *degraded* copies of its positives (word salad, spun text,
boilerplate around a fragment, one sentence repeated), the failure modes of crawled pages. The scorer
then learns coherence within a category rather than the category itself.
"""
from __future__ import annotations

import random
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from refinery.scoring.categories import weak_category

POSITIVE, NEGATIVE = "hq", "lq"
_TOKEN = re.compile(r"[\u4e00-\u9fff]|[^\s\u4e00-\u9fff]+")
_BOILERPLATE = [
    "Home | About | Contact | Login | Register", "首页 | 新闻 | 登录 | 注册 | 联系我们", "Share on Facebook Twitter WeChat",
    "Click here to subscribe!", "点击这里下载APP，领取红包", "Copyright © All rights reserved.", "版权所有 © 未经授权禁止转载",
    "Related posts: Top 10 | Best deals | Hot news", "Cookie settings  Accept all", "热门推荐 | 猜你喜欢 | 广告",
]


def spin(tokens: list[str], rng: random.Random) -> list[str]:
    """An order-1 Markov walk over the document's own tokens: every adjacent pair occurs in the
    document, nothing longer need — the shape of machine-spun pages, which word salad (no pair
    kept) does not teach."""
    follow: dict[str, list[str]] = {}
    for a, b in zip(tokens, tokens[1:]):
        follow.setdefault(a, []).append(b)
    tok = rng.choice(tokens)
    out = [tok]
    for _ in range(len(tokens) - 1):
        tok = rng.choice(follow.get(tok) or tokens)
        out.append(tok)
    return out


def degrade(text: str, rng: random.Random) -> str:
    """One low-quality variant of a good document (training-time only)."""
    kind = rng.randrange(4)
    if kind in (0, 3):  # word salad (the document's own tokens in random order) or spun text
        tokens = _TOKEN.findall(text) or [text]
        if kind == 0:
            rng.shuffle(tokens)
        else:
            tokens = spin(tokens, rng)
        return " ".join(tokens)
    lines = [ln for ln in text.splitlines() if ln.strip()] or [text]
    if kind == 1:  # boilerplate page with a fragment of content
        frag = lines[rng.randrange(len(lines))][:200]
        chrome = rng.sample(_BOILERPLATE, 5)
        return "\n".join(chrome[:3] + [frag] + chrome[3:] * rng.randint(2, 4))
    line = lines[rng.randrange(len(lines))][:160]  # one sentence repeated (spun / stuffed pages)
    return "\n".join([line] * rng.randint(5, 15))


def assign_categories(docs: pa.Table, domain=None) -> pa.Array:
    """The ``category`` column where given, else the domain model's (when given), else the weak rules', else other."""
    given = docs.column("category") if "category" in docs.schema.names else pa.nulls(docs.num_rows, pa.string())
    if domain is not None:
        predicted, _ = domain.classify(docs.column("text"))
        return pc.coalesce(given, predicted)
    return pc.fill_null(pc.coalesce(given, weak_category(docs)), "other")


def build_quality_set(positives: pa.Table, negatives: pa.Table, domain=None, degrade_fill: bool = True,
                      cap_per_category: int = 0, seed: int = 0) -> pa.Table:
    """(text, category, label) with positives and negatives balanced within each category."""
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    pos_cat = np.array(assign_categories(positives, domain).to_pylist(), dtype=object)
    neg_cat = np.array(assign_categories(negatives, domain).to_pylist(), dtype=object) if negatives.num_rows else np.array([], dtype=object)
    pos_text, neg_text = positives.column("text").to_pylist(), negatives.column("text").to_pylist()
    rows = {"text": [], "category": [], "label": []}

    def add(texts, category, label):
        rows["text"].extend(texts)
        rows["category"].extend([category] * len(texts))
        rows["label"].extend([label] * len(texts))

    for cat in sorted(set(pos_cat) | set(neg_cat)):
        p_idx = nrng.permutation(np.flatnonzero(pos_cat == cat))
        n_idx = nrng.permutation(np.flatnonzero(neg_cat == cat))
        if cap_per_category:
            p_idx, n_idx = p_idx[:cap_per_category], n_idx[:cap_per_category]
        if len(p_idx) == 0:  # a category with only negatives (spam): all of them, up to the cap
            add([neg_text[i] for i in n_idx], cat, NEGATIVE)
            continue
        n_take = n_idx[: len(p_idx)]
        add([pos_text[i] for i in p_idx], cat, POSITIVE)
        add([neg_text[i] for i in n_take], cat, NEGATIVE)
        if degrade_fill:
            missing = len(p_idx) - len(n_take)
            add([degrade(pos_text[p_idx[k % len(p_idx)]], rng) for k in range(missing)], cat, NEGATIVE)
    return pa.table({k: pa.array(v, pa.string()) for k, v in rows.items()})
