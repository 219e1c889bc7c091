"""Loss-spike gating without a host read per micro-batch (``stability.decide_on: device``).

The host path (``trainer.stability`` + ``global_mean``) all-reduces each micro-batch's loss and
reads it to the CPU before deciding on the backward: one device→host sync per micro-batch, which
stalls the GPU's queue of kernels. Here the decision stays on the device:

* ``gate(loss)``: the global mean loss (an all-reduce, asynchronous to the host on NCCL) is
  compared with a threshold held in a device scalar; a spike (or a non-finite loss) multiplies the
  loss by 0, so the micro-batch adds no gradient. Nothing is read back.
* at log steps ``drain()`` reads every gated value in one transfer; the host policy
  (``SpikeDetector``: window, σ, rollback rule) then sees them exactly as the host path would
  have, in order, and ``set_threshold`` pushes its new threshold back to the device.

What differs from the host path: the threshold is refreshed at log steps (not after every
micro-batch), rollbacks are decided at log steps, and a spiking micro-batch is dropped rather
than replaced by the next one, so its step has fewer contributing micro-batches (a step whose
every micro-batch spiked still applies AdamW's momentum and weight decay). ``decide_on: host``
keeps PaLM's replace-the-batch behaviour at the cost of the per-micro-batch sync.
"""
from __future__ import annotations

import math

import torch
import torch.distributed as dist


class DeviceSpikeGate:
    def __init__(self, world: int, device, threshold: float | None = None):
        self.world = world
        self.threshold = torch.full((1,), math.inf, dtype=torch.float32, device=device)
        self.set_threshold(threshold)
        self._losses: list[tuple[int, list, torch.Tensor]] = []   # (step, where, [global loss, threshold, kept])
        self._norms: list[tuple[int, torch.Tensor]] = []

    def set_threshold(self, value: float | None) -> None:
        self.threshold.fill_(math.inf if value is None else value)   # a device write, no read

    def gate(self, loss: torch.Tensor, step: int, where=None, checked: torch.Tensor | None = None) -> torch.Tensor:
        """The loss to back-propagate: ``loss`` itself, or 0 where the global ``checked`` loss
        (default ``loss``) spikes. ``where`` (the batch's chunk/window) is kept for the event log."""
        value = (loss if checked is None else checked).detach().float().reshape(1).clone()
        if self.world > 1:
            dist.all_reduce(value)
        value /= self.world
        keep = torch.isfinite(value) & (value <= self.threshold)
        self._losses.append((step, where, torch.cat([value, self.threshold.clone(), keep.float()])))
        return torch.where(keep[0], loss, torch.zeros_like(loss))

    def record_grad_norm(self, step: int, norm) -> None:
        """The step's global grad norm as DeepSpeed left it (a device tensor under ZeRO + bf16)."""
        if norm is not None:
            self._norms.append((step, torch.as_tensor(norm, dtype=torch.float32).reshape(1)))

    def drain(self) -> tuple[list[dict], list[tuple[int, float]]]:
        """One host read for everything since the last drain: per micro-batch
        ``{step, where, loss, threshold, kept}`` and per step ``(step, grad norm)``."""
        losses = []
        if self._losses:
            rows = torch.stack([v for _, _, v in self._losses]).cpu().tolist()
            losses = [{"step": s, "where": w, "loss": r[0], "threshold": r[1] if math.isfinite(r[1]) else None,
                       "kept": bool(r[2])} for (s, w, _), r in zip(self._losses, rows)]
        norms = []
        if self._norms:
            values = torch.cat([n.to(self.threshold.device) for _, n in self._norms]).cpu().tolist()
            norms = [(s, v) for (s, _), v in zip(self._norms, values)]
        self._losses, self._norms = [], []
        return losses, norms


def apply_drained(gate: DeviceSpikeGate, spikes, metrics, phase: str | None = None) -> int:
    """Replay the drained values through the host policy (``SpikeDetector``), log the events, push
    the new threshold to the device; returns the number of micro-batches that were gated."""
    losses, norms = gate.drain()
    skipped = 0
    for r in losses:
        if r["kept"]:
            low = spikes.drop_threshold()
            if low is not None and r["loss"] < low:  # a sudden drop: logged, kept out of the healthy history
                metrics.event(r["step"], "loss_drop", loss=r["loss"], threshold=low, phase=phase, data=r["where"], action="log")
                continue
            spikes.record_loss(r["loss"])
            continue
        skipped += 1
        spikes.record_spike(r["step"])
        metrics.event(r["step"], "skip_batch", loss=r["loss"], threshold=r["threshold"], data=r["where"], attempt=0)
    for step, norm in norms:
        if spikes.is_grad_spike(norm):
            spikes.record_spike(step)
            metrics.event(step, "grad_norm_spike", grad_norm=norm)
        else:
            spikes.record_grad_norm(norm)
    gate.set_threshold(spikes.threshold())
    return skipped
