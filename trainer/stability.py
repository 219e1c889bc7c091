"""Loss-spike handling: skip a spiking batch; after repeated spikes roll back and skip the data.

PaLM (Chowdhery et al. 2022, §5.1) saw ~20 spikes in training and fixed them by restarting from a
checkpoint ~100 steps before the spike and skipping 200–500 batches; spikes came from the
combination of a data batch and a model state, not from "bad data" alone. So:

* loss spike: the global loss of a micro-batch is above ``mean + sigma·σ`` of the recent healthy
  window → its backward is skipped and the next batch takes its place (the batch never touches
  the weights or the Adam moments);
* grad-norm spike: the step's global grad norm is above ``grad_norm_factor ×`` the recent median.
  It is only known after the optimizer step, so it cannot be skipped; it counts toward rollback;
* sudden drop: the loss is below ``mean - drop_sigma·σ`` — the seed notes read it as repeated or
  degenerate data (the model is reciting something it has seen); logged with the chunk and
  window of every sample of the batch (``python -m trainer.window_text`` prints them), and with
  ``drop_action: skip`` kept out of the weights like a spike. Drops never trigger a rollback;
  ``python -m trainer.rollback`` is the manual way back when one was real;
* ``rollback_after`` spikes within ``rollback_window`` steps → load the last complete checkpoint
  and keep the data position where it is, so the batches seen since that checkpoint are skipped.

Deciding on a loss before backward needs the loss on the host every micro-step (one small
all-reduce and sync); with ``stability.enabled: false`` the loop reads the loss only at log steps.
"""
from __future__ import annotations

import math
from collections import deque

from trainer.config import StabilityConfig


class SpikeDetector:
    def __init__(self, cfg: StabilityConfig, state: dict | None = None):
        self.cfg = cfg
        self.losses: deque = deque(maxlen=cfg.window)
        self.grad_norms: deque = deque(maxlen=cfg.window)
        self.events: list[int] = []          # steps with a spike, for the rollback rule
        if state:
            self.losses.extend(state["losses"])
            self.grad_norms.extend(state["grad_norms"])
            self.events = list(state["events"])

    def state_dict(self) -> dict:
        return {"losses": list(self.losses), "grad_norms": list(self.grad_norms), "events": list(self.events)}

    def _mean_std(self) -> tuple[float, float] | None:
        if len(self.losses) < self.cfg.min_history:
            return None
        mean = sum(self.losses) / len(self.losses)
        var = sum((x - mean) ** 2 for x in self.losses) / (len(self.losses) - 1)
        return mean, math.sqrt(var)

    def threshold(self) -> float | None:
        m = self._mean_std()
        return None if m is None else m[0] + self.cfg.sigma * m[1]

    def drop_threshold(self) -> float | None:
        m = self._mean_std()
        return None if m is None else m[0] - self.cfg.drop_sigma * m[1]

    def classify(self, loss: float) -> str:
        """"spike", "drop" or "ok" for one global micro-batch loss; the loop's one question."""
        if self.is_loss_spike(loss):
            return "spike"
        low = self.drop_threshold()
        return "drop" if low is not None and loss < low else "ok"

    def reset_history(self) -> None:
        """A new phase's data has its own loss and grad-norm level: judge it against its own history."""
        self.losses.clear()
        self.grad_norms.clear()

    def is_loss_spike(self, loss: float) -> bool:
        if not math.isfinite(loss):
            return True
        limit = self.threshold()
        return limit is not None and loss > limit

    def record_loss(self, loss: float) -> None:
        self.losses.append(loss)

    def is_grad_spike(self, norm: float | None) -> bool:
        if norm is None or self.cfg.grad_norm_factor <= 0:
            return False
        if not math.isfinite(norm):
            return True
        if len(self.grad_norms) < self.cfg.min_history:
            return False
        median = sorted(self.grad_norms)[len(self.grad_norms) // 2]
        return norm > self.cfg.grad_norm_factor * median

    def record_grad_norm(self, norm: float | None) -> None:
        if norm is not None and math.isfinite(norm):
            self.grad_norms.append(norm)

    def record_spike(self, step: int) -> None:
        self.events.append(step)

    def should_roll_back(self, step: int) -> bool:
        recent = [s for s in self.events if s > step - self.cfg.rollback_window]
        self.events = recent
        return len(recent) >= self.cfg.rollback_after
