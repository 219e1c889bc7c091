"""Print the text of a training window a spike or drop event logged (``data: [[chunk, window], …]``).

    python -m trainer.window_text --shards DIR --seq-len S [--tokenizer TOK] chunk-00003:17 [...]

Window ``w`` of a chunk is its tokens ``[w·S, w·S + S + 1)`` (trainer.data's packing). Printed
are the chunk, the documents the window overlaps (doc_id, channel) and the decoded text; without
a tokenizer the token ids.
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

from refinery.tokenize.shards import ShardChunk


def window_documents(chunk: ShardChunk, window: int, seq_len: int) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """(tokens of the window, [(doc_id, channel)] of the documents it overlaps, in order)."""
    start = window * seq_len
    n = seq_len + 1
    if window < 0 or start + n > chunk.num_tokens:
        raise ValueError(f"{chunk.path}: window {window} of seq_len {seq_len} is past the chunk's "
                         f"{chunk.num_tokens} tokens")
    tokens = np.asarray(chunk.data.tokens(start, n), dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(chunk.data.lengths, dtype=np.int64)])
    first = int(np.searchsorted(offsets, start, side="right") - 1)
    last = int(np.searchsorted(offsets, start + n - 1, side="right") - 1)
    ids = chunk.doc_ids()
    return tokens, [(ids[d], chunk.channel(d)) for d in range(first, last + 1)]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m trainer.window_text", description=__doc__.splitlines()[0])
    p.add_argument("--shards", required=True, help="the token-shard directory the run trained on")
    p.add_argument("--seq-len", type=int, required=True)
    p.add_argument("--tokenizer", help="tokenizer.json or HF tokenizer directory (else token ids)")
    p.add_argument("windows", nargs="+", metavar="CHUNK:WINDOW", help="e.g. chunk-00003:17")
    a = p.parse_args(argv)
    decode = None
    if a.tokenizer:
        if os.path.isfile(a.tokenizer):
            from tokenizers import Tokenizer

            tok = Tokenizer.from_file(a.tokenizer)
            decode = lambda ids: tok.decode(ids, skip_special_tokens=False)  # noqa: E731
        else:
            from transformers import AutoTokenizer

            hf = AutoTokenizer.from_pretrained(a.tokenizer)
            decode = lambda ids: hf.decode(ids)  # noqa: E731
    for spec in a.windows:
        name, _, w = spec.rpartition(":")
        try:
            chunk = ShardChunk(os.path.join(a.shards, name))
            tokens, docs = window_documents(chunk, int(w), a.seq_len)
        except (ValueError, FileNotFoundError) as e:
            print(f"window_text: {spec}: {e}", file=sys.stderr)
            return 2
        print(f"== {name} window {w} ({len(tokens)} tokens) documents: "
              + ", ".join(f"{d} [{c}]" for d, c in docs))
        print(decode(tokens.tolist()) if decode else " ".join(map(str, tokens.tolist())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
