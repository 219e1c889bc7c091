"""Inputs for the mix and tokenize tests, built from the bundled sample without Spark.

The sample's JSONL part goes through the ingest operator (readers + extraction + language id,
exactly what ``jobs/ingest.py`` runs per task) into a DOCUMENT-schema Parquet dataset; a
``quality_score`` column stands in for the score stage. Channels: ``meta.lang`` in the
metadata says code; fastText's ``lang`` says zh / en.
"""
from __future__ import annotations

import pathlib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from schemas import DOCUMENT

REPO = pathlib.Path(__file__).resolve().parents[2]
SAMPLE_JSONL = REPO / "sample" / "data" / "jsonl"

MIX_YAML = """\
total_tokens: {total}
channels:
  - {{name: code, ratio: 2, metadata: {{"meta.lang": [code]}}}}
  - {{name: zh, ratio: 4, lang: [zh]}}
  - {{name: en, ratio: 4, lang: [en]}}
tokens: {{method: exact, tokenizer: {tokenizer}}}
usage: {{table: {usage}, decay: 0.1}}
order: {{method: {order}, seed: 7}}
anneal: {{tokens: {anneal}, top_fraction: 0.2}}
heldout: {{docs_per_channel: 25, max_fraction: 0.05, seed: 11}}
seed: 7
"""


def write_sample_documents(out_dir: pathlib.Path) -> pathlib.Path:
    from refinery.config import load_config
    from refinery.ingest.config import IngestConfig
    from refinery.ingest.documents import IngestOperator
    from refinery.ingest.langid import load_langid_model
    from refinery.ingest.readers import list_input_files, read_records

    cfg = load_config(None, IngestConfig)
    operator = IngestOperator(cfg.extract, load_langid_model(None))
    parts = []
    for path in list_input_files([str(SAMPLE_JSONL)]):
        for raw in read_records(path, cfg.reader, 512):
            out = operator(raw)
            kept = out.filter(pc.is_null(out.column("reason")))
            parts.append(pa.Table.from_batches([kept]).select(DOCUMENT.names))
    docs = pa.concat_tables(parts)
    rng = np.random.default_rng(0)
    docs = docs.append_column("quality_score", pa.array(rng.random(docs.num_rows), pa.float64()))
    out_dir.mkdir(parents=True, exist_ok=True)
    half = docs.num_rows // 2  # two files, as a stage's output has
    pq.write_table(docs.slice(0, half), out_dir / "part-00000.parquet")
    pq.write_table(docs.slice(half), out_dir / "part-00001.parquet")
    return out_dir


def train_sample_tokenizer(docs_dir: pathlib.Path, out_dir: pathlib.Path) -> pathlib.Path:
    from refinery.tokenize.corpus import read_channel_texts
    from refinery.tokenize.train_tokenizer import train

    train(read_channel_texts([str(docs_dir)], ["lang"]), 4096, str(out_dir), reserved=128, sample_chars=600_000)
    return out_dir


def write_mix_config(path: pathlib.Path, tokenizer, usage, total=200_000, order="random", anneal=30_000) -> pathlib.Path:
    path.write_text(MIX_YAML.format(total=total, tokenizer=tokenizer, usage=usage, order=order, anneal=anneal))
    return path
