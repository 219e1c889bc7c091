"""Learning-rate schedules as pure functions of the step.

Because ``lr_at(step)`` depends on nothing but the step and the config, a resumed run continues
exactly where it stopped — never re-warmed. (Re-warming when continuing on the same data damages
the model and the damage is not recovered later: Gupta et al. 2023, "Continual Pre-Training of
Large Language Models: How to (re)warm your model?"; practitioner note 004.)

* ``cosine``: linear warmup, then cosine from the peak to ``min_lr_ratio × peak``.
* ``wsd``: warmup-stable-decay (MiniCPM, Hu et al. 2024): warmup, a constant stage, and a linear
  decay over the last ``decay_fraction`` of the steps — a run can be extended from any stable step.
* ``constant``: warmup then constant.
* ``continue_pretrain`` preset: peak = ``pretrain_lr × lr_fraction`` (≈10 % of pretraining's)
  × sqrt(batch / pretrain_batch) (LR scales with the square root of the batch-size ratio), a
  larger default warmup ratio (5 %), and a constant LR without warmup when continuing on the same data.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from trainer.config import ScheduleConfig


@dataclass(frozen=True)
class Schedule:
    kind: str
    peak_lr: float
    warmup_steps: int
    max_steps: int
    min_lr: float
    decay_steps: int

    @property
    def decay_start(self) -> int:
        """WSD: the first step of the decay (where an anneal phase starts "at decay start")."""
        return self.max_steps - self.decay_steps

    def lr_at(self, step: int) -> float:
        """LR for optimizer step ``step`` (0-based)."""
        if step < self.warmup_steps:
            return self.peak_lr * (step + 1) / self.warmup_steps
        if self.kind == "constant":
            return self.peak_lr
        if self.kind == "wsd":
            decay_start = self.decay_start
            if step < decay_start:
                return self.peak_lr
            frac = min(1.0, (step - decay_start + 1) / self.decay_steps)
            return self.peak_lr + (self.min_lr - self.peak_lr) * frac
        span = max(1, self.max_steps - self.warmup_steps)
        frac = min(1.0, (step - self.warmup_steps) / span)
        return self.min_lr + 0.5 * (self.peak_lr - self.min_lr) * (1 + math.cos(math.pi * frac))


def build_schedule(cfg: ScheduleConfig, peak_lr: float, max_steps: int, batch_tokens: int) -> Schedule:
    """``max_steps``: the curve's length (``schedule.total_steps``, else ``train.max_steps``)."""
    kind, warmup_ratio = cfg.kind, cfg.warmup_ratio
    if cfg.preset == "continue_pretrain":
        peak_lr = continue_pretrain_lr(cfg.pretrain_lr, cfg.lr_fraction, batch_tokens, cfg.pretrain_batch_tokens)
        if cfg.same_data:
            kind, warmup_ratio = "constant", 0.0
        elif cfg.warmup_steps is None:
            warmup_ratio = max(warmup_ratio, 0.05)
    warmup = cfg.warmup_steps if cfg.warmup_steps is not None else int(round(warmup_ratio * max_steps))
    if cfg.preset == "continue_pretrain" and cfg.same_data:
        warmup = 0
    decay = max(1, int(round(cfg.decay_fraction * max_steps)))
    return Schedule(kind, peak_lr, warmup, max_steps, peak_lr * cfg.min_lr_ratio, decay)


def continue_pretrain_lr(pretrain_lr: float, fraction: float, batch_tokens: int,
                         pretrain_batch_tokens: int | None) -> float:
    """≈10 % of pretraining's peak, scaled by sqrt(batch ratio): 4× the batch → 2× the LR."""
    scale = math.sqrt(batch_tokens / pretrain_batch_tokens) if pretrain_batch_tokens else 1.0
    return pretrain_lr * fraction * scale
