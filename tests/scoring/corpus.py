"""Deterministic small corpora for the scoring tests (no downloads): documents of several
categories in Chinese and English, good prose/code as positives and spam as negatives."""
from __future__ import annotations

import inspect
import json
import random
import textwrap

_EN_SUBJ = ["The city council", "A research team", "The central bank", "Local farmers", "The museum", "Engineers"]
_EN_VERB = ["announced", "reported", "approved", "studied", "described", "measured"]
_EN_OBJ = ["a new budget for public transport", "the effects of the drought on crops", "plans to repair the old bridge",
           "a rise in exports this quarter", "the restoration of a medieval map", "the water quality of the river"]
_ZH_SUBJ = ["市政府", "研究团队", "央行", "当地农民", "博物馆", "工程师们"]
_ZH_VERB = ["宣布了", "报告了", "批准了", "研究了", "介绍了", "测量了"]
_ZH_OBJ = ["新的公共交通预算", "干旱对农作物的影响", "修复老桥的计划", "本季度出口的增长", "一幅古地图的修复工作", "河流的水质"]
_EN_SPAM = ["cheap pills", "best casino bonus", "win money now", "free iphone", "hot singles", "crypto x100"]
_ZH_SPAM = ["免费领取", "彩票平台", "日赚千元", "点击下载", "加微信", "澳门赌场"]


def prose(rng: random.Random, zh: bool) -> str:
    sents = []
    for _ in range(rng.randint(4, 8)):
        if zh:
            sents.append(f"{rng.choice(_ZH_SUBJ)}{rng.choice(_ZH_VERB)}{rng.choice(_ZH_OBJ)}，并表示将在{rng.randint(2, 12)}月公布细节。")
        else:
            sents.append(f"{rng.choice(_EN_SUBJ)} {rng.choice(_EN_VERB)} {rng.choice(_EN_OBJ)} and will publish details in month {rng.randint(2, 12)}.")
    return ("" if zh else " ").join(sents)


def spam(rng: random.Random, zh: bool) -> str:
    words = [rng.choice(_ZH_SPAM if zh else _EN_SPAM) for _ in range(rng.randint(15, 30))]
    return ("！" if zh else "!!! ").join(words)


_SNIPPETS = []


def code(rng: random.Random) -> str:
    if not _SNIPPETS:
        import json as j, textwrap as t, random as r

        for mod in (j, t, r):
            for _, fn in inspect.getmembers(mod, inspect.isfunction):
                try:
                    src = inspect.getsource(fn)
                except (OSError, TypeError):
                    continue
                if 200 < len(src) < 2500:
                    _SNIPPETS.append(textwrap.dedent(src))
    return rng.choice(_SNIPPETS)


def documents(n: int, seed: int = 0) -> list[dict]:
    """Rows with text/url/category/label: news prose (good), code (good), spam (bad), en and zh."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        kind = i % 3
        zh = rng.random() < 0.5
        if kind == 0:
            rows.append({"text": prose(rng, zh), "url": f"https://news.example.{'cn' if zh else 'com'}/a/{i}.html",
                         "category": "news", "label": "hq"})
        elif kind == 1:
            rows.append({"text": code(rng), "url": f"https://code.example.org/src/{i}", "category": "code", "label": "hq"})
        else:
            rows.append({"text": spam(rng, zh), "url": f"https://cheap-deals.example.biz/{i}", "category": "ads_spam",
                         "label": "lq"})
    return rows


def write_jsonl(path, rows) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps({k: v for k, v in r.items() if k != "label"}, ensure_ascii=False) + "\n")
