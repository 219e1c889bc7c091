"""python -m refinery.scoring.train_domain --input DOCS... --out models/domain.ftz

Trains the fastText domain classifier on weak labels (``categories.weak_category``: source
metadata, URL patterns, structural signals) or on a ``category`` column the input already
has; holds out a split and prints per-class precision/recall and the confusion matrix.
"""
from __future__ import annotations

import argparse
import json
import sys

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from refinery.scoring.categories import CATEGORIES, weak_category
from refinery.scoring.corpus_io import read_documents
from refinery.scoring.fasttext_model import FastTextParams, prepare_text, predict_top, train_supervised
from refinery.scoring.metrics import classification_report
from refinery.scoring.splits import holdout_mask


def label_documents(docs: pa.Table, use_column: bool = True) -> pa.Table:
    """Docs with a ``label``: the input's ``category`` where set, else the weak label; unlabeled rows dropped."""
    weak = weak_category(docs)
    given = docs.column("category") if use_column and "category" in docs.schema.names else pa.nulls(docs.num_rows, pa.string())
    label = pc.coalesce(given, weak)
    out = docs.drop_columns([c for c in ("label",) if c in docs.schema.names]).append_column("label", label)
    return out.filter(pc.is_valid(out.column("label")))


def cap_per_class(docs: pa.Table, cap: int, seed: int = 0) -> pa.Table:
    """At most ``cap`` rows per label, so one huge class does not drown the rest."""
    if cap <= 0:
        return docs
    rng = np.random.default_rng(seed)
    labels = np.array(docs.column("label").to_pylist(), dtype=object)
    keep = []
    for lab in np.unique(labels):
        idx = np.flatnonzero(labels == lab)
        keep.extend(rng.permutation(idx)[:cap])
    return docs.take(pa.array(sorted(keep), pa.int64()))


def train_domain(docs: pa.Table, out_path: str, params: FastTextParams | None = None, holdout: float = 0.2,
                 cap: int = 0, seed: int = 0) -> dict:
    """Weak-label, split, train, evaluate; returns the held-out report as a dict."""
    params = params or FastTextParams()
    labeled = cap_per_class(label_documents(docs), cap, seed)
    test = holdout_mask(labeled.column("text"), holdout, seed)
    train, held = labeled.filter(pa.array(~test)), labeled.filter(pa.array(test))
    if train.num_rows == 0:
        raise ValueError("no document got a label: give a 'category' column or inputs the weak-label rules recognise")
    model = train_supervised(train.column("text"), train.column("label").to_pylist(), params, out_path)
    pred, _ = predict_top(model, prepare_text(held.column("text"), params.max_chars))
    classes = [c for c in CATEGORIES if c in set(labeled.column("label").to_pylist())]
    text, report = classification_report(held.column("label").to_pylist(), list(pred), classes)
    counts = dict(zip(*np.unique(np.array(train.column("label").to_pylist()), return_counts=True)))
    report.update(train_counts={k: int(v) for k, v in counts.items()}, held_out=int(held.num_rows), text=text,
                  missing_categories=[c for c in CATEGORIES if c not in classes])
    return report


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m refinery.scoring.train_domain", description=__doc__.splitlines()[0])
    p.add_argument("--input", nargs="+", required=True, help="Parquet (stage output or Spark Parquet), JSONL or .txt")
    p.add_argument("--out", required=True, help="model file (.ftz when quantized, else .bin)")
    p.add_argument("--holdout", type=float, default=0.2)
    p.add_argument("--cap-per-class", type=int, default=0, help="at most this many training rows per class (0: all)")
    p.add_argument("--epoch", type=int, default=FastTextParams.epoch)
    p.add_argument("--dim", type=int, default=FastTextParams.dim)
    p.add_argument("--no-quantize", action="store_true")
    p.add_argument("--report", help="also write the held-out report as JSON here")
    args = p.parse_args(argv)
    params = FastTextParams(epoch=args.epoch, dim=args.dim, quantize=not args.no_quantize)
    report = train_domain(read_documents(args.input), args.out, params, args.holdout, args.cap_per_class)
    print(report["text"])
    if report["missing_categories"]:
        print("no training documents for: " + ", ".join(report["missing_categories"]))
    print(f"wrote {args.out}")
    if args.report:
        with open(args.report, "w", encoding="utf-8") as f:
            json.dump({k: v for k, v in report.items() if k != "text"}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
