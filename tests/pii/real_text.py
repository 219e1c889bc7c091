"""Labelled PII planted in real text: items and look-alikes of ``labelled.py`` inserted at sentence
boundaries of real corpus documents (Debian documentation in English and Chinese, Python source),
so the words around them are the corpus's own, not a template's.

What the detectors find in the untouched text is recorded apart (``baseline``): it is real data
(maintainers' addresses, example IPs), not scored either way; every other find that is not a
planted item is a false find.
"""
from __future__ import annotations

import random
import re

from tests.pii.labelled import (
    GENERATORS,
    LOOKALIKE_KINDS,
    LOOKALIKE_TEMPLATES,
    PLANTED_TYPES,
    RECORD_KEYS,
    TEMPLATES,
    Doc,
    _place,
    gen_lookalike,
    gen_name_in,
)

_BOUNDARY = {"zh": re.compile(r"[。！？；]|\n"), "en": re.compile(r"(?<=[.!?;:])\s|\n")}


def excerpts(table, per_lang: int, chars: int = 1500, seed: int = 0) -> list[tuple[str, str]]:
    """(lang, text) excerpts of real documents: zh and en documentation, and code (planted as en)."""
    rng = random.Random(seed)
    by_lang: dict[str, list[str]] = {"zh": [], "en": [], "code": []}
    for text, lang, kind in zip(*(table.column(c).to_pylist() for c in ("text", "lang", "kind"))):
        key = "code" if kind == "code" else lang
        if key in by_lang and text and len(text) > 300:
            by_lang[key].append(text)
    out = []
    for key, texts in by_lang.items():
        rng.shuffle(texts)
        for t in texts[:per_lang]:
            start = rng.randrange(max(1, len(t) - chars))
            out.append(("en" if key == "code" else key, t[start : start + chars]))
    return out


def plant(excerpt_list, seed: int = 0, items_per_doc: int = 3, looks_per_doc: int = 2) -> list[tuple[Doc, str]]:
    """(doc with planted items, the untouched excerpt) pairs; items are cycled over every type and
    look-alike kind so each gets its share."""
    rng = random.Random(seed)
    out = []
    i_type = i_kind = 0
    for lang, text in excerpt_list:
        cuts = sorted({m.end() for m in _BOUNDARY[lang].finditer(text)} | {len(text)})
        pieces = []
        for _ in range(items_per_doc):
            t = PLANTED_TYPES[i_type % len(PLANTED_TYPES)]
            i_type += 1
            snippet, s, e = gen_name_in(rng, lang) if t == "name" else GENERATORS[t](rng)
            sentence, s, e = _place(rng, lang, snippet, s, e, TEMPLATES[t][lang], RECORD_KEYS[t])
            pieces.append((sentence, s, e, "item", t))
        for _ in range(looks_per_doc):
            k = LOOKALIKE_KINDS[i_kind % len(LOOKALIKE_KINDS)]
            i_kind += 1
            snippet, s, e = gen_lookalike(rng, k)
            sentence, s, e = _place(rng, lang, snippet, s, e, LOOKALIKE_TEMPLATES[lang])
            pieces.append((sentence, s, e, "look", k))
        at = sorted(rng.choice(cuts) for _ in pieces)
        doc, pos = Doc(""), 0
        for cut, (sentence, s, e, what, name) in zip(at, pieces):
            doc.text += text[pos:cut]
            pos = cut
            sep = "" if lang == "zh" else " "  # a planted sentence is its own clause
            doc.text += sep
            (doc.items if what == "item" else doc.lookalikes).append((len(doc.text) + s, len(doc.text) + e, name))
            # Before a line start (a heading, a list item) the planted sentence ends its own line.
            end = "\n" if lang == "en" or text[cut - 1 : cut] == "\n" else "。"
            doc.text += sentence + end
        doc.text += text[pos:]
        out.append((doc, text))
    return out
