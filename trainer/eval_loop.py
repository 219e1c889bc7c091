"""Held-out loss during training: ``eval_loss`` and ``eval_loss/<channel>`` every ``eval.every_steps``.

The practitioner's first daily tool is held-out loss per domain (seed notes): a channel whose
held-out loss rises while the training loss falls is being forgotten or was over-repeated.

* The windows are fixed for the whole run: the first ``eval.max_tokens // seq_len`` windows of
  the held-out shards in chunk order (the order ``trainer.evaluate`` walks), so every eval row
  measures the same tokens and rows of one run compare over steps.
* Every rank runs the same number of forward passes (ZeRO-3 gathers parameters collectively) on
  its own ``1/world`` of the windows; the sums are all-reduced once, read to the host once.
* Channel ids come from a registry filled from every held-out chunk's manifest in order, so they
  agree on every rank without talking.
"""
from __future__ import annotations

import os

import numpy as np
import torch

from trainer.data import Batch, ChannelRegistry, PackedSampler, SamplerState
from trainer.metrics import LossTracker
from refinery.tokenize.shards import ShardChunk, list_chunks


def eval_windows(shards: str, seq_len: int, max_tokens: int) -> list[tuple[int, int]]:
    """(chunk index, window) of the first ``max_tokens // seq_len`` windows in chunk order."""
    wanted = max(1, max_tokens // seq_len)
    out: list[tuple[int, int]] = []
    for index, path in enumerate(list_chunks(shards)):
        n = max(0, (ShardChunk(path).num_tokens - 1) // seq_len)
        out.extend((index, w) for w in range(min(n, wanted - len(out))))
        if len(out) >= wanted:
            break
    return out


def check_disjoint(eval_shards: str, train_shards: list[str]) -> None:
    """Held-out shards are never trained on: neither directory may hold the other."""
    ev = os.path.realpath(eval_shards)
    for train in train_shards:
        tr = os.path.realpath(train)
        if ev == tr or ev.startswith(tr + os.sep) or tr.startswith(ev + os.sep):
            raise ValueError(f"data.eval_shards {eval_shards} overlaps the training shards {train}")


class HeldOutEval:
    def __init__(self, shards: str, seq_len: int, max_tokens: int, micro: int, rank: int, world: int,
                 device, document_mask: bool = False, max_channels: int = 1024):
        self.registry = ChannelRegistry(max_channels)
        self.sampler = PackedSampler(shards, seq_len, 1, False, SamplerState(), self.registry, document_mask)
        for path in self.sampler.paths:  # fixed channel ids on every rank
            self.registry.ids_for(ShardChunk(path).channels)
        windows = eval_windows(shards, seq_len, max_tokens)
        per_rank = len(windows) // world
        if per_rank == 0:
            raise ValueError(f"data.eval_shards: {len(windows)} windows of seq_len {seq_len} for {world} ranks; "
                             f"raise eval.max_tokens or add held-out data")
        self.mine = windows[rank * per_rank:(rank + 1) * per_rank]
        self.tokens = per_rank * world * seq_len
        self.micro = micro
        self.tracker = LossTracker(max_channels, device)

    def batches(self):
        for start in range(0, len(self.mine), self.micro):
            samples = [self.sampler.sample(i, w) for i, w in self.mine[start:start + self.micro]]
            tensors = {k: torch.from_numpy(np.stack([s[k] for s in samples])) for k in samples[0]}
            yield Batch(tensors, None, [])

    @torch.no_grad()
    def run(self, engine, forward) -> dict:
        """``forward(batch) -> (token_losses, channels)``; returns the metrics row's eval fields."""
        was_training = engine.module.training
        engine.module.eval()
        try:
            for batch in self.batches():
                token_losses, channels = forward(batch)
                self.tracker.add(token_losses, channels)
        finally:
            engine.module.train(was_training)
        mean, per_channel, tokens = self.tracker.reduce_and_reset()
        row = {"eval_loss": mean, "eval_tokens": tokens}
        for cid, value in per_channel.items():
            row[f"eval_loss/{self.registry.names[cid]}"] = value
        return row
