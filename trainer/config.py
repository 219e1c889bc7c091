"""The trainer's configuration (``--config trainer/configs/<name>.yaml`` plus ``dotted.key=value``).

Loaded once with ``refinery.config.load_config``: an unknown key or a bad value stops the run
before any model or DeepSpeed work, and the message names the key (``train.max_steps: must be
positive``). Command-line overrides go through the same validation as the YAML.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal

from refinery.config import check


@dataclass
class RopeConfig:
    # RoPE base (10000 in LLaMA-1/2, 500000 in LLaMA-3). A larger base is the "ABF" way to long context.
    theta: float = 10000.0
    # default | linear (position interpolation) | dynamic (dynamic NTK) | yarn (NTK-by-parts) | llama3
    type: Literal["default", "linear", "dynamic", "yarn", "llama3"] = "default"
    # context multiplier for the scaled types (e.g. 4.0 to go from 4k to 16k)
    factor: float = 1.0
    # the context the weights were trained at (yarn, llama3, dynamic)
    original_max_position_embeddings: int | None = None

    def __post_init__(self):
        check(self.theta > 0, "theta", "must be positive")
        check(self.factor >= 1.0, "factor", "must be >= 1")
        check(self.type == "default" or self.factor > 1.0, "factor", f"rope type {self.type} needs factor > 1")


@dataclass
class ModelConfig:
    """A LLaMA-style decoder (RMSNorm, SwiGLU, RoPE, GQA); the fields map onto HF ``LlamaConfig``."""
    vocab_size: int = 512
    hidden_size: int = 128
    intermediate_size: int = 384
    num_layers: int = 2
    num_heads: int = 8
    num_kv_heads: int = 8       # < num_heads: grouped-query attention
    max_seq_len: int = 128      # max_position_embeddings
    rms_norm_eps: float = 1e-5
    tie_embeddings: bool = False
    init_std: float = 0.02
    rope: RopeConfig = field(default_factory=RopeConfig)
    # auto: flash_attention_2 when flash-attn imports and CUDA is available, else sdpa
    attn_implementation: Literal["auto", "flash_attention_2", "sdpa", "eager"] = "auto"

    def __post_init__(self):
        for name in ("vocab_size", "hidden_size", "intermediate_size", "num_layers", "num_heads",
                     "num_kv_heads", "max_seq_len"):
            check(getattr(self, name) > 0, name, "must be positive")
        check(self.hidden_size % self.num_heads == 0, "hidden_size", "must be a multiple of num_heads")
        check(self.num_heads % self.num_kv_heads == 0, "num_kv_heads", "must divide num_heads (GQA groups)")


@dataclass
class DataConfig:
    shards: str = ""             # a directory of chunk-NNNNN/ (refinery.tokenize.shards)
    seq_len: int = 128
    # reset positions per document and mask attention across documents (packed sequences)
    document_mask: bool = False
    # off: chunks and the windows inside them in the mix's order (its curriculum reaches the model);
    # on: chunk order permuted per epoch (within blocks of shuffle_window chunks, 0 = all) and
    # windows permuted inside each chunk — seeded, so a resume continues exactly
    shuffle: bool = False
    shuffle_window: int = 0
    prefetch: int = 4            # batches prepared ahead by the background thread
    max_channels: int = 32       # slots for per-channel loss (zh / en / code …)
    # held-out shards (never trained on): eval_loss during training (eval.*) and trainer.evaluate
    eval_shards: str | None = None
    # a tokenizer (HF directory or tokenizer.json) copied into exports and used by probes
    tokenizer: str | None = None

    def __post_init__(self):
        check(self.seq_len > 1, "seq_len", "must be > 1")
        check(self.prefetch >= 1, "prefetch", "must be >= 1")
        check(self.shuffle_window >= 0, "shuffle_window", "must be >= 0 (0: shuffle all chunks)")
        check(self.max_channels >= 1, "max_channels", "must be >= 1")


@dataclass
class OptimizerConfig:
    lr: float = 3e-4             # the peak LR of the schedule
    betas: list[float] = field(default_factory=lambda: [0.9, 0.95])
    eps: float = 1e-8
    weight_decay: float = 0.1
    # fused torch AdamW where the device has it (CUDA); DeepSpeed's CPUAdam is never JIT-built
    fused: bool = True

    def __post_init__(self):
        check(self.lr > 0, "lr", "must be positive")
        check(len(self.betas) == 2 and all(0 <= b < 1 for b in self.betas), "betas", "two numbers in [0, 1)")
        check(self.weight_decay >= 0, "weight_decay", "must be >= 0")


@dataclass
class ScheduleConfig:
    """LR as a pure function of the step (trainer.schedule), so a resume continues exactly."""
    kind: Literal["cosine", "wsd", "constant"] = "cosine"
    # the curve's length (default train.max_steps); train.max_steps only says where this launch
    # stops, so a run stopped early and extended later follows one uninterrupted curve
    total_steps: int | None = None
    warmup_steps: int | None = None
    warmup_ratio: float = 0.01           # of total_steps when warmup_steps is None
    min_lr_ratio: float = 0.1            # cosine / WSD floor, relative to optimizer.lr
    decay_fraction: float = 0.1          # WSD: the last fraction of steps decays (MiniCPM)
    # continue_pretrain: peak LR = pretrain_lr * lr_fraction * sqrt(batch / pretrain_batch)
    preset: Literal["none", "continue_pretrain"] = "none"
    pretrain_lr: float | None = None
    pretrain_batch_tokens: int | None = None
    lr_fraction: float = 0.1
    same_data: bool = False              # continuing on the pretraining data: constant LR, no re-warm

    def __post_init__(self):
        check(self.total_steps is None or self.total_steps > 0, "total_steps", "must be positive")
        check(self.warmup_steps is None or self.warmup_steps >= 0, "warmup_steps", "must be >= 0")
        check(0 <= self.warmup_ratio < 1, "warmup_ratio", "must be in [0, 1)")
        check(0 <= self.min_lr_ratio <= 1, "min_lr_ratio", "must be in [0, 1]")
        check(0 < self.decay_fraction <= 1, "decay_fraction", "must be in (0, 1]")
        if self.preset == "continue_pretrain":
            check(self.pretrain_lr is not None and self.pretrain_lr > 0, "pretrain_lr",
                  "the continue_pretrain preset needs the pretraining peak LR")


@dataclass
class DeepSpeedConfig:
    zero_stage: Literal[0, 1, 2, 3] = 2
    offload_optimizer: bool = False      # ZeRO-Offload: optimizer states in CPU memory
    offload_params: bool = False         # ZeRO-3 only: parameters in CPU memory
    # a user's own ds_config.json; batch sizes, clipping and precision are still filled from here
    config_file: str | None = None
    # reduce_bucket_size etc. merged into the generated zero_optimization section
    zero_extra: dict = field(default_factory=dict)
    # DeepSpeed's CPU shared-memory allreduce op is JIT-compiled on first start (~2 min);
    # gloo does not need it, so it is off unless asked for.
    cpu_shm_comm: bool = False

    def __post_init__(self):
        check(not self.offload_params or self.zero_stage == 3, "offload_params", "needs zero_stage 3")
        check(not self.offload_optimizer or self.zero_stage >= 1, "offload_optimizer", "needs zero_stage >= 1")
        check(self.config_file is None or os.path.isfile(self.config_file), "config_file",
              f"no such file: {self.config_file}")


@dataclass
class TrainConfig:
    max_steps: int = 100
    micro_batch_size: int = 4            # sequences per rank per forward
    grad_accum: int = 1
    grad_clip: float = 1.0               # 0 disables clipping
    precision: Literal["bf16", "fp32"] = "bf16"
    seed: int = 1234
    z_loss: float = 0.0                  # PaLM's z-loss coefficient (1e-4 there); 0 = off
    compile: bool = False                # torch.compile each decoder layer (trainer.model.compile_layers)
    fused_ce: bool = False               # Liger fused linear cross-entropy, no full logits (trainer.loss; GPU)

    def __post_init__(self):
        check(self.max_steps > 0, "max_steps", "must be positive")
        check(self.micro_batch_size > 0, "micro_batch_size", "must be positive")
        check(self.grad_accum > 0, "grad_accum", "must be positive")
        check(self.grad_clip >= 0, "grad_clip", "must be >= 0")
        check(self.z_loss >= 0, "z_loss", "must be >= 0")


@dataclass
class CheckpointConfig:
    every_steps: int = 1000
    at_chunk_boundary: bool = True       # a chunk is the unit of progress and of rollback
    keep_last: int = 3
    resume: bool = True                  # auto-resume from the newest complete checkpoint in run_dir

    def __post_init__(self):
        check(self.every_steps > 0, "every_steps", "must be positive")
        check(self.keep_last >= 1, "keep_last", "must be >= 1")


@dataclass
class StabilityConfig:
    """Loss-spike handling (trainer.stability); thresholds follow PaLM §5.1 / OPT logbook practice."""
    enabled: bool = True
    window: int = 50                     # recent losses the mean and σ come from
    sigma: float = 4.0                   # spike: loss > mean + sigma·σ
    # sudden drop: loss < mean - drop_sigma·σ (repeated or degenerate data: the model is reciting);
    # logged with the chunk and window of the batch; "skip" also keeps it out of the weights
    drop_sigma: float = 4.0
    drop_action: Literal["log", "skip"] = "log"
    min_history: int = 10                # no verdict before this many healthy steps
    grad_norm_factor: float = 10.0       # grad-norm spike: norm > factor × recent median (0 = off)
    max_skips_per_step: int = 4          # replacement batches tried for one step
    rollback_after: int = 3              # spikes within rollback_window steps → roll back
    rollback_window: int = 20
    # device: the spike gate decides on the GPU, the host reads losses at log steps (trainer.spike_gate);
    # host: every micro-batch's loss is read back and a spiking batch is replaced (one sync each)
    decide_on: Literal["device", "host"] = "device"

    def __post_init__(self):
        check(self.window >= 2, "window", "must be >= 2")
        check(self.sigma > 0, "sigma", "must be positive")
        check(self.drop_sigma > 0, "drop_sigma", "must be positive")
        check(2 <= self.min_history <= self.window, "min_history", "must be in [2, window]")
        check(self.rollback_after >= 1, "rollback_after", "must be >= 1")


@dataclass
class EvalConfig:
    """Held-out loss in the loop (trainer.eval_loop); runs when ``data.eval_shards`` is set."""
    every_steps: int = 100               # and at the last step of the launch
    max_tokens: int = 1_000_000          # per eval pass, the same windows every time

    def __post_init__(self):
        check(self.every_steps > 0, "every_steps", "must be positive")
        check(self.max_tokens > 0, "max_tokens", "must be positive")


@dataclass
class LogConfig:
    every_steps: int = 10
    tensorboard: bool = True
    # peak dense bf16 FLOP/s per device for MFU; None: known GPUs looked up, else MFU not logged
    peak_flops: float | None = None

    def __post_init__(self):
        check(self.every_steps > 0, "every_steps", "must be positive")


@dataclass
class DebugConfig:
    """Test hooks; all off by default."""
    spike_steps: list[int] = field(default_factory=list)   # multiply the first micro-batch loss at these steps
    spike_factor: float = 100.0
    drop_steps: list[int] = field(default_factory=list)    # multiply it by drop_factor at these steps
    drop_factor: float = 0.01
    kill_at_step: int | None = None                        # SIGKILL rank 0 after this step


@dataclass
class PhaseConfig:
    """One stage of a curriculum (main → long-context → anneal): its data from ``start`` on, and
    what changes with it. Fields left unset keep the ``data``/``model`` values (trainer.phases)."""
    name: str = ""
    shards: str = ""                     # token shards of this phase ("" = data.shards)
    # the first step of the phase; "decay_start": where the WSD decay starts (the anneal phase)
    start: int | Literal["decay_start"] = 0
    shuffle: bool | None = None
    shuffle_window: int | None = None
    seq_len: int | None = None           # e.g. the long-context phase
    rope: RopeConfig | None = None       # replaces model.rope from this phase on (theta / scaling)
    lr_scale: float = 1.0                # this phase's part of the schedule: lr_at(step) × lr_scale

    def __post_init__(self):
        check(self.start == "decay_start" or self.start >= 0, "start", "must be >= 0 or decay_start")
        check(self.seq_len is None or self.seq_len > 1, "seq_len", "must be > 1")
        check(self.shuffle_window is None or self.shuffle_window >= 0, "shuffle_window", "must be >= 0")
        check(self.lr_scale > 0, "lr_scale", "must be positive")
        check(not self.shards or os.path.isdir(self.shards), "shards", f"not a directory: {self.shards}")


def _shares_chunks(a: str, b: str) -> bool:
    """The two shard directories are one, or hold a common chunk. A directory's chunks lie directly
    under it, so the mix's held-out shards in SHARDS/heldout/ share nothing with SHARDS."""
    import glob

    def chunks(d: str) -> set[str]:
        return {os.path.realpath(p) for p in glob.glob(os.path.join(d, "chunk-[0-9]*"))}

    return os.path.realpath(a) == os.path.realpath(b) or bool(chunks(a) & chunks(b))


@dataclass
class TrainerConfig:
    run_dir: str = ""
    init_from: str | None = None         # a Hugging Face model directory (continue-pretrain)
    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    deepspeed: DeepSpeedConfig = field(default_factory=DeepSpeedConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    checkpoint: CheckpointConfig = field(default_factory=CheckpointConfig)
    stability: StabilityConfig = field(default_factory=StabilityConfig)
    phases: list[PhaseConfig] = field(default_factory=list)
    eval: EvalConfig = field(default_factory=EvalConfig)
    log: LogConfig = field(default_factory=LogConfig)
    debug: DebugConfig = field(default_factory=DebugConfig)

    def __post_init__(self):
        check(bool(self.run_dir), "run_dir", "is required")
        phases_name_shards = bool(self.phases) and all(p.shards for p in self.phases)
        check(bool(self.data.shards) or phases_name_shards, "data.shards",
              "is required (a directory of token-shard chunks)")
        check(not self.data.shards or os.path.isdir(self.data.shards), "data.shards",
              f"not a directory: {self.data.shards}")
        check(self.data.seq_len <= self.model.max_seq_len * self.model.rope.factor, "data.seq_len",
              "longer than model.max_seq_len × rope.factor")
        check(self.data.eval_shards is None or os.path.isdir(self.data.eval_shards), "data.eval_shards",
              f"not a directory: {self.data.eval_shards}")
        train_dirs = [d for d in [self.data.shards] + [p.shards for p in self.phases] if d]
        for d in train_dirs:  # held-out data is never trained on
            check(self.data.eval_shards is None or not _shares_chunks(self.data.eval_shards, d), "data.eval_shards",
                  f"overlaps the training shards {d}")
        for i, p in enumerate(self.phases):
            key = f"phases[{i}]"
            check(i > 0 or p.start == 0, f"{key}.start", "the first phase starts at step 0")
            check(p.start != "decay_start" or self.schedule.kind == "wsd", f"{key}.start",
                  "decay_start needs schedule.kind wsd")
            rope = p.rope or self.model.rope
            check((p.seq_len or self.data.seq_len) <= self.model.max_seq_len * rope.factor, f"{key}.seq_len",
                  "longer than model.max_seq_len × rope.factor")
        check(self.init_from is None or os.path.isdir(self.init_from), "init_from",
              f"not a directory: {self.init_from}")
        if self.train.fused_ce:
            import importlib.util

            check(importlib.util.find_spec("liger_kernel") is not None, "train.fused_ce",
                  "needs the liger-kernel package (pip install liger-kernel; its Triton kernels need a GPU)")
            check(self.deepspeed.zero_stage <= 2, "train.fused_ce", "needs deepspeed.zero_stage <= 2")
