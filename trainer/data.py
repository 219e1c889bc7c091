"""Training batches from token-shard chunks: packing, a resumable sampler, background prefetch.

* Packing: a chunk's tokens are one flat stream (every document already ends with EOS); sample
  ``w`` is the window ``[w·S, w·S + S + 1)``, inputs its first S tokens, labels the last S.
  Windows never cross a chunk, so a chunk stays the unit of progress and of rollback.
* Sampler: the order is a pure function of ``(seed, epoch, chunk)`` — chunk order permuted per
  epoch, window order permuted per chunk — so its whole position is four integers
  ``{epoch, chunk_pos, window_pos, seed}`` (the RNG state is the counter), saved in every
  checkpoint. Nothing is scanned at start: a chunk's index is memory-mapped when reached.
* Every rank walks the same global sequence of micro-batches (``world × micro`` windows each) and
  keeps its own slice, so all ranks agree on the position without talking.
* A background thread prepares batches ahead (pinned memory on CUDA); the loop measures how long
  it waits for one (the data-wait fraction in the metrics).
"""
from __future__ import annotations

import queue
import threading
import time
from dataclasses import asdict, dataclass

import numpy as np
import torch

from refinery.tokenize.shards import ShardChunk, list_chunks
from trainer.attention import document_cu_seqlens


@dataclass
class SamplerState:
    epoch: int = 0
    chunk_pos: int = 0      # index into this epoch's chunk order
    window_pos: int = 0     # index into this chunk's window order
    seed: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def _order(n: int, shuffle: bool, *key: int) -> np.ndarray:
    if not shuffle:
        return np.arange(n)
    return np.random.default_rng([*key]).permutation(n)


def chunk_order(n: int, shuffle: bool, window: int, seed: int, epoch: int) -> np.ndarray:
    """Chunks in the mix's order, or permuted within consecutive blocks of ``window`` chunks
    (0: all) — a local shuffle that keeps a curriculum's coarse order. Seeded by (seed, epoch)."""
    if not shuffle or window == 0 or window >= n:
        return _order(n, shuffle, seed, epoch, 1 << 30)
    blocks = [start + _order(min(window, n - start), True, seed, epoch, 1 << 30, start)
              for start in range(0, n, window)]
    return np.concatenate(blocks)


class ChannelRegistry:
    """Global channel ids (by first appearance in sampler order, so identical on every rank)."""

    def __init__(self, max_channels: int):
        self.max_channels = max_channels
        self.names: list[str] = []
        self._ids: dict[str, int] = {}

    def ids_for(self, chunk_channels: list[str]) -> np.ndarray:
        out = []
        for name in chunk_channels:
            if name not in self._ids:
                if len(self.names) >= self.max_channels:
                    raise ValueError(f"more than data.max_channels={self.max_channels} channels in the shards")
                self._ids[name] = len(self.names)
                self.names.append(name)
            out.append(self._ids[name])
        return np.asarray(out, dtype=np.int64)


class PackedSampler:
    """The deterministic walk over (epoch, chunk, window); yields global micro-batches."""

    def __init__(self, shards_dir: str, seq_len: int, global_micro: int, shuffle: bool,
                 state: SamplerState, registry: ChannelRegistry, document_mask: bool = False,
                 paths: list[str] | None = None, shuffle_window: int = 0):
        # paths: the chunk list rank 0 broadcast (trainer.shard_info), so every rank walks the same chunks
        self.paths = list_chunks(shards_dir) if paths is None else list(paths)
        if not self.paths:
            raise FileNotFoundError(f"data.shards: no complete chunk-NNNNN in {shards_dir}")
        self.seq_len = seq_len
        self.global_micro = global_micro
        self.shuffle = shuffle
        self.shuffle_window = shuffle_window
        self.state = SamplerState(**asdict(state))
        self.registry = registry
        self.document_mask = document_mask
        self._readers: dict[int, tuple] = {}
        self._windows_key: tuple | None = None
        self._windows: np.ndarray | None = None

    def _reader(self, index: int):
        """(chunk, global channel id of each local channel, document offsets); two kept mapped."""
        if index not in self._readers:
            if len(self._readers) >= 2:
                self._readers.pop(next(iter(self._readers)))
            chunk = ShardChunk(self.paths[index])
            offsets = np.concatenate([[0], np.cumsum(chunk.data.lengths, dtype=np.int64)])
            self._readers[index] = (chunk, self.registry.ids_for(chunk.channels), offsets)
        return self._readers[index]

    def _window_order(self, index: int) -> np.ndarray:
        key = (self.state.epoch, index)
        if self._windows_key != key:
            chunk = self._reader(index)[0]
            n_windows = max(0, (chunk.num_tokens - 1) // self.seq_len)
            self._windows = _order(n_windows, self.shuffle, self.state.seed, self.state.epoch, index)
            self._windows_key = key
        return self._windows

    def _chunk_order(self, epoch: int) -> np.ndarray:
        return chunk_order(len(self.paths), self.shuffle, self.shuffle_window, self.state.seed, epoch)

    def _next_window(self):
        """Advance by one window; returns (chunk index, window id) and moves across chunks/epochs."""
        for _ in range(2 * len(self.paths) + 1):
            s = self.state
            index = int(self._chunk_order(s.epoch)[s.chunk_pos])
            windows = self._window_order(index)
            if s.window_pos < len(windows):
                w = int(windows[s.window_pos])
                s.window_pos += 1
                return index, w
            s.window_pos = 0
            s.chunk_pos += 1
            if s.chunk_pos == len(self.paths):
                s.chunk_pos, s.epoch = 0, s.epoch + 1
        raise ValueError(f"data.shards: no chunk holds a full window of seq_len+1={self.seq_len + 1} tokens")

    def sample(self, index: int, w: int) -> dict:
        chunk, channel_map, offsets = self._reader(index)
        start = w * self.seq_len
        tokens = np.asarray(chunk.data.tokens(start, self.seq_len + 1), dtype=np.int64)
        docs = np.searchsorted(offsets, np.arange(start, start + self.seq_len), side="right") - 1
        out = {
            "input_ids": tokens[:-1],
            "labels": tokens[1:],
            "channels": channel_map[np.asarray(chunk.channel_ids)[docs]],
        }
        if self.document_mask:
            # positions restart at each document; the loader turns them into cu_seqlens and the
            # model's document_varlen attention keeps every document to itself (trainer.attention)
            out["position_ids"] = np.arange(start, start + self.seq_len) - np.maximum(offsets[docs], start)
        return out

    def next_global_micro(self, keep: slice = slice(None)):
        """The next ``global_micro`` windows: (samples of the ``keep`` slice, state after, [(chunk, window)]).

        Every rank advances through all picks (cheap index arithmetic) but reads only its own windows.
        """
        picks = [self._next_window() for _ in range(self.global_micro)]
        samples = [self.sample(i, w) for i, w in picks[keep]]
        where = [(self.paths[i].rsplit("/", 1)[-1], w) for i, w in picks]
        return samples, SamplerState(**asdict(self.state)), where


@dataclass
class Batch:
    tensors: dict            # input_ids, labels, channels[, position_ids]: [micro, seq_len] int64[, cu_seqlens]
    state: SamplerState      # sampler position after this micro-batch
    where: list              # (chunk name, window) of every global sample, for rollback logs


class Prefetcher:
    """Runs the sampler in a background thread; this rank keeps samples [rank·micro, (rank+1)·micro)."""

    def __init__(self, sampler: PackedSampler, rank: int, micro: int, depth: int, pin: bool):
        self.sampler, self.rank, self.micro, self.pin = sampler, rank, micro, pin
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self.wait_seconds = 0.0
        self._thread = threading.Thread(target=self._run, name="prefetch", daemon=True)
        self._thread.start()

    def _run(self):
        try:
            while not self._stop.is_set():
                mine, state, where = self.sampler.next_global_micro(
                    slice(self.rank * self.micro, (self.rank + 1) * self.micro))
                tensors = {k: torch.from_numpy(np.stack([s[k] for s in mine])) for k in mine[0]}
                if "position_ids" in tensors:   # document masking: segment boundaries for varlen attention
                    tensors["cu_seqlens"] = torch.from_numpy(document_cu_seqlens(tensors["position_ids"].numpy()))
                if self.pin:
                    tensors = {k: v.pin_memory() for k, v in tensors.items()}
                item = Batch(tensors, state, where)
                while not self._stop.is_set():
                    try:
                        self._queue.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        pass
        except BaseException as e:  # surfaced to the training loop on the next get()
            self._queue.put(e)

    def next(self) -> Batch:
        t0 = time.perf_counter()
        item = self._queue.get()
        self.wait_seconds += time.perf_counter() - t0
        if isinstance(item, BaseException):
            raise item
        return item

    def close(self):
        self._stop.set()
        self._thread.join(timeout=5)


def make_loader(cfg, state: SamplerState, rank: int, world: int, phase=None,
                registry: ChannelRegistry | None = None,
                paths: list[str] | None = None) -> tuple[Prefetcher, ChannelRegistry]:
    """The loader of ``phase`` (trainer.phases; None: ``data.*``); ``registry`` shared across phases;
    ``paths``: the phase's chunk list as rank 0 broadcast it (None: list the shards here)."""
    registry = registry or ChannelRegistry(cfg.data.max_channels)
    d = cfg.data
    shards, seq_len, shuffle, window = ((phase.shards, phase.seq_len, phase.shuffle, phase.shuffle_window) if phase
                                        else (d.shards, d.seq_len, d.shuffle, d.shuffle_window))
    sampler = PackedSampler(shards, seq_len, world * cfg.train.micro_batch_size,
                            shuffle, state, registry, d.document_mask, paths, window)
    loader = Prefetcher(sampler, rank, cfg.train.micro_batch_size, cfg.data.prefetch,
                        pin=torch.cuda.is_available())
    return loader, registry
