"""BERT-family quality scorer at inference: one load per executor, length-bucketed batches
under ``torch.inference_mode``, GPU + bf16 when one is visible.

Documents are tokenized once (fast tokenizer), cut into at most ``windows`` consecutive windows
of ``max_length`` tokens, sorted by length and cut into batches whose padded size stays under a
token budget, so short pages are not padded to the longest one in a random batch. A document's
score is the mean log-odds of its windows: with one window the scorer reads only a page's head,
which for a README is its title and badges (BENCHMARKS.md, "Session 31").
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from refinery.scoring.fasttext_model import ModelLoadError

METADATA_FILE = "refinery_quality.json"


@dataclass
class BertRuntime:
    max_length: int = 256  # tokens per window (the model's position table bounds it)
    windows: int = 1  # windows of max_length tokens read from the head of each document
    batch_size: int = 64  # documents per batch at most
    max_batch_tokens: int = 16384  # padded tokens per batch at most
    torch_threads: int = 1  # intra-op threads per Python worker (one per Spark task core)
    device: str = "auto"  # auto | cpu | cuda
    dtype: str = "auto"  # auto (bf16 on GPU, fp32 on CPU) | float32 | bfloat16


def read_metadata(model_dir: str) -> dict:
    path = os.path.join(model_dir, METADATA_FILE)
    if not os.path.isfile(path):
        return {}
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def check_model_dir(model_dir: str) -> None:
    """Fail fast (before Spark work) on a directory that is not a loadable HF classifier."""
    if not model_dir or not os.path.isdir(model_dir):
        raise ModelLoadError(f"BERT quality model directory not found: {model_dir!r}")
    for name in ("config.json",):
        if not os.path.isfile(os.path.join(model_dir, name)):
            raise ModelLoadError(f"BERT quality model {model_dir!r}: missing {name}")
    if not any(os.path.isfile(os.path.join(model_dir, n)) for n in ("model.safetensors", "pytorch_model.bin")):
        raise ModelLoadError(f"BERT quality model {model_dir!r}: no model.safetensors or pytorch_model.bin")
    if not any(os.path.isfile(os.path.join(model_dir, n)) for n in ("tokenizer.json", "vocab.txt")):
        raise ModelLoadError(f"BERT quality model {model_dir!r}: no tokenizer (tokenizer.json or vocab.txt)")


def load_model_and_tokenizer(model_dir: str):
    """(model in eval mode, fp32, on CPU; tokenizer) or ModelLoadError."""
    check_model_dir(model_dir)
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    try:
        tokenizer = AutoTokenizer.from_pretrained(model_dir)
        model = AutoModelForSequenceClassification.from_pretrained(model_dir, dtype="float32")
    except Exception as e:  # a truncated safetensors, a bad config: say which directory
        raise ModelLoadError(f"BERT quality model {model_dir!r} cannot be loaded: {type(e).__name__}: {e}") from None
    if model.config.num_labels != 2:
        raise ModelLoadError(f"BERT quality model {model_dir!r}: expected 2 labels, has {model.config.num_labels}")
    return model.eval(), tokenizer


def length_buckets(lengths: np.ndarray, batch_size: int, max_batch_tokens: int) -> list[np.ndarray]:
    """Index groups in ascending length; each group's (size x longest) <= max_batch_tokens."""
    order = np.argsort(lengths, kind="stable")
    groups, start = [], 0
    while start < len(order):
        end = start + 1
        while end < len(order) and end - start < batch_size and (end - start + 1) * lengths[order[end]] <= max_batch_tokens:
            end += 1
        groups.append(order[start:end])
        start = end
    return groups


def window_chars(max_length: int, windows: int) -> int:
    """Characters of a text that are tokenized: enough for the windows' tokens of Latin text,
    so a 1 MB page is not tokenized whole only to be cut."""
    return max_length * windows * 8


def document_windows(tokenizer, texts: list[str], max_length: int, windows: int) -> tuple[list[list[int]], np.ndarray]:
    """Token ids of each text's first ``windows`` windows of ``max_length`` tokens (the tokenizer's
    overflow, special tokens added; an empty text has one) and the text each window belongs to,
    in text order. The scorer reads these windows and training draws from them."""
    if not texts:
        return [], np.zeros(0, dtype=np.int64)
    cap = window_chars(max_length, windows)
    enc = tokenizer([t[:cap] for t in texts], truncation=True, max_length=max_length, return_overflowing_tokens=True,
                    padding=False, return_attention_mask=False, return_token_type_ids=False)
    owner = np.asarray(enc["overflow_to_sample_mapping"], dtype=np.int64)
    first = np.searchsorted(owner, owner)  # windows come grouped by text, in order
    keep = np.flatnonzero(np.arange(len(owner)) - first < windows)
    ids = enc["input_ids"]
    return [ids[i] for i in keep], owner[keep]


class BertQualityScorer:
    """``score(texts) -> float32 P(high quality)`` over a whole column."""

    def __init__(self, model_dir: str, runtime: BertRuntime | None = None):
        import torch

        self.runtime = rt = runtime or BertRuntime()
        if rt.torch_threads > 0:
            torch.set_num_threads(rt.torch_threads)
        self.model, self.tokenizer = load_model_and_tokenizer(model_dir)
        self.metadata = read_metadata(model_dir)
        self.positive_index = int(self.metadata.get("positive_label_index", 1))
        use_cuda = rt.device == "cuda" or (rt.device == "auto" and torch.cuda.is_available())
        self.device = torch.device("cuda" if use_cuda else "cpu")
        dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16}.get(rt.dtype, torch.bfloat16 if use_cuda else torch.float32)
        self.model.to(self.device, dtype=dtype)
        # Never past what the model was trained on (its metadata) or can address: positions
        # beyond the training length hold untrained embeddings.
        limit = min(getattr(self.model.config, "max_position_embeddings", rt.max_length),
                    int(self.metadata.get("max_length", rt.max_length)))
        self.max_length = min(rt.max_length, limit)
        self.windows = max(1, rt.windows)
        self.max_chars = window_chars(self.max_length, self.windows)

    def windows_of(self, texts: list[str]) -> tuple[list[list[int]], np.ndarray]:
        return document_windows(self.tokenizer, texts, self.max_length, self.windows)

    def score(self, texts: pa.Array | pa.ChunkedArray | list) -> np.ndarray:
        import torch

        arr = texts if isinstance(texts, (pa.Array, pa.ChunkedArray)) else pa.array(texts, pa.string())
        arr = pc.utf8_slice_codeunits(pc.fill_null(arr.cast(pa.string()), ""), 0, self.max_chars)
        ids, owner = self.windows_of(arr.to_pylist())
        lengths = np.fromiter((len(x) for x in ids), dtype=np.int64, count=len(ids))
        log_odds = np.empty(len(ids), dtype=np.float64)
        pad = self.tokenizer.pad_token_id or 0
        rt = self.runtime
        with torch.inference_mode():
            for group in length_buckets(lengths, rt.batch_size, rt.max_batch_tokens):
                width = int(lengths[group].max())
                batch = np.full((len(group), width), pad, dtype=np.int64)
                mask = np.arange(width)[None, :] < lengths[group][:, None]
                batch[mask] = np.concatenate([ids[i] for i in group])
                input_ids = torch.from_numpy(batch).to(self.device, non_blocking=True)
                attention = torch.from_numpy(mask.astype(np.int64)).to(self.device, non_blocking=True)
                logits = self.model(input_ids=input_ids, attention_mask=attention).logits.float()
                log_odds[group] = (logits[:, self.positive_index] - logits[:, 1 - self.positive_index]).cpu().numpy()
        n = len(arr)
        mean = np.bincount(owner, log_odds, minlength=n) / np.maximum(np.bincount(owner, minlength=n), 1)
        return (1.0 / (1.0 + np.exp(-np.clip(mean, -60.0, 60.0)))).astype(np.float32)
