"""Change the exam paper, keep the syllabus (考纲不变，考卷换了): transforms of choice items that
defeat answers memorised from a public test set while keeping the same knowledge asked.

From the seed notes' 评估篇:
* ``shuffle``: the choices in a new order (seeded per item), the answer follows its text;
* ``none_of_above``: the correct choice's text becomes "其他答案全错" / "None of the other answers
  is correct", so the right label stays right but a memorised answer text is gone;
* ``cn_numerals``: labels A/B/C/D become 一/二/三/四;
* ``single_choice``: a multi-answer item keeps one of its correct choices (seeded) and drops the
  other correct ones, so exactly one choice is right.

A variant is a ``+``-joined list applied left to right (``shuffle+cn_numerals``); ``none`` is the
original paper. Short-answer items pass through every transform unchanged. A transform that cannot
apply returns a reason instead of an item (counted in the results, never dropped silently).
"""
from __future__ import annotations

import dataclasses
import hashlib
import random
import re

from trainer.benchmarks.format import Item

CN_NUMERALS = "一二三四五六七八九十"
_MULTI_HINT = re.compile(r"\s*([（(](多选|不定项|select all that apply)[)）])", re.IGNORECASE)
NONE_OF_ABOVE = {"zh": "其他答案全错", "en": "None of the other answers is correct"}


def _rng(item: Item, name: str, seed: int) -> random.Random:
    digest = hashlib.sha256(f"{seed}\0{name}\0{item.id}\0{item.question}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "little"))


def shuffle(item: Item, seed: int = 0) -> Item | str:
    if not item.is_choice:
        return item
    order = list(range(len(item.choices)))
    _rng(item, "shuffle", seed).shuffle(order)
    new_of_old = {old: new for new, old in enumerate(order)}
    return dataclasses.replace(item, choices=tuple(item.choices[i] for i in order),
                               gold=tuple(sorted(new_of_old[g] for g in item.gold)))


def none_of_above(item: Item, seed: int = 0) -> Item | str:
    if not item.is_choice:
        return item
    if item.multi:
        return "none_of_above.multi_answer"  # "all others wrong" is false when two choices are right
    text = NONE_OF_ABOVE[item.lang]
    if text in item.choices:
        return "none_of_above.already_present"
    choices = list(item.choices)
    choices[item.gold[0]] = text
    return dataclasses.replace(item, choices=tuple(choices))


def cn_numerals(item: Item, seed: int = 0) -> Item | str:
    if not item.is_choice:
        return item
    if len(item.choices) > len(CN_NUMERALS):
        return "cn_numerals.too_many_choices"
    return dataclasses.replace(item, labels=tuple(CN_NUMERALS[:len(item.choices)]))


def single_choice(item: Item, seed: int = 0) -> Item | str:
    if not item.is_choice or not item.multi:
        return item
    if len(item.gold) == len(item.choices):
        return "single_choice.no_wrong_choice"
    keep = _rng(item, "single_choice", seed).choice(item.gold)
    kept = [i for i in range(len(item.choices)) if i == keep or i not in item.gold]
    return dataclasses.replace(item, question=_MULTI_HINT.sub("", item.question) or item.question,
                               choices=tuple(item.choices[i] for i in kept),
                               labels=item.labels[:len(kept)], gold=(kept.index(keep),))


TRANSFORMS = {"shuffle": shuffle, "none_of_above": none_of_above, "cn_numerals": cn_numerals,
              "single_choice": single_choice}


def parse_variants(spec: str | None) -> list[str]:
    """``"shuffle,none_of_above+cn_numerals"`` → ["none", "shuffle", "none_of_above+cn_numerals"]:
    the original paper always comes first, as the baseline the changed papers are read against."""
    variants = ["none"]
    for part in (spec or "").split(","):
        part = part.strip()
        if not part or part == "none":
            continue
        for name in part.split("+"):
            if name not in TRANSFORMS:
                raise ValueError(f"unknown transform {name!r} (known: {', '.join(TRANSFORMS)})")
        if part not in variants:
            variants.append(part)
    return variants


def apply_variant(item: Item, variant: str, seed: int = 0) -> Item | str:
    if variant == "none":
        return item
    for name in variant.split("+"):
        item = TRANSFORMS[name](item, seed)
        if isinstance(item, str):
            return item
    return item
