"""Training phases: main → long-context → anneal, each its own shards from a given step.

The seed notes' recipe: pretrain on the main mixture; extend the context late with a larger RoPE
base and longer sequences; anneal on the best data while the LR decays (MiniCPM's WSD decay,
Llama-3's annealing). A phase is resolved once from the config (``start: decay_start`` becomes
the schedule's first decay step) and the loop asks only ``phase_at(step)``, so which data a step
reads stays a pure function of the step and the sampler position, and a resume continues exactly
across a phase switch. Every phase has its own sampler walk, starting at its first chunk.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from trainer.config import RopeConfig, TrainerConfig


@dataclass(frozen=True)
class Phase:
    index: int
    name: str
    start: int
    shards: str
    shuffle: bool
    shuffle_window: int
    seq_len: int
    rope: RopeConfig
    lr_scale: float


def resolve_phases(cfg: TrainerConfig, decay_start: int) -> list[Phase]:
    """The config's phases with defaults filled in; without ``phases:`` one phase of ``data.*``."""
    d = cfg.data
    if not cfg.phases:
        return [Phase(0, "main", 0, d.shards, d.shuffle, d.shuffle_window, d.seq_len, cfg.model.rope, 1.0)]
    out: list[Phase] = []
    rope = cfg.model.rope
    for i, p in enumerate(cfg.phases):
        start = decay_start if p.start == "decay_start" else int(p.start)
        if out and start <= out[-1].start:
            raise ValueError(f"phases[{i}].start: step {start} is not after phases[{i - 1}] (step {out[-1].start})")
        rope = p.rope or rope  # a RoPE change carries into later phases (the weights learnt it)
        out.append(Phase(i, p.name or f"phase{i}", start, p.shards or d.shards,
                         d.shuffle if p.shuffle is None else p.shuffle,
                         d.shuffle_window if p.shuffle_window is None else p.shuffle_window,
                         p.seq_len or d.seq_len, rope, p.lr_scale))
    return out


def phase_at(phases: list[Phase], step: int) -> Phase:
    """The phase optimizer step ``step`` (0-based) belongs to."""
    current = phases[0]
    for p in phases:
        if p.start <= step:
            current = p
    return current


def apply_rope(model, model_cfg, rope: RopeConfig) -> bool:
    """Set the model's RoPE to ``rope`` in place (inv_freq buffers and config); False if unchanged.

    Only buffers change, no parameter, so this is safe under every ZeRO stage and the optimizer
    state stays valid. The HF config is updated too, so the export carries the new RoPE.
    """
    from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding

    from trainer.model import rope_parameters

    params = rope_parameters(dataclasses.replace(model_cfg, rope=rope))
    if model.config.rope_parameters == params:
        return False
    model.config.rope_parameters = params
    model.config.max_position_embeddings = int(model_cfg.max_seq_len * (rope.factor if rope.type != "default" else 1))
    rotary = model.model.rotary_emb  # updated in place: ZeRO-3's module hooks stay as they are
    fresh = LlamaRotaryEmbedding(config=model.config).to(rotary.inv_freq.device)
    rotary.inv_freq = fresh.inv_freq
    rotary.original_inv_freq = fresh.original_inv_freq
    for name in ("attention_scaling", "rope_type", "max_seq_len_cached", "original_max_seq_len", "config"):
        setattr(rotary, name, getattr(fresh, name))
    return True
