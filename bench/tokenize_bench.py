"""Tokens/s per core: the tokenize job's path against raw ``tokenizers`` ``encode_batch``, same texts (run as bench/tokenize.py).

    python bench/tokenize.py [--real [slice|site]] [--repeat-corpus 4] [--passes 3] [--spark]

Texts: the bundled sample's JSONL as documents (ingest operator, no Spark; zh/en/code), or with
``--real`` the real corpus's documents (``corpus.load()``'s text, channel = its language, ``code``
for source files; ``make corpus``), repeated ``--repeat-corpus`` times (default 1 with ``--real``). Tokenizer: byte-level BPE (8192) trained on them.
Everything runs pinned to one CPU with the tokenizer's thread pool at one thread, so the
figures are per core. Measured side by side in one process, median of ``--passes``:

* raw ``encode_batch``  — ``Tokenizer.encode_batch(texts)`` in batches of 1024 (the yardstick);
* raw ``encode_batch_fast`` — the same without character offsets;
* job operator path — what each job task does per batch: Arrow column → ``encode_batch_fast`` →
  EOS appended → ``list<int32>`` Arrow array, then the chunk sink writing ``.bin``/``.idx`` chunks;
* ``--spark``: the whole job (``jobs/shards.py`` run in ``local[1]``: Parquet read, range
  partitioning, mapInArrow, prefix sum, shuffle by chunk, chunk writing), one pass after a warm-up.
"""
from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import sys
import tempfile
import time

os.environ["RAYON_NUM_THREADS"] = "1"  # tokenizers' thread pool: one core
os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402


def _timed(fn, passes: int) -> float:
    times = []
    for _ in range(passes):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--repeat-corpus", type=int, default=None, help="default 4 (1 with --real)")
    p.add_argument("--real", choices=("slice", "site"), nargs="?", const="slice",
                   help="the real corpus's documents (make corpus) instead of the bundled sample")
    p.add_argument("--passes", type=int, default=3)
    p.add_argument("--batch", type=int, default=1024)
    p.add_argument("--spark", action="store_true", help="also time the whole Spark job in local[1]")
    args = p.parse_args(argv)
    if args.repeat_corpus is None:
        args.repeat_corpus = 1 if args.real else 4

    from tokenizers import Tokenizer

    from refinery.tokenize.chunk_sink import write_chunks
    from refinery.tokenize.encode import eos_id, make_encoder
    from tests.mix.fixtures import write_sample_documents
    from refinery.tokenize.corpus import read_channel_texts
    from refinery.tokenize.train_tokenizer import train

    work = pathlib.Path(tempfile.mkdtemp(prefix="bench-tokenize-"))
    docs_dir = real_documents(work / "docs", args.real) if args.real else write_sample_documents(work / "docs")
    tok_dir = work / "tok"
    train(read_channel_texts([str(docs_dir)], ["lang"]), 8192, str(tok_dir), sample_chars=2_000_000)
    docs = pq.read_table(docs_dir)
    texts = docs.column("text").to_pylist() * args.repeat_corpus
    channels = docs.column("lang").to_pylist() * args.repeat_corpus
    n = len(texts)
    chars = sum(map(len, texts))
    tok = Tokenizer.from_file(str(tok_dir / "tokenizer.json"))
    eos = eos_id(str(tok_dir))
    batches = [slice(i, i + args.batch) for i in range(0, n, args.batch)]
    n_tokens = sum(len(e.ids) for e in tok.encode_batch(texts)) + n  # + EOS, as the job writes them

    def raw():
        for s in batches:
            tok.encode_batch(texts[s])

    def raw_fast():
        for s in batches:
            tok.encode_batch_fast(texts[s])

    encode = make_encoder(str(tok_dir), eos)
    arrow_batches = [pa.RecordBatch.from_pydict({
        "doc_id": [f"d{i}" for i in range(s.start, min(s.stop, n))], "channel": channels[s],
        "order": np.arange(s.start, min(s.stop, n)), "text": texts[s]}) for s in batches]
    chunk_budget = max(1, n_tokens // 4)
    names = sorted(set(channels))

    def job_path():
        out = tempfile.mkdtemp(dir=work)
        offset = 0

        def placed():
            nonlocal offset
            for b in arrow_batches:
                enc = encode(b)
                counts = enc.column("n_tokens").to_numpy()
                starts = offset + np.cumsum(counts) - counts
                offset += int(counts.sum())
                yield enc.append_column("chunk", pa.array(starts // chunk_budget, pa.int64()))

        for _ in write_chunks(placed(), out, names, tok.get_vocab_size(), "h", {}):
            pass

    raw()  # warm-up
    t_raw = _timed(raw, args.passes)
    t_fast = _timed(raw_fast, args.passes)
    t_job = _timed(job_path, args.passes)
    rows = [("raw encode_batch", t_raw), ("raw encode_batch_fast", t_fast), ("job operator path (encode + EOS + Arrow + chunk write)", t_job)]
    if args.spark:
        rows.append(("whole Spark job, local[1]", spark_job(work, docs_dir, tok_dir, texts, channels, chunk_budget)))
    print(f"{'real corpus (' + args.real + ')' if args.real else 'bundled sample'}: {n} documents, {chars:,} characters, {n_tokens:,} tokens (incl. EOS), 1 core, batch {args.batch}, "
          f"median of {args.passes}")
    print("| path | seconds | tokens/s per core | relative to raw encode_batch |")
    print("|---|---:|---:|---:|")
    for name, t in rows:
        print(f"| {name} | {t:.3f} | {n_tokens / t:,.0f} | {t_raw / t:.2f}x |")
    return 0


def real_documents(out_dir: pathlib.Path, which: str) -> pathlib.Path:
    """The corpus's texts as a documents dataset with a ``lang`` channel (``code`` for source files)."""
    import corpus

    table = corpus.load(slice=which == "slice", columns=["doc_id", "text", "lang", "kind"])
    lang = [("code" if k == "code" else (lg or "und")) for lg, k in
            zip(table.column("lang").to_pylist(), table.column("kind").to_pylist())]
    out_dir.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"doc_id": table.column("doc_id"), "text": table.column("text"), "lang": lang}),
                   out_dir / "part-00000.parquet")
    return out_dir


def spark_job(work, docs_dir, tok_dir, texts, channels, chunk_budget) -> float:
    from refinery.spark.session import build_session
    from refinery.spark.shards import run

    mixed = work / "mixed"
    mixed.mkdir()
    pq.write_table(pa.table({"doc_id": [f"d{i}" for i in range(len(texts))], "channel": channels,
                             "order": np.arange(len(texts)), "text": texts}), mixed / "part-00000.parquet")
    spark = build_session("bench-tokenize", master="local[1]",
                          conf={"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "2",
                                "spark.executorEnv.RAYON_NUM_THREADS": "1"})
    run(spark, str(mixed), str(tok_dir), str(work / "warm"), chunk_budget)
    t = time.perf_counter()
    run(spark, str(mixed), str(tok_dir), str(work / "shards"), chunk_budget)
    elapsed = time.perf_counter() - t
    spark.stop()
    return elapsed


if __name__ == "__main__":
    sys.exit(main())
