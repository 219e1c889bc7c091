"""One benchmark, every paper variant: prompts → ``generate`` → extraction → accuracy.

``generate`` is any ``list[str] -> list[str]`` (a ``GreedyGenerator`` over a model, or in tests an
oracle or a constant answerer), so the scoring is checked apart from any model.
"""
from __future__ import annotations

import os
from collections import Counter

from trainer.benchmarks.extract import is_correct
from trainer.benchmarks.format import Item, load_benchmark, split_items
from trainer.benchmarks.prompts import build_prompt, pick_shots
from trainer.benchmarks.transforms import apply_variant, parse_variants

SAMPLES_KEPT = 5  # generations kept per variant in eval.json, for case analysis


def _accuracy(correct: int, n: int) -> float | None:
    return correct / n if n else None


def evaluate_variant(items: list[Item], dev: list[Item], generate, shots: int, variant: str, seed: int = 0) -> dict:
    skipped: Counter = Counter()
    prepared = []
    for item in items:
        changed = apply_variant(item, variant, seed)
        if isinstance(changed, str):
            skipped[changed] += 1
            continue
        examples = []
        for shot in pick_shots(item, dev, shots):
            shot = apply_variant(shot, variant, seed)
            if not isinstance(shot, str):
                examples.append(shot)
        prepared.append((changed, build_prompt(changed, examples)))
    generations = generate([p for _, p in prepared]) if prepared else []
    if len(generations) != len(prepared):
        raise RuntimeError(f"generate returned {len(generations)} texts for {len(prepared)} prompts")
    by_subject: dict[str, list[int]] = {}
    correct, samples = 0, []
    for (item, prompt), text in zip(prepared, generations):
        ok, extracted = is_correct(item, text)
        correct += ok
        tally = by_subject.setdefault(item.subject, [0, 0])
        tally[0] += ok
        tally[1] += 1
        if len(samples) < SAMPLES_KEPT:
            gold = "".join(item.gold_labels()) if item.is_choice else item.answers[0]
            samples.append({"id": item.id, "prompt_tail": prompt[-160:], "generation": text, "extracted": extracted,
                            "gold": gold, "correct": bool(ok)})
    return {"accuracy": _accuracy(correct, len(prepared)), "n_items": len(prepared), "n_correct": correct,
            "skipped": dict(skipped),
            "subjects": {s: {"accuracy": _accuracy(c, n), "n_items": n} for s, (c, n) in sorted(by_subject.items())},
            "samples": samples}


def evaluate_benchmark(path: str, generate, shots: int = 3, transforms: str | None = None, seed: int = 0,
                       dev_path: str | None = None) -> dict:
    """Results of one benchmark file: ``{"n_items", "n_dev", "shots", "transforms": {variant: …}}``."""
    items, dev = split_items(load_benchmark(path))
    if dev_path:
        dev = dev + load_benchmark(dev_path)  # every item of a separate dev file is an example
    if not items:
        raise ValueError(f"{path}: every item is in the dev split; nothing to score")
    variants = parse_variants(transforms)
    return {"path": os.path.abspath(path), "n_items": len(items), "n_dev": len(dev), "shots": shots, "seed": seed,
            "transforms": {v: evaluate_variant(items, dev, generate, shots, v, seed) for v in variants}}


def benchmark_name(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]
