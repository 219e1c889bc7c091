"""Write the documents of one task into their chunks, streaming (pure: batches in, summaries out).

The task receives rows sorted by (chunk, order); every row of a chunk is in this task. A chunk
is opened when its first row arrives and published (atomic rename) when the next chunk starts
or the input ends. A chunk that is already complete (a retried or speculative task, a rerun)
is skipped.
"""
from __future__ import annotations

import json
import os
from typing import Iterator

import numpy as np
import pyarrow as pa

from refinery.tokenize.shards import ChunkWriter, chunk_name, is_complete_chunk

CHUNK = "chunk"

SUMMARY = pa.schema([
    pa.field(CHUNK, pa.int64()),
    pa.field("num_tokens", pa.int64()),
    pa.field("num_documents", pa.int64()),
    pa.field("written", pa.bool_()),
    pa.field("manifest", pa.string()),
])


def _summary(chunk: int, manifest: dict, written: bool) -> pa.RecordBatch:
    return pa.RecordBatch.from_pylist(
        [{CHUNK: chunk, "num_tokens": manifest["num_tokens"], "num_documents": manifest["num_documents"],
          "written": written, "manifest": json.dumps(manifest, ensure_ascii=False)}], schema=SUMMARY)


def write_chunks(batches: Iterator[pa.RecordBatch], out_dir: str, channels: list[str], vocab_size: int,
                 tok_hash: str, extra_manifest: dict) -> Iterator[pa.RecordBatch]:
    writer: ChunkWriter | None = None
    current = None
    first_order = last_order = None

    def finish():
        extra = dict(extra_manifest, first_order=first_order, last_order=last_order)
        return _summary(current, writer.close(extra), True)

    try:
        for batch in batches:
            if batch.num_rows == 0:
                continue
            chunks = batch.column(CHUNK).to_numpy()
            orders = batch.column("order").to_numpy()
            doc_ids = batch.column("doc_id").to_pylist()
            chans = batch.column("channel").to_pylist()
            tokens = batch.column("tokens")
            offsets = np.asarray(tokens.offsets.to_numpy(), dtype=np.int64)
            values = tokens.values.to_numpy()
            for i in range(batch.num_rows):  # one step per document; tokens are written as array slices
                chunk = int(chunks[i])
                if chunk != current:
                    if writer is not None:
                        yield finish()
                    writer, current = None, chunk
                    path = os.path.join(out_dir, chunk_name(chunk))
                    if is_complete_chunk(path):
                        with open(os.path.join(path, "manifest.json"), encoding="utf-8") as f:
                            yield _summary(chunk, json.load(f), False)
                    else:
                        writer = ChunkWriter(path, channels, vocab_size, tok_hash)
                        first_order = int(orders[i])
                if writer is not None:
                    writer.add_document(values[offsets[i]:offsets[i + 1]], chans[i], doc_ids[i])
                    last_order = int(orders[i])
        if writer is not None:
            yield finish()
            writer = None
    finally:
        if writer is not None:  # failed mid-chunk: leave nothing half-written behind
            writer.abort()
