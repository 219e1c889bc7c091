"""Megatron-LM compatible indexed dataset (`.bin` + `.idx`), written and memory-mapped.

Layout of `PREFIX.idx` (little endian), as Megatron-Core's `IndexedDataset` reads it:
  magic ``MMIDIDX\\x00\\x00`` | version u64 = 1 | dtype code u8 | sequence count u64 |
  document count u64 | int32 lengths[seq] | int64 byte pointers[seq] | int64 document indices[doc]
`PREFIX.bin` holds the tokens of every sequence back to back. We write one sequence per
document, so document indices are 0, 1, …, n.

Tokens are uint16 when the vocabulary fits (half the disk and page cache of int32).
"""
from __future__ import annotations

import os
import struct

import numpy as np

INDEX_MAGIC = b"MMIDIDX\x00\x00"
INDEX_VERSION = 1
# Megatron-Core's DType codes
DTYPE_CODES = {np.uint8: 1, np.int8: 2, np.int16: 3, np.int32: 4, np.int64: 5,
               np.float64: 6, np.float32: 7, np.uint16: 8}
CODE_DTYPES = {code: dtype for dtype, code in DTYPE_CODES.items()}


def token_dtype(vocab_size: int) -> type:
    """uint16 when every id fits, else int32 (Megatron's own rule)."""
    return np.uint16 if vocab_size <= 65536 else np.int32


class IndexedDatasetWriter:
    """Append documents to `PREFIX.bin`, then `finalize()` writes `PREFIX.idx`.

    Tokens stream to disk as they come; only one int32 length per document is kept in memory.
    """

    def __init__(self, prefix: str, dtype: type = np.uint16, vocab_size: int | None = None):
        if dtype not in DTYPE_CODES:
            raise ValueError(f"unsupported token dtype {dtype}")
        self.prefix = prefix
        self.dtype = np.dtype(dtype)
        self.max_id = np.iinfo(self.dtype).max if vocab_size is None else vocab_size - 1
        self._bin = open(prefix + ".bin", "wb")
        self._lengths: list[int] = []

    def add_document(self, tokens) -> None:
        arr = np.asarray(tokens)
        if arr.ndim != 1:
            raise ValueError("a document is a 1-D sequence of token ids")
        if arr.size and (arr.min() < 0 or arr.max() > self.max_id):
            raise ValueError(f"token id out of range [0, {self.max_id}]")
        self._bin.write(arr.astype(self.dtype, copy=False).tobytes(order="C"))
        self._lengths.append(int(arr.size))

    @property
    def num_documents(self) -> int:
        return len(self._lengths)

    @property
    def num_tokens(self) -> int:
        return int(sum(self._lengths))

    def finalize(self) -> None:
        self._bin.close()
        lengths = np.asarray(self._lengths, dtype=np.int32)
        pointers = np.zeros(len(lengths), dtype=np.int64)
        if len(lengths) > 1:
            np.cumsum(lengths[:-1].astype(np.int64) * self.dtype.itemsize, out=pointers[1:])
        doc_index = np.arange(len(lengths) + 1, dtype=np.int64)
        with open(self.prefix + ".idx", "wb") as f:
            f.write(INDEX_MAGIC)
            f.write(struct.pack("<Q", INDEX_VERSION))
            f.write(struct.pack("<B", DTYPE_CODES[self.dtype.type]))
            f.write(struct.pack("<Q", len(lengths)))
            f.write(struct.pack("<Q", len(doc_index)))
            f.write(lengths.tobytes(order="C"))
            f.write(pointers.tobytes(order="C"))
            f.write(doc_index.tobytes(order="C"))


class IndexedDataset:
    """Memory-mapped reader: nothing is read until a sequence is asked for."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        idx_path = prefix + ".idx"
        with open(idx_path, "rb") as f:
            magic = f.read(len(INDEX_MAGIC))
            if magic != INDEX_MAGIC:
                raise ValueError(f"{idx_path}: not a Megatron indexed dataset (bad magic)")
            (version,) = struct.unpack("<Q", f.read(8))
            if version != INDEX_VERSION:
                raise ValueError(f"{idx_path}: unsupported index version {version}")
            (code,) = struct.unpack("<B", f.read(1))
            if code not in CODE_DTYPES:
                raise ValueError(f"{idx_path}: unknown dtype code {code}")
            self.dtype = np.dtype(CODE_DTYPES[code])
            (self.num_sequences,) = struct.unpack("<Q", f.read(8))
            (num_doc_index,) = struct.unpack("<Q", f.read(8))
            header = f.tell()
        idx = np.memmap(idx_path, mode="r", dtype=np.uint8)
        n = self.num_sequences
        self.lengths = np.frombuffer(idx, dtype=np.int32, count=n, offset=header)
        self.pointers = np.frombuffer(idx, dtype=np.int64, count=n, offset=header + 4 * n)
        self.document_indices = np.frombuffer(idx, dtype=np.int64, count=num_doc_index,
                                              offset=header + 12 * n)
        bin_path = prefix + ".bin"
        expected = int(self.lengths.astype(np.int64).sum()) * self.dtype.itemsize
        if os.path.getsize(bin_path) != expected:
            raise ValueError(f"{bin_path}: {os.path.getsize(bin_path)} bytes, index says {expected}")
        self._bin = np.memmap(bin_path, mode="r", dtype=self.dtype) if expected else np.zeros(0, self.dtype)

    def __len__(self) -> int:
        return self.num_sequences

    @property
    def num_tokens(self) -> int:
        return int(self.lengths.astype(np.int64).sum())

    def __getitem__(self, i: int) -> np.ndarray:
        """Tokens of sequence ``i`` as a read-only view (no copy)."""
        if not 0 <= i < self.num_sequences:
            raise IndexError(i)
        start = int(self.pointers[i]) // self.dtype.itemsize
        return self._bin[start:start + int(self.lengths[i])]

    def tokens(self, start: int, count: int) -> np.ndarray:
        """``count`` tokens from flat position ``start`` of the whole `.bin` (for packing)."""
        return self._bin[start:start + count]
