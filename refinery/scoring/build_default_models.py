"""python -m refinery.scoring.build_default_models [--out models]  (also: make models)

Rebuilds the default models shipped in ``models/`` from the bundled sample, reproducibly
(fixed seeds, one thread): the sample is ingested in-process (the ingest operator, no
Spark), the three categories the sample lacks are added from ``seed_docs``, then

* ``models/domain.ftz``         fastText domain classifier (weak labels: ``categories``)
* ``models/quality_bert/``      small BERT quality scorer trained from scratch (HF directory)
* ``models/quality.ftz``        fastText quality model on the same labels

Positives are the sample's non-spam documents (reference-style news, encyclopedia, forum,
blog, code, plus the seed categories); negatives are its spam pages plus degraded copies
of positives, balanced per category (``quality_labels``).
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import time

import pyarrow as pa
import pyarrow.compute as pc

from refinery.scoring.categories import weak_category
from refinery.scoring.fasttext_model import FastTextParams
from refinery.scoring.seed_docs import seed_documents
from refinery.scoring.train_domain import train_domain
from refinery.scoring.train_quality import BertTrainParams, train_quality

REPO = pathlib.Path(__file__).resolve().parents[2]
# Few epochs at a low rate: more (15 at 0.5) saturates every probability at 0 or 1 on a
# few thousand documents, and the cascade (BERT where fastText is undecided) needs a graded score.
QUALITY_FASTTEXT = FastTextParams(bucket=100_000, cutoff=20_000, epoch=5, lr=0.1)


def ingest_sample(sample_dir: pathlib.Path) -> pa.Table:
    """The bundled sample's kept documents, through the ingest operator (no Spark needed)."""
    from refinery.ingest.config import IngestConfig
    from refinery.ingest.pipeline import FILE_INDEX_COLUMN, make_file_ingester
    from refinery.ingest.readers import list_input_files

    files = tuple(list_input_files([str(sample_dir / "warc"), str(sample_dir / "jsonl")]))
    ingest = make_file_ingester(IngestConfig(), files)
    batches = [b for b in ingest(pa.record_batch({FILE_INDEX_COLUMN: pa.array(range(len(files)), pa.int64())}))]
    table = pa.Table.from_batches(batches)
    table = table.filter(pc.is_null(table.column("reason")))
    return table.select(["text", "url", "source", "metadata", "lang"]).append_column(
        "category", pa.nulls(table.num_rows, pa.string()))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m refinery.scoring.build_default_models", description=__doc__.splitlines()[0])
    p.add_argument("--sample", default=str(REPO / "sample" / "data"))
    p.add_argument("--out", default=str(REPO / "models"))
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--cap-per-category", type=int, default=150, help="positives (and as many negatives) per category")
    p.add_argument("--threads", type=int, default=2, help="torch threads (fixed, for reproducibility)")
    args = p.parse_args(argv)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    docs = ingest_sample(pathlib.Path(args.sample))
    seeds = seed_documents()
    docs = pa.concat_tables([docs.select(seeds.schema.names).cast(seeds.schema), seeds])
    print(f"{docs.num_rows} documents ({seeds.num_rows} seed documents)")

    print("\n== domain classifier ==")
    ft_params = FastTextParams(bucket=100_000, cutoff=20_000)
    report = train_domain(docs, str(out / "domain.ftz"), ft_params, cap=600)
    print(report["text"])
    from refinery.scoring.domain import DomainClassifier

    domain = DomainClassifier(str(out / "domain.ftz"))

    print("\n== quality scorers (BERT from scratch + fastText) ==")
    spam = pc.equal(pc.fill_null(weak_category(docs), ""), "ads_spam")
    positives, negatives = docs.filter(pc.invert(spam)), docs.filter(spam)
    params = BertTrainParams(max_length=128, epochs=args.epochs, threads=args.threads)
    meta = train_quality(positives, negatives, str(out / "quality_bert"), params, domain=domain, cap_per_category=args.cap_per_category,
                         fasttext_out=str(out / "quality.ftz"), fasttext_params=QUALITY_FASTTEXT)
    summary = {"domain": {k: report[k] for k in ("accuracy", "per_class", "train_counts", "held_out")},
               "quality_bert": meta["held_out"], "quality_fasttext": meta.get("fasttext"),
               "built_by": "python -m refinery.scoring.build_default_models", "seconds": round(time.time() - started, 1)}
    (out / "BUILD_REPORT.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False, default=str) + "\n")
    sizes = {str(f.relative_to(out)): f.stat().st_size for f in sorted(out.rglob("*")) if f.is_file()}
    print("\n" + "\n".join(f"  {k:<40}{v:>10,}" for k, v in sizes.items()))
    print(f"total {sum(sizes.values()) / 1e6:.1f} MB, {time.time() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
