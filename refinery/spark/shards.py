"""spark-submit jobs/shards.py --input DOCS --tokenizer DIR --output SHARDS --chunk-tokens N


Tokenises a mix output (or any document dataset: one channel, input order) on the executors and writes token-shard chunks ``chunk-00000/`` … in mix
order, each holding ``--chunk-tokens`` tokens (a document belongs to the chunk its first token
falls in, so a chunk holds N plus less than one document). Chunks are committed one by one; a
rerun skips the committed ones.

A mix output's other parts get shard directories of their own inside SHARDS, with the same channel
ids: ``heldout/`` → ``SHARDS/heldout/`` (the trainer's ``data.eval_shards``; its chunks are not
SHARDS's chunks, which lie directly under SHARDS) and ``anneal/`` → ``SHARDS/anneal/`` (the last
training phase). SHARDS's ``_stats.json`` is written last and lists them under ``parts``.

How tokens reach the chunks without passing through the driver:
  1. ``mapInArrow`` encodes each batch (tokenizer loaded once per worker) and appends EOS;
  2. an exclusive prefix sum of token counts over ``order`` (range-partitioned, see
     ``refinery.spark.prefix_sum``) gives each document its offset, hence its chunk;
  3. rows are range-partitioned by chunk and sorted by (chunk, order); one task writes all of a
     chunk, streaming, straight into SHARDS and renames it into place when complete.
Step 3 writes with plain file IO from the executors, so SHARDS must be a local path (local[*])
or a filesystem every executor mounts (NFS, Lustre, a FUSE mount of object storage). On HDFS the
writer would need a Hadoop client on the executors (``pyarrow.fs.HadoopFileSystem``) for the
staging directory and the final rename, which HDFS does atomically.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import time

from refinery.spark.arrow_apply import map_batches, spark_schema
from refinery.spark.paths import HadoopFS, local_path, qualify
from refinery.spark.prefix_sum import exclusive_prefix_sum, range_sorted
from refinery.spark.inputs import read_documents, resolve_inputs
from refinery.spark.job import JobError, Stage
from refinery.tokenize.chunk_sink import CHUNK, SUMMARY, write_chunks
from refinery.tokenize.encode import ENCODED, N_TOKENS, eos_id, make_encoder, tokenizer_hash, vocab_size
from refinery.tokenize.shards import MANIFEST_FILE, list_chunks

STATS_FILE = "_stats.json"
SINGLE_CHANNEL = "all"  # the channel of an input that is not a mixture


def tokenize_arguments(p) -> None:
    p.add_argument("--tokenizer", required=True, help="Hugging Face tokenizer directory (tokenizer.json)")
    p.add_argument("--chunk-tokens", type=int, required=True, help="tokens per chunk (1e9 in production)")
    p.add_argument("--eos-token", help="default: tokenizer_config.json's eos_token")


def check_args(args, _cfg) -> None:
    if args.chunk_tokens <= 0:
        raise JobError("--chunk-tokens must be positive")
    if not os.path.isfile(os.path.join(args.tokenizer, "tokenizer.json")):
        raise JobError(f"--tokenizer {args.tokenizer}: no tokenizer.json there")
    if local_path(args.output) is None:
        raise JobError(f"--output must be a local or shared-mount path, got {args.output} (see refinery/spark/shards.py)")
    args.output = local_path(args.output)


MIX_PARTS = ("data", "heldout", "anneal")  # a mix output's mixtures; data/ is the training one


def _mix_root(inputs: list[str]) -> str | None:
    """The mix output directory when the input is one of its parts (``MIX/data`` …), else None."""
    if len(inputs) != 1:
        return None
    uri = qualify(inputs[0]).rstrip("/")
    parent, part = uri.rsplit("/", 1)
    return parent if part in MIX_PARTS else None


def _mix_stats(spark, inputs: list[str]) -> dict:
    """The mix's _stats.json when the input is one mix output (its data/, heldout/ or anneal/), else {}."""
    root = _mix_root(inputs)
    if root is None:
        return {}
    stats_uri = root + "/_stats.json"
    fs = HadoopFS(spark, stats_uri)
    stats = json.loads(fs.read_text(stats_uri)) if fs.exists(stats_uri) else {}
    return stats if stats.get("stage") == "mix" else {}


def mix_parts(spark, inputs: list[str]) -> dict[str, str]:
    """part → URI of the held-out and anneal mixtures beside a mix output's ``data/`` input."""
    root = _mix_root(inputs)
    if root is None or not qualify(inputs[0]).rstrip("/").endswith("/data") or not _mix_stats(spark, inputs):
        return {}
    fs = HadoopFS(spark, root)
    return {part: f"{root}/{part}" for part in MIX_PARTS[1:] if fs.exists(f"{root}/{part}")}


def as_mixture(docs):
    """Any document dataset as a one-channel mixture in input order (a mix output passes as is)."""
    from pyspark.sql import functions as F

    if "channel" not in docs.columns:
        docs = docs.withColumn("channel", F.lit(SINGLE_CHANNEL))
    if "order" not in docs.columns:
        # increasing in the order Spark reads the files and their rows
        docs = docs.withColumn("order", F.monotonically_increasing_id())
    return docs


def source_fingerprint(files: list[str], mix_stats: dict) -> str:
    """Which mixture the shards came from: the part files (their names carry the write's job id)
    and the mix id."""
    h = hashlib.sha256()
    for f in sorted(os.path.basename(x) for x in files):
        h.update(f.encode() + b"\n")
    h.update(str(mix_stats.get("mix_id")).encode())
    return h.hexdigest()[:32]


def check_existing(out_dir: str, tok_hash: str, fingerprint: str, chunk_tokens: int) -> list[int]:
    """Indices of committed chunks, after checking they came from the same input, tokenizer, size."""
    done = []
    for path in list_chunks(out_dir):
        with open(os.path.join(path, MANIFEST_FILE), encoding="utf-8") as f:
            m = json.load(f)
        same = (m.get("tokenizer_hash"), m.get("source_fingerprint"), m.get("chunk_tokens")) == (tok_hash, fingerprint, chunk_tokens)
        if not same:
            raise ValueError(f"{path} was written from another input, tokenizer or chunk size; use a new --output")
        done.append(int(os.path.basename(path).split("-")[1]))
    return done


def run(spark, input_uri: str | list[str], tokenizer: str, out_dir: str, chunk_tokens: int, eos_token: str | None = None) -> dict:
    started = time.time()
    uris = resolve_inputs(input_uri, hadoop_fs=lambda uri: HadoopFS(spark, uri))
    mix_stats = _mix_stats(spark, uris)
    parts = {}
    for part, uri in mix_parts(spark, uris).items():  # before SHARDS's _stats.json: it marks the whole
        stats = tokenize_mixture(spark, [uri], uri, mix_stats, tokenizer, os.path.join(out_dir, part),
                                 chunk_tokens, eos_token, time.time())
        parts[part] = {k: stats[k] for k in ("rows_in", "num_tokens", "num_chunks")} | {"dir": os.path.join(out_dir, part)}
    return tokenize_mixture(spark, uris, input_uri, mix_stats, tokenizer, out_dir, chunk_tokens, eos_token, started,
                            parts=parts)


def tokenize_mixture(spark, uris: list[str], input_uri, mix_stats: dict, tokenizer: str, out_dir: str,
                     chunk_tokens: int, eos_token: str | None, started: float, parts: dict | None = None) -> dict:
    """One mixture → the chunks of ``out_dir`` and its ``_stats.json``."""
    from pyspark.sql import functions as F

    mixed = as_mixture(read_documents(spark, uris))
    channels = list(mix_stats.get("channels") or sorted(r[0] for r in mixed.select("channel").distinct().collect()))
    tok_hash, vocab, eos = tokenizer_hash(tokenizer), vocab_size(tokenizer), eos_id(tokenizer, eos_token)
    fingerprint = source_fingerprint(mixed.inputFiles(), mix_stats)
    committed = check_existing(out_dir, tok_hash, fingerprint, chunk_tokens)

    # range-partition by order *before* encoding (the range bounds come from a sampling pass, which
    # must not tokenise), then encode (narrow: keeps partitions and order), then add offsets
    ranged = range_sorted(mixed.select("doc_id", "channel", "order", "text"), ["order"])
    encoded = map_batches(ranged, functools.partial(make_encoder, tokenizer, eos), ENCODED,
                          cache_key=("tokenize", tokenizer, tok_hash, eos))
    placed, cache = exclusive_prefix_sum(encoded, N_TOKENS, "offset")
    try:
        placed = placed.withColumn(CHUNK, (F.col("offset") / F.lit(chunk_tokens)).cast("long"))
        totals = placed.agg(F.count("*").alias("docs"), F.sum(N_TOKENS).alias("tokens"),
                            F.max(CHUNK).alias("last")).collect()[0]
        n_chunks = 0 if totals["last"] is None else int(totals["last"]) + 1
        pending = [c for c in range(n_chunks) if c not in set(committed)]
        extra = {"mixture": mix_stats.get("mixture", {}), "source": input_uri, "source_fingerprint": fingerprint,
                 "chunk_tokens": chunk_tokens, "tokenizer": os.path.abspath(tokenizer), "vocab_size": vocab,
                 "eos_id": eos}
        os.makedirs(out_dir, exist_ok=True)
        summaries = []
        if pending:
            todo = (placed.filter(F.col(CHUNK).isin(pending)).select(CHUNK, "order", "doc_id", "channel", "tokens")
                    .repartitionByRange(len(pending), CHUNK).sortWithinPartitions(CHUNK, "order"))
            write = functools.partial(write_chunks, out_dir=out_dir, channels=channels, vocab_size=vocab,
                                      tok_hash=tok_hash, extra_manifest=extra)
            summaries = todo.mapInArrow(write, spark_schema(SUMMARY)).collect()
    finally:
        cache.unpersist()
    written = sorted(int(r[CHUNK]) for r in summaries if r["written"])
    stats = {
        "stage": "tokenize",
        "rows_in": int(totals["docs"]),
        "rows_kept": int(totals["docs"]),
        "rows_rejected": 0,
        "rejected_by_reason": {},
        "num_tokens": int(totals["tokens"] or 0),
        "num_chunks": n_chunks,
        "chunks_written": written,
        "chunks_skipped": sorted(committed),
        "tokenizer_hash": tok_hash,
        "source_fingerprint": fingerprint,
        "run": {"input": input_uri, "tokenizer": tokenizer, "chunk_tokens": chunk_tokens,
                "seconds": round(time.time() - started, 3)},
    }
    if parts:
        stats["parts"] = parts
    with open(os.path.join(out_dir, STATS_FILE + ".tmp"), "w", encoding="utf-8") as f:
        json.dump(stats, f, indent=2)
    os.replace(os.path.join(out_dir, STATS_FILE + ".tmp"), os.path.join(out_dir, STATS_FILE))
    return stats


def format_report(stats: dict) -> str:
    lines = [f"[tokenize] {stats['rows_in']:,} documents, {stats['num_tokens']:,} tokens, {stats['num_chunks']} chunks "
             f"(written {len(stats['chunks_written'])}, skipped {len(stats['chunks_skipped'])}) in {stats['run']['seconds']}s"]
    for part, p in (stats.get("parts") or {}).items():
        lines.append(f"    {part:<8} {p['rows_in']:,} documents, {p['num_tokens']:,} tokens, {p['num_chunks']} chunks in {p['dir']}")
    return "\n".join(lines)


STAGE = Stage("shards", __doc__,
          lambda spark, args, cfg: run(spark, args.input, args.tokenizer, args.output, args.chunk_tokens, args.eos_token),
          format_report, arguments=tokenize_arguments, check=check_args)

