"""Score stage throughput per CPU core: our batched, length-bucketed BERT path versus a plain
``transformers`` ``pipeline("text-classification")`` over the same documents and model, side
by side in one run; and fastText (domain classifier + quality model) docs/s.

    python bench/score.py [--docs runs/ingest | --real [slice|site]] [--n 512] [--model models/quality_bert]

Documents: the kept documents of a stage output (``--docs``), the real corpus's documents
(``--real``: ``corpus.load()``'s text: HTML as lxml extracted it, POD/tutorial text, Python code;
``make corpus``) or, by default, the bundled sample ingested in-process. The process runs with one torch thread and is pinned to one
CPU where the OS allows, so docs/s is per core. Each side is timed ``--repeat`` times,
alternating, after a warm-up; the best pass counts (the machine may be shared). The
pipeline gets the same truncation (``max_length``) so both do the same work; the largest
difference between the two sides' scores is printed as a check of that.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402


def ingest_sample(sample_dir) -> pa.Table:
    """The bundled sample's kept documents, through the ingest operator (no Spark needed)."""
    import pyarrow.compute as pc

    from refinery.ingest.config import IngestConfig
    from refinery.ingest.pipeline import FILE_INDEX_COLUMN, make_file_ingester
    from refinery.ingest.readers import list_input_files

    files = tuple(list_input_files([str(sample_dir / "warc"), str(sample_dir / "jsonl")]))
    ingest = make_file_ingester(IngestConfig(), files)
    table = pa.Table.from_batches(list(ingest(pa.record_batch({FILE_INDEX_COLUMN: pa.array(range(len(files)), pa.int64())}))))
    return table.filter(pc.is_null(table.column("reason")))


def load_docs(path: str | None, n: int, real: str | None = None) -> list[str]:
    if real:
        import corpus

        texts = [t for t in corpus.load(slice=real == "slice", columns=["text"]).column("text").to_pylist() if t]
    elif path:
        from refinery.scoring.corpus_io import read_documents

        texts = read_documents([path]).column("text").to_pylist()
    else:
        import pathlib

        texts = ingest_sample(pathlib.Path(__file__).resolve().parents[1] / "sample" / "data").column("text").to_pylist()
    rng = np.random.default_rng(0)
    return [texts[i] for i in rng.permutation(len(texts))[:n]]


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--docs", help="stage output / Parquet / JSONL with documents (default: the bundled sample)")
    p.add_argument("--real", choices=("slice", "site"), nargs="?", const="slice",
                   help="the real corpus's documents (make corpus) instead of the bundled sample")
    p.add_argument("--n", type=int, default=512)
    p.add_argument("--model", default="models/quality_bert")
    p.add_argument("--domain", default="models/domain.ftz")
    p.add_argument("--fasttext", default="models/quality.ftz")
    p.add_argument("--max-length", type=int, default=256)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--json", help="write the results here")
    args = p.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    import torch
    from transformers import pipeline

    from refinery.scoring.bert_scorer import BertQualityScorer, BertRuntime
    from refinery.scoring.domain import DomainClassifier
    from refinery.scoring.fasttext_model import load_fasttext, predict_binary, prepare_text

    torch.set_num_threads(1)
    texts = load_docs(args.docs, args.n, args.real)
    chars = sum(len(t) for t in texts)
    ours = BertQualityScorer(args.model, BertRuntime(max_length=args.max_length, batch_size=args.batch_size, torch_threads=1, device="cpu"))
    pipe = pipeline("text-classification", model=ours.model, tokenizer=ours.tokenizer, device=-1, top_k=None)
    pipe_kwargs = dict(truncation=True, max_length=ours.max_length)

    def run_pipeline():
        out = pipe([t[: ours.max_chars] for t in texts], **pipe_kwargs)
        return np.array([{d["label"]: d["score"] for d in row}["high_quality"] for row in out])

    ours.score(texts[:32])
    pipe(texts[:8], **pipe_kwargs)  # warm-up
    t_ours, t_pipe = float("inf"), float("inf")
    for _ in range(args.repeat):  # alternate so both sides see the same machine load
        t, s_ours = best_of(lambda: ours.score(pa.array(texts)), 1)
        t_ours = min(t_ours, t)
        t, s_pipe = best_of(run_pipeline, 1)
        t_pipe = min(t_pipe, t)
    diff = float(np.abs(s_ours - s_pipe).max())

    domain = DomainClassifier(args.domain)
    ftq = load_fasttext(args.fasttext)
    t_dom, _ = best_of(lambda: domain.classify(pa.array(texts)), args.repeat)
    t_ftq, _ = best_of(lambda: predict_binary(ftq, prepare_text(pa.array(texts)), "hq"), args.repeat)

    n = len(texts)
    res = {
        "docs": n, "mean_chars": round(chars / n), "max_length": ours.max_length, "torch_threads": 1,
        "bert_params": sum(p.numel() for p in ours.model.parameters()),
        "bert_ours_docs_per_s": round(n / t_ours, 1), "bert_pipeline_docs_per_s": round(n / t_pipe, 1),
        "speedup": round(t_pipe / t_ours, 2), "max_abs_score_diff": diff,
        "fasttext_domain_docs_per_s": round(n / t_dom, 1), "fasttext_quality_docs_per_s": round(n / t_ftq, 1),
        "cpu": platform.processor() or platform.machine(), "torch": torch.__version__,
        "date": time.strftime("%Y-%m-%d"),
    }
    res["documents"] = f"real corpus ({args.real})" if args.real else (args.docs or "bundled sample")
    print(f"{res['documents']}: {n} documents, mean {res['mean_chars']} chars, BERT {res['bert_params']:,} params, max_length {ours.max_length}, 1 core")
    print(f"{'path':<44}{'docs/s/core':>12}")
    print(f"{'BERT: ours (length-bucketed, inference_mode)':<44}{res['bert_ours_docs_per_s']:>12}")
    print(f"{'BERT: transformers pipeline (batch_size=1)':<44}{res['bert_pipeline_docs_per_s']:>12}")
    print(f"{'speedup':<44}{res['speedup']:>11}x   (max |score diff| {diff:.2e})")
    print(f"{'fastText domain classifier':<44}{res['fasttext_domain_docs_per_s']:>12}")
    print(f"{'fastText quality model':<44}{res['fasttext_quality_docs_per_s']:>12}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
