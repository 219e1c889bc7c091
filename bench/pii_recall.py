"""PII recall, precision and look-alike preservation: on the generated labelled set and on the same
items planted in real corpus text (labels from python-stdnum, see tests/pii/labelled.py); and what
the detectors find in the untouched real slice, per type, with examples to read.

    REFINERY_CORPUS=/work/corpus python bench/pii_recall.py [--per-lang 250]
"""
from __future__ import annotations

import argparse
import collections

import corpus
from refinery.pii import PiiConfig, find_spans
from refinery.pii.scrub import detectors_for
from tests.pii.labelled import PLANTED_TYPES, make_corpus
from tests.pii.real_text import excerpts, plant
from tests.pii.test_pii import _evaluate, evaluate_in_real_text


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-lang", type=int, default=250)
    args = ap.parse_args()
    planted, found, detected, correct, looks, broken, _ = _evaluate(make_corpus(seed=2026, per_type=300, per_kind=150))
    print("generated set: type | planted | recall | precision")
    for t in PLANTED_TYPES:
        print(f"| {t} | {planted[t]} | {found[t] / planted[t]:.4f} | {correct[t] / max(detected[t], 1):.4f} |")
    print(f"look-alikes kept: {1 - sum(broken.values()) / sum(looks.values()):.4f} of {sum(looks.values())}")

    table = corpus.load(slice=True)
    pairs = plant(excerpts(table, per_lang=args.per_lang, seed=14), seed=14)
    planted, found, looks, broken, false_finds, baseline, failures = evaluate_in_real_text(pairs)
    print(f"\nplanted in real text ({len(pairs)} excerpts): type | planted | recall | false finds")
    for t in PLANTED_TYPES:
        print(f"| {t} | {planted[t]} | {found[t] / planted[t]:.4f} | {false_finds[t]} |")
    total = sum(planted.values())
    print(f"all: recall {sum(found.values()) / total:.4f}, look-alikes kept "
          f"{1 - sum(broken.values()) / sum(looks.values()):.4f} of {sum(looks.values())}, "
          f"false finds {sum(false_finds.values())}; already in the real text: {dict(baseline)}")
    for f in failures[:10]:
        print("  ", f)

    detectors = detectors_for(PiiConfig())
    by_type, examples = collections.Counter(), collections.defaultdict(list)
    texts = table.column("text").to_pylist()
    for text in texts:
        for s in find_spans(text or "", detectors):
            by_type[s.detector] += 1
            if len(examples[s.detector]) < 4:
                examples[s.detector].append(text[max(0, s.start - 30) : s.end + 10].replace("\n", " "))
    print(f"\nfinds in the untouched slice ({len(texts)} docs): {dict(by_type)}")
    for det, ex in examples.items():
        print(f"  {det}: {ex}")


if __name__ == "__main__":
    main()
