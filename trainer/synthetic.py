"""Synthetic token shards with a learnable pattern, for smoke tests and benchmarks (no tokenizer).

Each document is an arithmetic progression modulo ``vocab_size - 1`` whose stride depends on its
channel (zh: 1, en: 3, code: 7, …) and ends with EOS (``vocab_size - 1``). A model that reads the
context can predict every token after the second, so the loss falls fast from ln(vocab).
"""
from __future__ import annotations

import os

import numpy as np

from refinery.tokenize.shards import ChunkWriter, chunk_name

CHANNELS = ["zh", "en", "code"]
STRIDES = {"zh": 1, "en": 3, "code": 7}


def write_synthetic_shards(out_dir: str, n_chunks: int = 2, tokens_per_chunk: int = 20000,
                           vocab_size: int = 512, seed: int = 0, doc_len: tuple[int, int] = (20, 200),
                           channels: list[str] = CHANNELS) -> list[str]:
    """Channels outside ``STRIDES`` get stride 5."""
    rng = np.random.default_rng(seed)
    eos = vocab_size - 1
    paths = []
    for c in range(n_chunks):
        path = os.path.join(out_dir, chunk_name(c))
        writer = ChunkWriter(path, list(channels), vocab_size, tokenizer_hash="synthetic")
        i = 0
        while writer.num_tokens < tokens_per_chunk:
            channel = channels[int(rng.integers(len(channels)))]
            n = int(rng.integers(*doc_len))
            start = int(rng.integers(eos))
            doc = (start + STRIDES.get(channel, 5) * np.arange(n - 1)) % eos
            writer.add_document(np.append(doc, eos), channel, f"synthetic-{c}-{i}")
            i += 1
        writer.close({"mixture": {ch: 1 / len(channels) for ch in channels}})
        paths.append(path)
    return paths


if __name__ == "__main__":
    import argparse

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True)
    p.add_argument("--chunks", type=int, default=2)
    p.add_argument("--tokens-per-chunk", type=int, default=20000)
    p.add_argument("--vocab-size", type=int, default=512)
    a = p.parse_args()
    print("\n".join(write_synthetic_shards(a.out, a.chunks, a.tokens_per_chunk, a.vocab_size)))
