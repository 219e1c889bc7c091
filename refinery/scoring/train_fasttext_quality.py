"""python -m refinery.scoring.train_fasttext_quality --positive DOCS... --negative DOCS... --out quality.ftz

The fastText quality model: the same weak labels as the BERT scorer (``quality_labels``),
a bag of words and character bigrams, orders of magnitude cheaper; the score job uses it
first and sends only undecided documents to BERT.
"""
from __future__ import annotations

import argparse
import sys

import numpy as np
import pyarrow as pa

from refinery.scoring.fasttext_model import FastTextParams, predict_binary, prepare_text, train_supervised
from refinery.scoring.quality_eval import evaluate, format_evaluation
from refinery.scoring.quality_labels import POSITIVE, build_quality_set
from refinery.scoring.splits import holdout_mask


def train_fasttext_on_set(train: pa.Table, test: pa.Table, out_path: str, params: FastTextParams | None = None, log=print) -> dict:
    params = params or FastTextParams()
    model = train_supervised(train.column("text"), train.column("label").to_pylist(), params, out_path)
    scores = predict_binary(model, prepare_text(test.column("text"), params.max_chars), POSITIVE)
    ev = evaluate(np.array(test.column("label").to_pylist()) == POSITIVE, scores,
                  np.array(test.column("category").to_pylist(), dtype=object))
    log("fastText quality model:\n" + format_evaluation(ev))
    log(f"wrote {out_path}")
    return {"path": out_path, "positive_label": POSITIVE, "roc_auc": ev["roc_auc"], "accuracy": ev["accuracy"],
            "thresholds": ev["thresholds"], "global_threshold": ev["global_threshold"]}


def main(argv=None) -> int:
    from refinery.scoring.train_quality import add_label_args, load_label_inputs

    p = argparse.ArgumentParser(prog="python -m refinery.scoring.train_fasttext_quality", description=__doc__.splitlines()[0])
    add_label_args(p)
    p.add_argument("--out", required=True, help="model file (.ftz)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    positives, negatives, domain = load_label_inputs(args)
    data = build_quality_set(positives, negatives, domain, not args.no_degrade, args.cap_per_category, args.seed)
    held = holdout_mask(data.column("text"), args.holdout, args.seed)
    train_fasttext_on_set(data.filter(pa.array(~held)), data.filter(pa.array(held)), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
