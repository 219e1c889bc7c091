"""Answer extraction from a generation (already cut at the stop string), then exact scoring by ACC.

Choice items: the labels the model names. ``B``, ``B.``, ``(B)``, ``答案是B``, ``二``; for a
multi-answer item ``AC``, ``A, C``, ``A和C``. A generation naming no label but repeating one choice's
text exactly is read as that choice. Short answers: NFKC, case and surrounding punctuation folded,
then equal to the answer or an alias. No partial credit, no string-similarity score.
"""
from __future__ import annotations

import re
import unicodedata

from trainer.benchmarks.format import Item

_EDGE_PUNCT = " \t\r\n.,;:!?'\"()[]{}<>。，；：！？、“”‘’（）【】《》"
_SEPARATORS = re.compile(r"[\s,，、;；/]|和|及|and", re.IGNORECASE)


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip().strip(_EDGE_PUNCT).lower()
    return re.sub(r"\s+", " ", text)


def _label_pattern(labels: tuple[str, ...]) -> re.Pattern:
    alternatives = "|".join(re.escape(label) for label in labels)
    if all(label.isascii() for label in labels):  # a letter label must not be part of a word ("Answer")
        return re.compile(rf"(?<![A-Za-z])({alternatives})(?![A-Za-z])")
    return re.compile(rf"({alternatives})")


def extract_choice(item: Item, generation: str) -> tuple[int, ...]:
    """Indices of the choices the generation names (empty: none recognised)."""
    text = unicodedata.normalize("NFKC", generation).strip()
    labels = item.labels
    compact = _SEPARATORS.sub("", text).strip(_EDGE_PUNCT)
    if item.multi and compact and all(ch in labels for ch in compact):
        return tuple(sorted({labels.index(ch) for ch in compact}))
    m = _label_pattern(labels).search(text)
    if m:
        return (labels.index(m.group(1)),)
    said = normalize(text)
    for i, choice in enumerate(item.choices):
        if said and said == normalize(choice):
            return (i,)
    return ()


def is_correct(item: Item, generation: str) -> tuple[bool, str]:
    """(correct?, what was extracted, for the case analysis the notes ask ACC to allow)."""
    if item.is_choice:
        picked = extract_choice(item, generation)
        return picked == tuple(sorted(item.gold)), "".join(item.labels[i] for i in picked)
    said = normalize(generation)
    return said in {normalize(a) for a in item.answers}, said
