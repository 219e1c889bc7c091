"""Token-shard chunks: the one contract between the refinery and the trainer.

A chunk is a directory ``chunk-NNNNN/`` holding

* ``tokens.bin`` / ``tokens.idx`` — a Megatron-LM indexed dataset, one sequence per document,
  each document ending with EOS;
* ``channels.npy`` — one channel id (int16) per document; ``manifest["channels"]`` maps name → id,
  so the trainer can log loss per channel (zh / en / code …);
* ``doc_ids.txt`` — the ``doc_id`` of every document, in order (which data a chunk holds, for rollback);
* ``manifest.json`` — tokenizer hash, token and document counts per channel, the mixture.

A chunk is written under a hidden staging name and renamed into place, so a directory named
``chunk-NNNNN`` with a ``manifest.json`` is complete; a rerun skips it.
"""
from __future__ import annotations

import glob
import json
import os
import shutil
import uuid

import numpy as np

from refinery.tokenize.indexed_dataset import IndexedDataset, IndexedDatasetWriter, token_dtype
from schemas.validate import validate_manifest

TOKENS_PREFIX = "tokens"
CHANNELS_FILE = "channels.npy"
DOC_IDS_FILE = "doc_ids.txt"
MANIFEST_FILE = "manifest.json"


def chunk_name(index: int) -> str:
    return f"chunk-{index:05d}"


def is_complete_chunk(path: str) -> bool:
    return os.path.isfile(os.path.join(path, MANIFEST_FILE))


def list_chunks(shards_dir: str) -> list[str]:
    """Complete chunks of a shard directory, in order; staging leftovers are ignored."""
    found = sorted(glob.glob(os.path.join(shards_dir, "chunk-[0-9]*")))
    return [p for p in found if is_complete_chunk(p)]


class ChunkWriter:
    """Write one chunk; ``close()`` writes the manifest and publishes it with one rename."""

    def __init__(self, path: str, channels: list[str], vocab_size: int, tokenizer_hash: str):
        if is_complete_chunk(path):
            raise FileExistsError(f"{path} is already a complete chunk")
        self.path = path
        self.channels = list(channels)
        self._channel_index = {c: i for i, c in enumerate(self.channels)}
        self.tokenizer_hash = tokenizer_hash
        parent, name = os.path.split(os.path.abspath(path))
        os.makedirs(parent, exist_ok=True)
        self._staging = os.path.join(parent, f".{name}.staging-{uuid.uuid4().hex[:8]}")
        os.makedirs(self._staging)
        self._data = IndexedDatasetWriter(os.path.join(self._staging, TOKENS_PREFIX),
                                          token_dtype(vocab_size), vocab_size)
        self._channel_ids: list[int] = []
        self._doc_ids: list[str] = []
        self._tokens_per_channel = {c: 0 for c in self.channels}

    def add_document(self, tokens, channel: str, doc_id: str) -> None:
        """``tokens`` must already end with EOS (the tokenizer's job, not the container's)."""
        if channel not in self._channel_index:
            raise ValueError(f"channel {channel!r} not declared (have {self.channels})")
        if "\n" in doc_id:
            raise ValueError("doc_id must not contain a newline")
        self._data.add_document(tokens)
        self._channel_ids.append(self._channel_index[channel])
        self._doc_ids.append(doc_id)
        self._tokens_per_channel[channel] += len(tokens)

    @property
    def num_tokens(self) -> int:
        return self._data.num_tokens

    def close(self, extra: dict | None = None) -> dict:
        """Finish the files and publish the chunk; ``extra`` goes into the manifest (mixture, source …)."""
        self._data.finalize()
        np.save(os.path.join(self._staging, CHANNELS_FILE), np.asarray(self._channel_ids, dtype=np.int16))
        with open(os.path.join(self._staging, DOC_IDS_FILE), "w", encoding="utf-8") as f:
            f.writelines(d + "\n" for d in self._doc_ids)
        documents_per_channel = {c: 0 for c in self.channels}
        for i in self._channel_ids:
            documents_per_channel[self.channels[i]] += 1
        manifest = {
            "chunk_id": os.path.basename(os.path.abspath(self.path)),
            "tokenizer_hash": self.tokenizer_hash,
            "num_tokens": self._data.num_tokens,
            "num_documents": self._data.num_documents,
            "tokens_per_channel": self._tokens_per_channel,
            "documents_per_channel": documents_per_channel,
            "channels": self._channel_index,
            "mixture": {},
            "doc_ids_file": DOC_IDS_FILE,
            "token_dtype": self._data.dtype.name,
            **(extra or {}),
        }
        validate_manifest(manifest)
        with open(os.path.join(self._staging, MANIFEST_FILE), "w", encoding="utf-8") as f:
            json.dump(manifest, f, indent=2, ensure_ascii=False)
        if os.path.exists(self.path):  # an incomplete leftover of a killed run
            shutil.rmtree(self.path)
        os.rename(self._staging, self.path)
        return manifest

    def abort(self) -> None:
        shutil.rmtree(self._staging, ignore_errors=True)


class ShardChunk:
    """Read one chunk: memory-mapped tokens, channel id per document, manifest."""

    def __init__(self, path: str):
        if not is_complete_chunk(path):
            raise FileNotFoundError(f"{path} is not a complete chunk (no {MANIFEST_FILE})")
        self.path = path
        self.manifest = validate_manifest(os.path.join(path, MANIFEST_FILE))
        self.data = IndexedDataset(os.path.join(path, TOKENS_PREFIX))
        self.channel_ids = np.load(os.path.join(path, CHANNELS_FILE), mmap_mode="r")
        if len(self.channel_ids) != len(self.data):
            raise ValueError(f"{path}: {len(self.channel_ids)} channel ids for {len(self.data)} documents")
        by_id = {i: name for name, i in self.manifest["channels"].items()}
        self.channels: list[str] = [by_id[i] for i in range(len(by_id))]
        self._offsets: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.data)

    @property
    def num_tokens(self) -> int:
        return self.data.num_tokens

    def document(self, i: int) -> np.ndarray:
        return self.data[i]

    def channel(self, i: int) -> str:
        return self.channels[int(self.channel_ids[i])]

    def channels_for_range(self, start: int, count: int) -> np.ndarray:
        """Channel id of each token in the flat range [start, start+count) (per-token channel loss)."""
        if self._offsets is None:
            self._offsets = np.concatenate([[0], np.cumsum(self.data.lengths, dtype=np.int64)])
        docs = np.searchsorted(self._offsets, np.arange(start, start + count), side="right") - 1
        return np.asarray(self.channel_ids)[docs]

    def doc_ids(self) -> list[str]:
        with open(os.path.join(self.path, self.manifest["doc_ids_file"]), encoding="utf-8") as f:
            return f.read().splitlines()
