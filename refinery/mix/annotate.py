"""The mix operator: documents → (doc_id, channel, tokens, sampling key, order fields).

Only these slim columns travel through the selection's shuffles; the text joins back at the end.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from refinery.mix.channels import assign_channels
from refinery.mix.config import MixConfig
from refinery.mix.keys import sampling_keys, uniform

USES = "uses"
HELDOUT_KEY = "heldout_key"  # the held-out draw (refinery.mix.heldout)

SLIM = pa.schema([
    pa.field("doc_id", pa.string()),
    pa.field("channel", pa.string()),
    pa.field("tokens", pa.int64()),
    pa.field("chars", pa.int64()),
    pa.field(USES, pa.int64()),
    pa.field("sample_key", pa.float64()),
    pa.field("quality_score", pa.float64()),
    pa.field(HELDOUT_KEY, pa.float64()),
])


def char_counts(batch: pa.RecordBatch) -> np.ndarray:
    return np.asarray(pc.utf8_length(batch.column("text").fill_null("")).to_numpy(zero_copy_only=False), dtype=np.int64)


def load_token_counter(tokenizer_dir: str):
    """Tokens per text with the tokenizer (no special tokens; the EOS the tokenize job adds is +1)."""
    import os

    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(os.path.join(tokenizer_dir, "tokenizer.json"))

    def count(texts: list[str]) -> np.ndarray:
        return np.fromiter((len(e.ids) for e in tok.encode_batch_fast(texts, add_special_tokens=False)),
                           dtype=np.int64, count=len(texts))

    return count


def make_annotator(cfg: MixConfig, chars_per_token: dict[str, float] | None = None):
    """Built once per worker. ``chars_per_token`` is used by the ``estimate`` method."""
    counter = load_token_counter(cfg.tokens.tokenizer) if cfg.tokens.method == "exact" else None

    def annotate(batch: pa.RecordBatch) -> pa.RecordBatch:
        channel = assign_channels(batch, cfg.channels)
        chars = char_counts(batch)
        if cfg.tokens.method == "exact":
            tokens = counter(batch.column("text").fill_null("").to_pylist()) + 1  # + EOS
        elif cfg.tokens.method == "estimate":
            cpt = np.array([(chars_per_token or {}).get(c, 1.0) if c else 1.0 for c in channel.to_pylist()])
            tokens = np.maximum(1, np.rint(chars / cpt)).astype(np.int64) + 1
        else:
            tokens = chars
        uses = (np.asarray(batch.column(USES).fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)
                if USES in batch.schema.names else np.zeros(batch.num_rows, np.int64))
        keys = sampling_keys(batch.column("doc_id"), cfg.usage.decay ** uses.astype(np.float64), cfg.seed)
        quality = (batch.column("quality_score").cast(pa.float64()) if "quality_score" in batch.schema.names
                   else pa.nulls(batch.num_rows, pa.float64()))
        return pa.RecordBatch.from_arrays(
            [batch.column("doc_id"), channel, pa.array(tokens, pa.int64()), pa.array(chars, pa.int64()),
             pa.array(uses, pa.int64()), pa.array(keys, pa.float64()), quality,
             pa.array(uniform(batch.column("doc_id"), cfg.heldout.seed, "heldout"), pa.float64())],
            schema=SLIM,
        )

    return annotate
