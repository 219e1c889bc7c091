"""Which profile judges a document whose language label disagrees with its text.

A page labelled ``zh`` (by its URL, its HTML ``lang`` or its source) that is really untranslated
English has a CJK share near 0; the zh profile would reject it as ``zh.cjk_ratio`` and its
character-level rules would misjudge it anyway. What a practitioner wants is the page judged as
the English it is — a rule that drops "too much English" from the Chinese side makes the corpus
monolingual (zhihu "LLM训练-pretrain": look at what each rule drops per language). So when the
label's profile expects a script (the zh profile's ``zh.cjk_ratio``) and the text falls below that
share, the text's language is identified with fastText lid.176 (``refinery.ingest.langid``, the
model ingest uses) and that language's profile judges it; the label itself is not changed. A text
found to be the labelled language after all, or a mixed one (CJK share above a third of the
bound) that lid.176 is unsure of (below that profile's ``general.lang_score``), stays with the
label's profile and its ``zh.cjk_ratio`` bound (documentation has its own, conf/clean.yaml).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyarrow as pa

SCRIPT_RULE = "zh.cjk_ratio"  # a profile with this rule on expects CJK text
SCRIPT_COLUMN = "cjk_ratio"
# A text holding at least this fraction of the bound's CJK share (0.1 for zh's 0.3) may be a mixed,
# half-translated page: it moves to another profile only when lid.176 is sure of that language.
MIXED_SHARE = 1 / 3


@lru_cache(maxsize=None)
def _lid_model():
    """lid.176, loaded once per process (an executor's Python worker)."""
    from refinery.ingest.langid import load_langid_model

    return load_langid_model()


def identify(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(language, probability) of each text by lid.176."""
    from refinery.ingest.langid import identify_language

    langs, scores = identify_language(_lid_model(), texts)
    return np.asarray(langs.to_pylist(), dtype=object), scores.to_numpy(zero_copy_only=False).astype(np.float64)


def mismatched(cfg, profile_of: np.ndarray, script_share: np.ndarray | None) -> np.ndarray:
    """Rows whose profile expects a script their text lacks (share below the profile's threshold)."""
    out = np.zeros(len(profile_of), dtype=bool)
    if script_share is None or not cfg.languages.judge_by_text:
        return out
    for pname in set(profile_of):
        bound = cfg.resolved[pname].thresholds.get(SCRIPT_RULE)
        if bound is not None:
            rows = profile_of == pname
            out[rows] = np.nan_to_num(script_share[rows], nan=0.0) < bound
    return out


def route_by_text(cfg, texts: pa.Array, profile_of: np.ndarray, columns: dict) -> np.ndarray:
    """Re-route mismatched rows to their text's profile, in place (``profile_of``, and the ``lang``
    the rules read; ``lang_score`` stays the label's); returns the text language per re-routed row, else None."""
    text_lang = np.full(len(profile_of), None, dtype=object)
    share = columns.get(SCRIPT_COLUMN)
    rows = np.flatnonzero(mismatched(cfg, profile_of, share))
    if len(rows) == 0:
        return text_lang
    langs, scores = identify(texts.take(pa.array(rows)))
    for i, lang, score in zip(rows, langs, scores):
        prof = cfg.profile_of(lang)
        bound = cfg.resolved[profile_of[i]].thresholds[SCRIPT_RULE]
        mixed = share[i] >= bound * MIXED_SHARE and score < cfg.resolved[prof].thresholds.get("general.lang_score", 0.0)
        if prof == profile_of[i] or mixed:
            continue  # the labelled language after all, or a mixed text: the label's profile judges it
        profile_of[i], text_lang[i] = prof, lang
        if columns.get("lang") is not None:
            columns["lang"][i] = lang
    return text_lang
