"""Chinese document rules. Alongside the Gopher/FineWeb rules measured over characters
(FineWeb-2 cmn_Hani thresholds, conf/clean.yaml), the practitioner rules of the zhihu write-up
"LLM训练-pretrain" (data cleaning: 长度、zh 占比、是否有 "http"、低质/黄色/赌博关键词):

* ``zh.cjk_ratio``: share of CJK characters among non-whitespace characters (ingest's
  ``cjk_ratio``), min 0.3 — a "Chinese" page that is mostly Latin/digits is navigation or spam;
* ``zh.min_chars``: non-whitespace characters, min 100;
* ``zh.avg_line_length``: mean non-whitespace characters per non-blank line, min 10 (menus, tag
  clouds and link lists are many very short lines);
* ``zh.dirty_density``: spam/gambling/porn keyword hits (wordlists/zh_dirty_keywords.txt) per
  1,000 characters (a shorter document counts as 1,000, so one mention in a short news item is
  not a density of 5), max 3 — a news report mentioning gambling passes, spam repeating it fails;
* ``zh.url_density``: occurrences of "http" per character, max 0.005 (one URL per 200 chars).
"""
from __future__ import annotations

import re

import numpy as np
import pyarrow.compute as pc

from refinery.filters.rule import Family, Rule, safe_div

RULES = [
    Rule("zh.cjk_ratio", "min", "share of CJK characters"),
    Rule("zh.min_chars", "min", "non-whitespace characters"),
    Rule("zh.avg_line_length", "min", "mean non-whitespace characters per line"),
    Rule("zh.dirty_density", "max", "dirty keyword hits per 1,000 characters", lines="newline_lines"),
    Rule("zh.url_density", "max", "'http' per character", lines="newline_lines"),
]

DEFAULTS_ZH = {
    "zh.cjk_ratio": 0.3, "zh.min_chars": 100, "zh.avg_line_length": 10,
    "zh.dirty_density": 3.0, "zh.url_density": 0.005,
}

_NON_SPACE = r"\S"


def dirty_pattern(words) -> str | None:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) if words else None


def _line_flags(view, ctx, rule: str) -> np.ndarray:
    lines = view.newline_lines
    if rule == "zh.url_density":
        return lines.flags("http")
    pattern = dirty_pattern(ctx.dirty_words)
    return lines.flags(pattern, ignore_case=True) if pattern else np.zeros(len(lines.values), dtype=bool)


def measure(view, ctx) -> dict:
    chars = ctx.columns.get("char_count")
    if chars is None:
        chars = view.count_regex(_NON_SPACE)
    chars = np.asarray(chars, dtype=np.float64)
    cjk = ctx.columns.get("cjk_ratio")
    if cjk is None:
        from refinery.ingest.script_ratios import script_ratios
        cjk = script_ratios(view.texts)["cjk_ratio"].to_numpy(zero_copy_only=False)
    lines = view.newline_lines
    line_chars = pc.count_substring_regex(lines.values, pattern=_NON_SPACE).to_numpy(zero_copy_only=False)
    nonblank = line_chars > 0
    pattern = dirty_pattern(ctx.dirty_words)
    hits = view.count_regex(pattern, ignore_case=True) if pattern else np.zeros(view.n)
    return {
        "zh.cjk_ratio": np.asarray(cjk, dtype=np.float64),
        "zh.min_chars": chars,
        "zh.avg_line_length": safe_div(lines.per_doc(line_chars), lines.per_doc(nonblank)),
        "zh.dirty_density": safe_div(hits * 1000.0, np.maximum(chars, 1000.0)),
        "zh.url_density": safe_div(view.count("http"), chars),
    }


FAMILY = Family("chinese", RULES, measure, _line_flags)
